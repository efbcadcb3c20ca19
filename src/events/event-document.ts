import { DomainError } from '../errors';
import { eventInputSchema, eventIssues, type EventInput } from './events.schemas';
import type { EventRecord } from './events.types';

/**
 * The event as a JSON document (what the CLI prints and imports and the API serves): converting it
 * from and to the stored record, validating it, comparing two of them and merge-patching one. Pure.
 */

/** The event in the JSON shape the CLI prints and the API serves. */
export function toEventJson(e: EventRecord): EventInput {
  return {
    slug: e.slug,
    status: e.status,
    title: e.title,
    summary: e.summary,
    description: e.description,
    programme: e.programme,
    organisers: e.organisers,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    timezone: e.timezone,
    displayTimezones: e.displayTimezones,
    registrationOpensAt: e.registrationOpensAt?.toISOString() ?? null,
    registrationClosesAt: e.registrationClosesAt?.toISOString() ?? null,
    capacity: e.capacity,
    waitlist: e.waitlist,
    approval: e.approval,
    meetingUrl: e.meetingUrl,
    meetingPasscode: e.meetingPasscode,
    contactEmail: e.contactEmail,
    questions: e.questions,
    reminders: e.reminders,
    materials: e.materials,
    followUp: e.followUp,
    bilingualMail: e.bilingualMail,
    zoom: e.zoom,
    attendanceMinutes: e.attendanceMinutes,
    retentionDays: e.retentionDays,
    embedOrigins: e.embedOrigins,
    branding: { organisation: e.branding.organisation, accent: e.branding.accent },
  };
}

/** Validates an event document; throws `validation_failed` listing every problem by JSON path. */
export function parseEventInput(doc: unknown): EventInput {
  const parsed = eventInputSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = eventIssues(parsed.error);
    throw new DomainError(
      'validation_failed',
      'errors:invalidEvent',
      { count: issues.length, issues },
      Object.fromEntries(issues.map((i) => [i.path, i.key])),
    );
  }
  return parsed.data;
}

/**
 * JSON with every object's keys sorted. The stored side comes back from jsonb columns, which reorder
 * keys (a question reads back as {id, type, label, options, required}), so a plain JSON.stringify would
 * see a change in every event with questions.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

/** The top-level fields whose value differs between two documents. */
export function changedFields(before: EventInput, after: EventInput): string[] {
  return (Object.keys(after) as (keyof EventInput)[]).filter(
    (k) => canonicalJson(before[k]) !== canonicalJson(after[k]),
  );
}

/** A JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON Merge Patch (RFC 7396): objects merge, `null` removes a member, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The stored event as it would be after saving the document over it (instants as Dates); the logo and
 * cover stay, as the document does not carry them.
 */
export function fromInput(i: EventInput, existing: EventRecord): EventRecord {
  return {
    ...existing,
    ...i,
    branding: { ...existing.branding, ...i.branding },
    startsAt: new Date(i.startsAt),
    endsAt: new Date(i.endsAt),
    registrationOpensAt: i.registrationOpensAt ? new Date(i.registrationOpensAt) : null,
    registrationClosesAt: i.registrationClosesAt ? new Date(i.registrationClosesAt) : null,
  };
}
