import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction } from '../db/pool';
import { eventsDueForAnonymisation, lockedEvent, markEventAnonymised } from '../events';
import { removeMailFiles, scrubEventInviteeMails } from '../outbox';
import { anonymiseEventInvitees } from '../invitations';
import { syncZoomSoon, unerasedRegistrationsOfEvent } from '../registrations';
import { eraseRegistrations } from './erase';

/** What one retention run did. */
export interface RetentionOutcome {
  events: number;
  registrations: number;
}

/**
 * The retention period: anonymises the registrations of every event whose `retentionDays` (not 0) have
 * passed since its end, one event per transaction under the event's lock, and records
 * `event.anonymised` with the counts. Counts and breakdowns stay (status, affiliation, country,
 * languages, attendance). An event is done once (`events.anonymised_at`), so a second run changes
 * nothing; two workers at once wait for each other on the lock and the second finds it done.
 */
export async function anonymiseDueEvents(
  pool: pg.Pool,
  now: Date,
  dataDir: string,
  opts: { cancelOnZoom: boolean } = { cancelOnZoom: false },
): Promise<RetentionOutcome> {
  const outcome: RetentionOutcome = { events: 0, registrations: 0 };
  for (const due of await eventsDueForAnonymisation(pool, now)) {
    const done = await withTransaction(pool, async (tx) => {
      const event = await lockedEvent(tx, due.id);
      if (event.anonymisedAt) return undefined;
      const regs = await unerasedRegistrationsOfEvent(tx, event.id);
      // On Zoom, the sync cancels them there and then forgets Zoom's registrant ids.
      const cancelOnZoom = opts.cancelOnZoom && Boolean(event.zoom);
      const counts = await eraseRegistrations(tx, regs, { email: null, now, cancelOnZoom });
      if (cancelOnZoom) await syncZoomSoon(tx, event);
      const inviteeMails = await scrubEventInviteeMails(tx, event.id);
      const invitees = await anonymiseEventInvitees(tx, event.id);
      await markEventAnonymised(tx, event.id, now);
      await insertAuditEntry(tx, {
        actor: 'system:retention',
        action: 'event.anonymised',
        eventId: event.id,
        data: {
          retentionDays: event.retentionDays,
          registrations: counts.registrations,
          mails: counts.mails,
          auditEntries: counts.auditEntries,
          invitees,
        },
        at: now,
      });
      return { ...counts, mailIds: [...counts.mailIds, ...inviteeMails] };
    });
    if (!done) continue;
    await removeMailFiles(dataDir, done.mailIds);
    outcome.events++;
    outcome.registrations += done.registrations;
  }
  return outcome;
}
