import type pg from 'pg';
import { withTransaction, type Queryable } from '../db/pool';
import { eventById, type EventRecord } from '../events';
import { enqueue, queues } from '../jobs/queue';
import { loggerFor } from '../logger';
import { zoomPeople, type ZoomPerson } from '../registrations';
import { BATCH_LIMIT, ZoomError, type ZoomClient, type ZoomPerson as ZoomApiPerson } from '../zoom-api';
import * as q from './zoom.queries';

const log = loggerFor('zoom');

/** What the Zoom jobs need: the database, the API client (none without Zoom settings) and the clock. */
export interface ZoomDeps {
  pool: pg.Pool;
  zoom?: ZoomClient;
  now: () => Date;
}

/** Backoff for retryable failures: 30 s doubling to an hour, or Zoom's Retry-After when longer. */
export function retryDelaySeconds(attempts: number, retryAfter: number | undefined): number {
  const backoff = Math.min(3600, 30 * 2 ** Math.max(0, attempts));
  return Math.max(backoff, retryAfter ?? 0);
}

/** What one sync run did. */
export interface SyncOutcome {
  registered: number;
  /** Cancelled on Zoom earlier and confirmed again (restored, or back from the waiting list): approved again. */
  reinstated: number;
  cancelled: number;
  failed: number;
  /** When a retryable failure stopped the run: the next attempt. */
  retryAt?: Date;
}

/**
 * Brings one event's Zoom registrants in line with its registrations: every confirmed registrant of a
 * published event is registered (one call for one person, batch_registrants in thirties for a
 * backlog), and whoever has a Zoom registrant id but is no longer confirmed (cancelled, erased, the
 * event cancelled) is cancelled on Zoom. Someone who already has a join URL is never registered again
 * (Zoom allows three registrations per address and day). A retryable refusal (429, 5xx) stops the run
 * and queues the next one after the backoff or Zoom's Retry-After; a permanent one is recorded on the
 * rows concerned, for the organiser. One run per event at a time (an advisory lock).
 */
export async function syncEventRegistrants(deps: ZoomDeps, eventId: number): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { registered: 0, reinstated: 0, cancelled: 0, failed: 0 };
  const client = deps.zoom;
  if (!client) return outcome;
  return withTransaction(deps.pool, async (tx) => {
    await q.lockEventSync(tx, eventId);
    const event = await eventById(tx, eventId);
    if (!event?.zoom) return outcome;
    const now = deps.now();
    const people = await zoomPeople(tx, eventId);
    const live = event.status === 'published';
    const seated = (p: ZoomPerson | undefined) => Boolean(p && p.status === 'confirmed' && !p.erased);
    for (const p of people) {
      if (live && seated(p)) {
        await q.markPending(tx, { registrationId: p.id, eventId, zoomId: event.zoom.id, now });
      }
    }
    const fresh = new Map((await q.zoomRegistrantsOfEvent(tx, eventId)).map((r) => [r.registrationId, r]));
    const byId = new Map(people.map((p) => [p.id, p]));

    const toCancel = [...fresh.values()].filter(
      (r) =>
        r.state === 'registered' &&
        r.registrantId &&
        r.zoomId === event.zoom!.id &&
        (!live || !seated(byId.get(r.registrationId))),
    );
    const due = (r: q.ZoomRegistrantRecord) => !r.nextAttemptAt || r.nextAttemptAt <= now;
    const toReinstate = [...fresh.values()].filter(
      (r) =>
        live &&
        r.state === 'cancelled' &&
        r.registrantId &&
        r.joinUrl &&
        r.zoomId === event.zoom!.id &&
        seated(byId.get(r.registrationId)) &&
        due(r),
    );

    try {
      const run: SyncRun = { tx, client, event, people: byId, now };
      outcome.cancelled = await cancelOnZoom(run, toCancel);
      outcome.reinstated = await reinstateOnZoom(run, toReinstate);
      // Whoever Zoom would not take back is now a fresh pending row: read the rows again only then.
      const rows =
        outcome.reinstated < toReinstate.length
          ? new Map((await q.zoomRegistrantsOfEvent(tx, eventId)).map((r) => [r.registrationId, r]))
          : fresh;
      const toRegister = people.filter((p) => {
        const r = rows.get(p.id);
        return live && seated(p) && r?.state === 'pending' && !r.joinUrl && due(r);
      });
      const done = await registerOnZoom(tx, client, event, toRegister, now);
      outcome.registered = done.registered;
      outcome.failed = done.failed;
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      outcome.retryAt = err.at;
      await enqueue(
        tx,
        queues.zoomSync,
        { eventId },
        { startAfter: err.at, singletonKey: `event-${eventId}` },
      );
      log.warn({ eventId, retryAt: err.at }, 'Zoom asked us to wait; registrants sync later');
    }
    // Rows not yet due wait for their own time.
    const waiting = [...(await q.zoomRegistrantsOfEvent(tx, eventId))].filter(
      (r) => r.state === 'pending' && r.nextAttemptAt && r.nextAttemptAt > now,
    );
    if (!outcome.retryAt && waiting.length) {
      const at = new Date(Math.min(...waiting.map((r) => r.nextAttemptAt!.getTime())));
      await enqueue(tx, queues.zoomSync, { eventId }, { startAfter: at, singletonKey: `event-${eventId}` });
    }
    return outcome;
  });
}

/** Thrown inside a run when Zoom said "later": the rows are marked, the run stops. */
class RetryLater extends Error {
  constructor(readonly at: Date) {
    super('retry later');
  }
}

/** Records a Zoom refusal on the rows: permanent (failed) or retryable (RetryLater). */
async function refused(
  tx: Queryable,
  err: unknown,
  ids: number[],
  attempts: number,
  now: Date,
): Promise<void> {
  if (err instanceof ZoomError && !err.retryable) {
    await q.markFailed(tx, ids, err.message, now);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  const retryAfter = err instanceof ZoomError ? err.retryAfterSeconds : undefined;
  const at = new Date(now.getTime() + retryDelaySeconds(attempts, retryAfter) * 1000);
  await q.markRetry(tx, ids, at, message, now);
  throw new RetryLater(at);
}

function zoomPerson(p: ZoomPerson): ZoomApiPerson {
  return { email: p.email, firstName: p.givenName, lastName: p.familyName };
}

async function registerOnZoom(
  tx: Queryable,
  client: ZoomClient,
  event: EventRecord,
  people: ZoomPerson[],
  now: Date,
): Promise<{ registered: number; failed: number }> {
  const { kind, id } = event.zoom!;
  const attemptsOf = async (ids: number[]) =>
    Math.max(
      0,
      ...(await q.zoomRegistrantsOfEvent(tx, event.id))
        .filter((r) => ids.includes(r.registrationId))
        .map((r) => r.attempts),
    );
  let registered = 0;
  let failed = 0;
  if (people.length === 1) {
    const p = people[0]!;
    try {
      const r = await client.addRegistrant(kind, id, zoomPerson(p));
      await q.markRegistered(tx, {
        registrationId: p.id,
        registrantId: r.registrantId,
        joinUrl: r.joinUrl,
        now,
      });
      return { registered: 1, failed: 0 };
    } catch (err) {
      await refused(tx, err, [p.id], await attemptsOf([p.id]), now);
      return { registered: 0, failed: 1 };
    }
  }
  for (let i = 0; i < people.length; i += BATCH_LIMIT) {
    const batch = people.slice(i, i + BATCH_LIMIT);
    const ids = batch.map((p) => p.id);
    let answers;
    try {
      answers = await client.addRegistrants(kind, id, batch.map(zoomPerson));
    } catch (err) {
      await refused(tx, err, ids, await attemptsOf(ids), now);
      failed += batch.length;
      continue;
    }
    const byEmail = new Map(answers.map((a) => [a.email.toLowerCase(), a]));
    const missing: number[] = [];
    for (const p of batch) {
      const a = byEmail.get(p.email.toLowerCase());
      if (a?.joinUrl) {
        await q.markRegistered(tx, {
          registrationId: p.id,
          registrantId: a.registrantId,
          joinUrl: a.joinUrl,
          now,
        });
        registered++;
      } else missing.push(p.id);
    }
    if (missing.length) {
      await q.markFailed(tx, missing, 'Zoom did not return a join URL for this address', now);
      failed += missing.length;
    }
  }
  return { registered, failed };
}

/** What the status changes of one sync run share. */
interface SyncRun {
  tx: Queryable;
  client: ZoomClient;
  event: EventRecord;
  people: Map<number, ZoomPerson>;
  now: Date;
}

const idsOf = (rows: q.ZoomRegistrantRecord[]) => rows.map((r) => r.registrationId);

/**
 * Changes registrants' status on Zoom (`approve` or `cancel`, with their registrant id and e-mail) in
 * batches of thirty. Each batch Zoom accepted is recorded by `accepted`, each it refused for good by
 * `refusedForGood`; a retryable refusal stops the run (RetryLater). Returns how many Zoom accepted.
 */
async function changeStatusOnZoom(
  run: SyncRun,
  action: 'approve' | 'cancel',
  rows: q.ZoomRegistrantRecord[],
  record: {
    accepted(batch: q.ZoomRegistrantRecord[]): Promise<void>;
    refusedForGood(batch: q.ZoomRegistrantRecord[]): Promise<void>;
  },
): Promise<number> {
  const { kind, id } = run.event.zoom!;
  let done = 0;
  for (let i = 0; i < rows.length; i += BATCH_LIMIT) {
    const batch = rows.slice(i, i + BATCH_LIMIT);
    // An erased registrant's address is gone: Zoom's registrant id names them alone.
    const who = batch.map((r) => {
      const person = run.people.get(r.registrationId);
      return person?.email && !person.erased
        ? { id: r.registrantId!, email: person.email }
        : { id: r.registrantId! };
    });
    try {
      await run.client.registrantStatus(kind, id, action, who);
    } catch (err) {
      if (err instanceof ZoomError && !err.retryable) {
        log.warn({ eventId: run.event.id, action, err: err.message }, 'Zoom refused a status change');
        await record.refusedForGood(batch);
        continue;
      }
      await refused(run.tx, err, idsOf(batch), Math.max(0, ...batch.map((r) => r.attempts)), run.now);
    }
    await record.accepted(batch);
    done += batch.length;
  }
  return done;
}

/**
 * Admits again on Zoom registrants whose Zoom registration was cancelled and who are confirmed once more
 * (`approve`): they keep their registrant id and join URL, which their earlier mails carry. When Zoom
 * will not take someone back (a permanent refusal), their row starts afresh and they are registered anew.
 */
function reinstateOnZoom(run: SyncRun, rows: q.ZoomRegistrantRecord[]): Promise<number> {
  return changeStatusOnZoom(run, 'approve', rows, {
    async accepted(batch) {
      for (const r of batch) {
        const again = {
          registrationId: r.registrationId,
          registrantId: r.registrantId!,
          joinUrl: r.joinUrl!,
        };
        await q.markRegistered(run.tx, { ...again, now: run.now });
      }
    },
    refusedForGood: (batch) => q.markUnregistered(run.tx, idsOf(batch), run.now),
  });
}

/** Cancels on Zoom those who are no longer confirmed; a permanent refusal leaves them cancelled here too. */
function cancelOnZoom(run: SyncRun, rows: q.ZoomRegistrantRecord[]): Promise<number> {
  const cancel = async (batch: q.ZoomRegistrantRecord[]) => {
    await q.markCancelled(run.tx, idsOf(batch), run.now);
    // Zoom's id of an erased registrant is kept only until Zoom has cancelled them.
    await q.forgetRegistrantIds(
      run.tx,
      idsOf(batch).filter((i) => run.people.get(i)?.erased),
    );
  };
  return changeStatusOnZoom(run, 'cancel', rows, { accepted: cancel, refusedForGood: cancel });
}
