import { pickText, tFor, type Language } from '../i18n';
import { formatInstant } from '../time';
import type { AuditRecord } from './audit.queries';

/**
 * The audit log in the organiser's words: the action's name, who acted (by name, not by code), and
 * what changed as "field: before → after". The log stores codes and JSON so it stays exact and
 * language-free; this is the one place that turns them into text, for the workspace and the API alike.
 * Pure: the names of registrants are handed in by the caller (the registrations folder owns them).
 */

/** One line of what an entry changed or recorded. */
export interface ReadableChange {
  field: string;
  label: string;
  before?: string;
  after?: string;
  /** "label: before → after", or "label: value" for a recorded fact. */
  text: string;
}

/** An audit entry as a person reads it, with its codes kept beside the words. */
export interface ReadableEntry {
  id: number;
  occurredAt: Date;
  /** The instant in the event's zone, on one line ("Mon 7 Dec 2026, 20:20 JST"). */
  whenLabel: string;
  action: string;
  actionLabel: string;
  actor: string;
  actorLabel: string;
  registrationId: number | null;
  registrantName: string | null;
  changes: ReadableChange[];
}

/** Keys of `data` that say how an entry was made rather than what it changed. */
const bookkeeping = new Set(['before', 'after', 'changed', 'revision']);
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const maxValue = 120;

/**
 * Turns audit records into readable entries in `lang`, instants in `timeZone`. `registrantNames`
 * maps a registration id to the registrant's display name (entries of unknown ids keep a neutral word).
 */
export function readableEntries(
  records: readonly AuditRecord[],
  ctx: { lang: Language; timeZone: string; registrantNames: ReadonlyMap<number, string> },
): ReadableEntry[] {
  const t = tFor(ctx.lang);
  return records.map((r) => {
    const registrantName =
      r.registrationId === null ? null : (ctx.registrantNames.get(r.registrationId) ?? null);
    return {
      id: r.id,
      occurredAt: r.occurredAt,
      whenLabel: formatInstant(r.occurredAt, [ctx.timeZone], ctx.lang),
      action: r.action,
      actionLabel: t(`activity:actions.${r.action}`, { defaultValue: r.action }),
      actor: r.actor,
      actorLabel: actorLabel(r, registrantName, ctx.lang),
      registrationId: r.registrationId,
      registrantName,
      changes: changesOf(r, ctx),
    };
  });
}

/** Who acted, by name: the account's name, the registrant's name, or what the system part is called. */
export function actorLabel(r: AuditRecord, registrantName: string | null, lang: Language): string {
  const t = tFor(lang);
  if (r.actor.startsWith('attendee:')) {
    return registrantName
      ? t('activity:actors.registrant', { name: registrantName })
      : t('activity:actors.someRegistrant');
  }
  if (r.actor.startsWith('invitee:')) return t('activity:actors.invitee');
  if (r.actor === 'system:waiting-list') return t('activity:actors.waitingList');
  if (r.actor === 'system:retention') return t('activity:actors.retention');
  if (r.actor.startsWith('system:')) return t('activity:actors.system');
  if (r.actor === 'cli') return t('activity:actors.commandLine');
  const name = r.userName?.trim() || r.actor.replace(/\s*\(.*\)$/, '').replace(/^cli \(/, '');
  const token = /\(API: (.*)\)$/.exec(r.actor)?.[1];
  if (token) return t('activity:actors.apiToken', { name, token });
  if (r.actor.startsWith('cli ('))
    return t('activity:actors.viaCommandLine', { name: r.userName?.trim() || r.actor.slice(5, -1) });
  if (r.actor.endsWith('(reset link)')) return t('activity:actors.viaResetLink', { name });
  return name;
}

/** The changed fields (before → after) and the recorded facts of one entry, in a stable order. */
function changesOf(r: AuditRecord, ctx: { lang: Language; timeZone: string }): ReadableChange[] {
  const data = r.data ?? {};
  const before = asObject(data.before);
  const after = asObject(data.after);
  const out: ReadableChange[] = [];
  if (r.action === 'event.created') {
    // The whole new document is stored; its title says which event it was.
    if (after && 'title' in after) out.push(fact('title', after.title, ctx));
    return out;
  }
  if (before || after) {
    const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
    for (const field of fields) {
      const b = show(field, before?.[field], ctx);
      const a = show(field, after?.[field], ctx);
      if (b === a) continue;
      const label = fieldLabel(field, ctx.lang);
      out.push({ field, label, before: b, after: a, text: `${label}: ${b} → ${a}` });
    }
  }
  for (const [field, value] of Object.entries(data)) {
    if (!bookkeeping.has(field)) out.push(fact(field, value, ctx));
  }
  return out;
}

function fact(field: string, value: unknown, ctx: { lang: Language; timeZone: string }): ReadableChange {
  const label = fieldLabel(field, ctx.lang);
  const shown = show(field, value, ctx);
  return { field, label, after: shown, text: `${label}: ${shown}` };
}

/** A field's name in `lang`: the activity's own words, else the event editor's, else the key. */
function fieldLabel(field: string, lang: Language): string {
  const t = tFor(lang);
  return t(`activity:fields.${field}`, {
    defaultValue: t(`editor:fields.${field}`, { defaultValue: field }),
  });
}

/** One stored value as text: words for codes, dates in the event's zone, the page's language of a text. */
function show(field: string, value: unknown, ctx: { lang: Language; timeZone: string }): string {
  const t = tFor(ctx.lang);
  if (value === null || value === undefined || value === '') return t('activity:values.none');
  if (typeof value === 'boolean') return t(value ? 'activity:values.yes' : 'activity:values.no');
  if (typeof value === 'number') return new Intl.NumberFormat(ctx.lang).format(value);
  if (typeof value === 'string') return shownString(field, value, ctx);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) {
      return clip(value.map((v) => show(field, v, ctx)).join(', '));
    }
    return t('activity:values.items', { count: value.length });
  }
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).every((k) => k === 'en' || k === 'ja')) {
    return clip(pickText(obj as { en?: string; ja?: string }, ctx.lang)?.text ?? t('activity:values.none'));
  }
  const set = Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (set.length === 0) return t('activity:values.none');
  return clip(set.map(([k, v]) => `${fieldLabel(k, ctx.lang)} ${show(k, v, ctx)}`).join(', '));
}

function shownString(field: string, value: string, ctx: { lang: Language; timeZone: string }): string {
  const t = tFor(ctx.lang);
  if (isoInstant.test(value)) return formatInstant(new Date(value), [ctx.timeZone], ctx.lang);
  if (field === 'status' || field === 'previousStatus') {
    return t(`activity:statuses.${value}`, { defaultValue: value });
  }
  if (field === 'kind') return t(`attendees:mails.kinds.${value}`, { defaultValue: value });
  if (field === 'locale' || field === 'interpretation') {
    return t(`activity:languages.${value}`, { defaultValue: value });
  }
  if (field === 'role') return t(`admin:roles.${value}`, { defaultValue: value });
  if (field === 'format') return t(`activity:formats.${value}`, { defaultValue: value });
  return clip(value);
}

function clip(text: string): string {
  return text.length > maxValue ? `${text.slice(0, maxValue - 1)}…` : text;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
