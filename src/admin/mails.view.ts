import type { EventRecord, FollowUp, Material } from '../events';
import { tFor, type Language } from '../i18n';
import { previewMail } from '../delivery/preview';
import { followUpTopic, reminderTopic } from '../reminders';
import { formatInstant, offsetAfter, offsetBefore, offsetMinutes } from '../time';

/**
 * What the event's Mails tab shows, worked out here so the templates only print: reminders and the
 * follow-up with their moments in every display zone and how their mails stand, the follow-up form's
 * values and problems, and the organiser's messages with their progress. Pure: no database, no clock
 * (callers pass `now`), no HTTP.
 */

/** How the mails of one reminder, follow-up or message stand. `waiting` counts queued rows and those being sent. */
export interface Tally {
  sent: number;
  waiting: number;
  failed: number;
  skipped: number;
  total: number;
}

/** A tally from the raw status counts of topicTallies (queued, sending, sent, failed, skipped). */
export function tallyOf(raw: Record<string, number> | undefined): Tally {
  const n = (k: string) => raw?.[k] ?? 0;
  const t = {
    sent: n('sent'),
    waiting: n('queued') + n('sending'),
    failed: n('failed'),
    skipped: n('skipped'),
  };
  return { ...t, total: t.sent + t.waiting + t.failed + t.skipped };
}

/** An offset in words: "1 day 12 hours", "30 minutes"; 「1日12時間」「30分」. */
export function offsetText(offset: string, lang: Language): string {
  const t = tFor(lang);
  const total = offsetMinutes(offset) ?? 0;
  const parts: [string, number][] = [
    ['days', Math.floor(total / 1440)],
    ['hours', Math.floor((total % 1440) / 60)],
    ['minutes', total % 60],
  ];
  const words = parts.filter(([, n]) => n > 0).map(([unit, n]) => t(`mails:units.${unit}`, { count: n }));
  return words.join(lang === 'ja' ? '' : ' ') || t('mails:units.minutes', { count: 0 });
}

/** One reminder: when it goes in every display zone, whether that moment has come, and its mails. */
export interface ReminderRow {
  offset: string;
  label: string;
  when: string;
  iso: string;
  reached: boolean;
  tally: Tally;
}

/** The event's reminders, longest offset first, and whether reminders go at all (a published event). */
export function remindersView(
  event: EventRecord,
  tallies: Map<string, Record<string, number>>,
  now: Date,
  lang: Language,
): { rows: ReminderRow[]; live: boolean } {
  const t = tFor(lang);
  const rows = event.reminders.map((offset) => {
    const moment = offsetBefore(event.startsAt, offset);
    return {
      offset,
      label: t('mails:reminders.before', { offset: offsetText(offset, lang) }),
      when: formatInstant(moment, event.displayTimezones, lang),
      iso: moment.toISOString(),
      reached: moment <= now,
      tally: tallyOf(tallies.get(reminderTopic(offset))),
    };
  });
  return { rows, live: event.status === 'published' };
}

/** The stored follow-up as the tab states it, or `set: false` when there is none. */
export interface FollowUpState {
  set: boolean;
  label?: string;
  when?: string;
  iso?: string;
  reached?: boolean;
  materials?: number;
  tally: Tally;
}

/** The stored follow-up: when it goes (in every display zone) and how its mails stand. */
export function followUpState(
  event: EventRecord,
  tallies: Map<string, Record<string, number>>,
  now: Date,
  lang: Language,
): FollowUpState {
  const tally = tallyOf(tallies.get(followUpTopic));
  if (!event.followUp) return { set: false, tally };
  const moment = offsetAfter(event.endsAt, event.followUp.after);
  return {
    set: true,
    label: tFor(lang)('mails:followUp.after', { offset: offsetText(event.followUp.after, lang) }),
    when: formatInstant(moment, event.displayTimezones, lang),
    iso: moment.toISOString(),
    reached: moment <= now,
    materials: event.followUp.materials.length,
    tally,
  };
}

/** The delays the follow-up form offers; a stored one not among them is offered too. */
export const followUpDelays = ['PT1H', 'PT2H', 'PT4H', 'P1D', 'P2D', 'P3D', 'P7D'];

/** The smallest number of material rows the follow-up form shows. */
export const followUpMaterialRows = 5;

/** The follow-up form's values: what the fields hold, as text. */
export interface FollowUpFormValues {
  enabled: boolean;
  after: string;
  attended_en: string;
  attended_ja: string;
  absent_en: string;
  absent_ja: string;
  materials: { title_en: string; title_ja: string; url: string }[];
}

/** The form for the stored follow-up (or an empty one, two hours after the end). */
export function followUpFormValues(f: FollowUp | null): FollowUpFormValues {
  const rows = (f?.materials ?? []).map((m) => ({
    title_en: m.title.en ?? '',
    title_ja: m.title.ja ?? '',
    url: m.url,
  }));
  return {
    enabled: Boolean(f),
    after: f?.after ?? 'PT2H',
    attended_en: f?.attended.en ?? '',
    attended_ja: f?.attended.ja ?? '',
    absent_en: f?.absent.en ?? '',
    absent_ja: f?.absent.ja ?? '',
    materials: padRows(rows),
  };
}

function padRows(rows: FollowUpFormValues['materials']): FollowUpFormValues['materials'] {
  const out = [...rows];
  while (out.length < followUpMaterialRows) out.push({ title_en: '', title_ja: '', url: '' });
  return out;
}

export const str = (body: Record<string, unknown>, k: string) => (typeof body[k] === 'string' ? body[k] : '');

/** The posted follow-up form; material rows m0… up to 30 (the schema's limit), blanks kept as rows. */
export function followUpValuesFromBody(body: Record<string, unknown>): FollowUpFormValues {
  const materials: FollowUpFormValues['materials'] = [];
  for (let i = 0; i < 30 && `m${i}_url` in body; i++) {
    materials.push({
      title_en: str(body, `m${i}_title_en`),
      title_ja: str(body, `m${i}_title_ja`),
      url: str(body, `m${i}_url`),
    });
  }
  return {
    enabled: body.enabled !== 'no',
    after: str(body, 'after') || 'PT2H',
    attended_en: str(body, 'attended_en'),
    attended_ja: str(body, 'attended_ja'),
    absent_en: str(body, 'absent_en'),
    absent_ja: str(body, 'absent_ja'),
    materials: padRows(materials),
  };
}

/**
 * The merge patch that saves the form: `{followUp: null}` for "no follow-up", else the whole follow-up.
 * Every member is given, so merging onto the stored one replaces it. Rows left blank are dropped;
 * `rows[i]` is the form row of the patch's material i, so a problem can be shown on its row.
 */
export function followUpPatch(v: FollowUpFormValues): { patch: { followUp: unknown }; rows: number[] } {
  if (!v.enabled) return { patch: { followUp: null }, rows: [] };
  const rows: number[] = [];
  const materials: Material[] = [];
  v.materials.forEach((m, row) => {
    if (!m.title_en.trim() && !m.title_ja.trim() && !m.url.trim()) return;
    rows.push(row);
    const title: Material['title'] = {};
    if (m.title_en.trim()) title.en = m.title_en;
    if (m.title_ja.trim()) title.ja = m.title_ja;
    materials.push({ title, url: m.url.trim() });
  });
  const followUp = {
    after: v.after,
    attended: { en: v.attended_en, ja: v.attended_ja },
    absent: { en: v.absent_en, ja: v.absent_ja },
    materials,
  };
  return { patch: { followUp }, rows };
}

/**
 * The schema's problems (JSON paths such as `$.followUp.attended.ja` → locale keys) as problems of the
 * form's fields, in this tab's own words. A problem elsewhere in the event goes to `form`.
 */
export function followUpFieldErrors(fields: Record<string, string>, rows: number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, key] of Object.entries(fields)) {
    const tokens = [...path.matchAll(/\.(\w+)|\[(\d+)\]/g)].map((m) => m[1] ?? Number(m[2]));
    const [root, head, a, b] = tokens;
    let field = 'form';
    let problem = 'mails:followUp.errors.invalid';
    if (root !== 'followUp') problem = 'mails:followUp.errors.otherField';
    else if (head === 'after') [field, problem] = ['after', 'mails:followUp.errors.after'];
    else if ((head === 'attended' || head === 'absent') && (a === 'en' || a === 'ja')) {
      field = `${head}_${a}`;
      problem =
        key === 'validation:zod.too_big'
          ? 'mails:followUp.errors.tooLong'
          : `mails:followUp.errors.text_${a}`;
    } else if (head === 'materials' && typeof a === 'number') {
      const row = rows[a] ?? 0;
      [field, problem] =
        b === 'url'
          ? [`m${row}_url`, 'mails:followUp.errors.url']
          : [`m${row}_title`, 'mails:followUp.errors.title'];
    } else if (head === 'materials') problem = 'mails:followUp.errors.tooMany';
    out[field] ??= problem;
  }
  return out;
}

/**
 * The stored follow-up's two versions (for those who joined and those who did not) as a registrant
 * whose mail language is `lang` reads them: subject and text part. Links carry placeholder tokens.
 */
export function followUpPreviews(event: EventRecord, lang: Language, baseUrl: string) {
  const f = event.followUp;
  if (!f) return [];
  return [true, false].map((attended) => {
    const mail = previewMail({
      kind: 'event.follow_up',
      event,
      lang,
      baseUrl,
      followUp: { attended, text: attended ? f.attended : f.absent, materials: f.materials },
    });
    return { version: attended ? 'attended' : 'absent', subject: mail.subject, text: mail.text };
  });
}

/** The options of the follow-up's delay select: the usual delays, plus the stored one when unusual. */
export function delayOptions(current: string, lang: Language) {
  const values =
    followUpDelays.includes(current) || !offsetMinutes(current)
      ? followUpDelays
      : [current, ...followUpDelays];
  const sorted = [...values].sort((a, b) => (offsetMinutes(a) ?? 0) - (offsetMinutes(b) ?? 0));
  const t = tFor(lang);
  return sorted.map((value) => ({
    value,
    label: t('mails:followUp.after', { offset: offsetText(value, lang) }),
    selected: value === current,
  }));
}
