import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { lockedEvent, type EventRecord, type Question } from '../events';
import type { Registration } from './registration.row';
import * as q from './registrations.queries';
import { parseAnswers, registrationFormSchema } from './registrations.schemas';
import { hashToken, looksLikeToken } from './tokens';

/**
 * Corrections: a misspelt name, a changed organisation, a forgotten answer. The registrant corrects
 * their own details through the manage link until the event starts; the organiser corrects them from
 * the workspace or the API at any time. The e-mail address never changes this way (it is who the
 * registration belongs to). A correction sends no mail: the next mail or invite simply carries it,
 * since mails are rendered from the registration as it is when they are sent.
 */

/** The fields a correction may change, in the order the forms show them. */
export const correctableFields = [
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'organisation',
  'affiliation',
  'country',
] as const;

const detailsSchema = registrationFormSchema.pick({
  familyName: true,
  givenName: true,
  familyNameKana: true,
  givenNameKana: true,
  organisation: true,
  affiliation: true,
  country: true,
});

/** What a correction came to: the fields it changed (none when the input said what was there). */
export type CorrectionOutcome =
  { ok: true; changed: string[] } | { ok: false; fields: Record<string, string> };

/** Whose correction it is: the registrant through their manage link, or the organiser. */
export type CorrectionTarget =
  | { by: 'registrant'; token: string }
  | { by: 'organiser'; eventId: number; registrationId: number; actor: string; userId: number | null };

/**
 * Corrects a registration's details and answers. Fields missing from `body` keep their values, so a
 * form and a partial API body behave alike; answers are `q_<id>` fields or an `answers` object. Invalid
 * input changes nothing and comes back as field errors (locale keys).
 */
export async function correctRegistration(
  pool: pg.Pool,
  target: CorrectionTarget,
  body: Record<string, unknown>,
  now: Date,
): Promise<CorrectionOutcome> {
  // The address is who the registration belongs to: it is never corrected, so asking to is an error.
  if (body.email !== undefined) return { ok: false, fields: { email: 'corrections:errors.emailFixed' } };
  return withTransaction(pool, async (tx) => {
    const { event, reg } = await lockedTarget(tx, target);
    if (target.by === 'registrant') assertRegistrantMayCorrect(event, reg, now);
    const parsed = parseCorrection(merged(reg, body), event.questions);
    if (!parsed.ok) return parsed;
    // Answers to questions removed from the event since stay as they were.
    const known = new Set(event.questions.map((qn) => qn.id));
    const kept = Object.fromEntries(Object.entries(reg.answers).filter(([id]) => !known.has(id)));
    const answers = { ...kept, ...parsed.answers };
    const before = snapshot(reg, reg.answers);
    const after = snapshot(parsed.details, answers);
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length === 0) return { ok: true, changed };
    await q.updateRegistrantDetails(tx, reg.id, { ...parsed.details, answers, at: now });
    await insertAuditEntry(tx, {
      actor: target.by === 'registrant' ? `attendee:${reg.email.toLowerCase()}` : target.actor,
      userId: target.by === 'organiser' ? target.userId : null,
      action: 'registration.corrected',
      eventId: event.id,
      registrationId: reg.id,
      data: {
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k]])),
      },
      at: now,
    });
    return { ok: true, changed };
  });
}

/** The registrant corrects until the event starts, while the registration and the event are live. */
function assertRegistrantMayCorrect(event: EventRecord, reg: Registration, now: Date): void {
  if (!registrantMayCorrect(reg, event, now)) {
    throw new DomainError('registration_closed', 'corrections:errors.closed');
  }
}

/** The event and the registration, both locked (event first, as every registration command does). */
async function lockedTarget(tx: Queryable, target: CorrectionTarget) {
  if (target.by === 'registrant') {
    const found = looksLikeToken(target.token)
      ? await q.registrationByTokenHash(tx, hashToken(target.token), 'manage')
      : undefined;
    if (!found) throw new DomainError('not_found', 'errors:linkInvalid');
    const event = await lockedEvent(tx, found.eventId);
    return { event, reg: (await q.registrationById(tx, found.id, { lock: true }))! };
  }
  const event = await lockedEvent(tx, target.eventId);
  const reg = await q.registrationById(tx, target.registrationId, { lock: true });
  if (!reg || reg.eventId !== target.eventId) throw new DomainError('not_found', 'attendees:errors.notFound');
  return { event, reg };
}

/** The stored values with the given ones on top, in the form's field names. */
function merged(reg: Registration, body: Record<string, unknown>): Record<string, unknown> {
  const base = correctionValues(reg);
  const given = { ...body };
  const answers = given.answers;
  delete given.answers;
  if (answers && typeof answers === 'object' && !Array.isArray(answers)) {
    for (const [id, v] of Object.entries(answers)) given[`q_${id}`] = v;
  }
  for (const key of [...correctableFields, ...Object.keys(given).filter((k) => k.startsWith('q_'))]) {
    if (given[key] !== undefined) base[key] = given[key] === null ? '' : given[key];
  }
  return base;
}

function parseCorrection(input: Record<string, unknown>, questions: Question[]) {
  const parsed = detailsSchema.safeParse(input);
  const fields: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      fields[field] ??= issue.message.startsWith('validation:') ? issue.message : 'validation:invalid';
    }
  }
  const answers = parseAnswers(input, questions);
  Object.assign(fields, answers.fields);
  if (!parsed.success || Object.keys(fields).length) return { ok: false as const, fields };
  return { ok: true as const, details: parsed.data, answers: answers.answers };
}

/** The correctable values (and the answers) as one flat record, for before/after in the audit log. */
function snapshot(
  d: Pick<Registration, (typeof correctableFields)[number]>,
  answers: Record<string, string | string[]>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of correctableFields) out[k] = d[k] ?? null;
  out.answers = answers;
  return out;
}

/** A registration's correctable values as the form's fields (`q_<id>` for answers), to fill the form. */
export function correctionValues(reg: Registration): Record<string, unknown> {
  const values: Record<string, unknown> = {
    familyName: reg.familyName,
    givenName: reg.givenName,
    familyNameKana: reg.familyNameKana ?? '',
    givenNameKana: reg.givenNameKana ?? '',
    organisation: reg.organisation ?? '',
    affiliation: reg.affiliation,
    country: reg.country,
  };
  for (const [id, v] of Object.entries(reg.answers)) values[`q_${id}`] = v;
  return values;
}

/** Whether the registrant may still correct their details themselves (until the event starts). */
export function registrantMayCorrect(reg: Registration, event: EventRecord, now: Date): boolean {
  return (
    reg.status !== 'cancelled' &&
    reg.status !== 'declined' &&
    event.status !== 'cancelled' &&
    now < event.startsAt
  );
}
