import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import { DomainError } from '../errors';
import { eventById, lockedEvent, registrationWindow } from '../events';
import type { Language } from '../i18n';
import type { OrganiserContext } from './organiser.service';
import * as q from './registrations.queries';
import { parseRegistrationForm } from './registrations.schemas';
import { announceRegistration, seatFor } from './registrations.service';

/**
 * An organiser adds a registrant by hand: someone who phoned, or wrote after the deadline. The same
 * form and rules as the public form, with two explicit exceptions the organiser must ask for: past the
 * registration deadline (`pastDeadline`), and past the capacity (`overCapacity`; without it a full
 * event puts them on the waiting list, or refuses when it has none). The registrant gets the usual
 * confirmation (or waiting-list) mail; the audit log says who added them and which exception was used.
 */
export interface ManualRegistration {
  eventId: number;
  body: Record<string, unknown>;
  pageLang: Language;
  pastDeadline: boolean;
  overCapacity: boolean;
}

export type ManualOutcome =
  | { ok: true; id: number; status: 'confirmed' | 'waitlisted' }
  | { ok: false; fields: Record<string, string> };

function refuse(key: string, params: Record<string, unknown> = {}): never {
  throw new DomainError('conflict', `corrections:errors.${key}`, params);
}

/** Adds a registration for the organiser; invalid fields change nothing and come back as errors. */
export async function addRegistrationByOrganiser(
  pool: pg.Pool,
  input: ManualRegistration,
  ctx: OrganiserContext,
): Promise<ManualOutcome> {
  const event = await eventById(pool, input.eventId);
  if (!event) throw new DomainError('not_found', 'errors:notFound');
  const parsed = parseRegistrationForm(input.body, event.questions, input.pageLang);
  if (!parsed.ok) return { ok: false, fields: parsed.fields };
  const { form, answers } = parsed;
  return withTransaction(pool, async (tx) => {
    const current = await lockedEvent(tx, event.id);
    if (current.status !== 'published')
      refuse(current.status === 'cancelled' ? 'eventCancelled' : 'notPublished');
    const window = registrationWindow(current, ctx.now);
    const late = window.state === 'closed';
    if (late && !input.pastDeadline) refuse('deadlinePassed');
    if (await q.liveRegistrationByEmail(tx, current.id, form.email))
      refuse('emailTaken', { email: form.email });
    // Over the capacity only when the organiser says so; otherwise as the form would decide.
    const seat = await seatFor(tx, current);
    const overCapacity = seat !== 'confirmed' && Boolean(input.overCapacity);
    const status = overCapacity ? 'confirmed' : seat;
    if (status === 'full') refuse('eventFull');
    const id = await q.insertRegistration(tx, { eventId: current.id, status, form, answers, at: ctx.now });
    // Under the event lock the address was free a moment ago; a row for it now is a live duplicate.
    if (id === undefined) refuse('emailTaken', { email: form.email });
    await announceRegistration(tx, current, { id, status, form, at: ctx.now });
    await insertAuditEntry(tx, {
      actor: ctx.actor,
      userId: ctx.userId,
      action: 'registration.added',
      eventId: current.id,
      registrationId: id,
      data: { status, pastDeadline: late, overCapacity },
      at: ctx.now,
    });
    return { ok: true, id, status };
  });
}
