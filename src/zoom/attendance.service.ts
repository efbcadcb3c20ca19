import type pg from 'pg';
import { withTransaction } from '../db/pool';
import { DomainError } from '../errors';
import { parseCsv } from '../text';
import { eventById, type EventRecord } from '../events';
import { zoomPeople } from '../registrations';
import { zoomProblem } from './link.service';
import type { ZoomDeps } from './sync.service';
import * as q from './zoom.queries';

/**
 * Attendance from Zoom after the event: the participant report through the API (the `zoom-report` job
 * and the workspace's button) or the report's CSV from Zoom's web portal (for accounts without API
 * access). Each registrant's stays are added up and stored as minutes; who could not be matched to a
 * registration is summarised.
 */

/** One stay (or a report line) before matching. */
interface Stay {
  registrantId: string | null;
  email: string | null;
  seconds: number;
}

/** What an import or pull found. */
export interface AttendanceOutcome {
  /** Registrations given minutes. */
  matched: number;
  /** Report lines no registration matched: their e-mail (or name), once each. */
  unmatched: string[];
}

/** Adds the stays up per registration (by Zoom registrant id, else e-mail) and stores the minutes. */
async function storeStays(
  pool: pg.Pool,
  event: EventRecord,
  stays: (Stay & { label: string })[],
  now: Date,
): Promise<AttendanceOutcome> {
  return withTransaction(pool, async (tx) => {
    const people = await zoomPeople(tx, event.id);
    const rows = await q.zoomRegistrantsOfEvent(tx, event.id);
    const byRegistrant = new Map(
      rows.filter((r) => r.registrantId).map((r) => [r.registrantId!, r.registrationId]),
    );
    const byEmail = new Map<string, number>();
    for (const p of people) {
      const key = p.email.toLowerCase();
      if (!byEmail.has(key) || p.status === 'confirmed') byEmail.set(key, p.id);
    }
    const seconds = new Map<number, number>();
    const unmatched = new Set<string>();
    for (const s of stays) {
      const id =
        (s.registrantId && byRegistrant.get(s.registrantId)) ||
        (s.email && byEmail.get(s.email.toLowerCase()));
      if (!id) {
        if (s.label) unmatched.add(s.label);
        continue;
      }
      seconds.set(id, (seconds.get(id) ?? 0) + Math.max(0, s.seconds));
    }
    for (const [registrationId, total] of seconds) {
      const zoomId = event.zoom?.id ?? 'csv';
      await q.setMinutes(tx, {
        registrationId,
        eventId: event.id,
        zoomId,
        minutes: Math.floor(total / 60),
        now,
      });
    }
    return { matched: seconds.size, unmatched: [...unmatched] };
  });
}

/** Pulls the participant report of the event's Zoom webinar (every page) and stores the minutes. */
export async function pullZoomReport(deps: ZoomDeps, eventId: number): Promise<AttendanceOutcome> {
  const event = await eventById(deps.pool, eventId);
  if (!event?.zoom || !deps.zoom) throw new DomainError('zoom_not_configured', 'zoom:errors.notConfigured');
  let participants;
  try {
    participants = await deps.zoom.participants(event.zoom.kind, event.zoom.id);
  } catch (err) {
    zoomProblem(err);
  }
  const stays = participants.map((p) => ({
    registrantId: p.registrantId,
    email: p.email,
    seconds: p.durationSeconds,
    label: p.email ?? p.name ?? '',
  }));
  return storeStays(deps.pool, event, stays, deps.now());
}

/** Header names (lower case, spaces squeezed) of the columns we read, in English and Japanese. */
const columnNames = {
  email: ['user email', 'email', 'e-mail', 'ユーザーメール', 'メール', 'メールアドレス', 'ユーザーのメール'],
  join: ['join time', '参加時刻', '参加時間', '入室時間', '入室時刻'],
  leave: ['leave time', '退出時刻', '退出時間', '退室時間', '退室時刻'],
  duration: [
    'duration (minutes)',
    'duration (mins)',
    'duration',
    '期間（分）',
    '期間 (分)',
    '時間（分）',
    '参加時間（分）',
    '期間',
  ],
};

const norm = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');

/** The index of each column we read in a header row; undefined unless e-mail and duration are there. */
function findColumns(header: string[]) {
  const names = header.map(norm);
  const find = (list: string[]) => names.findIndex((n) => list.includes(n));
  const cols = {
    email: find(columnNames.email),
    join: find(columnNames.join),
    leave: find(columnNames.leave),
    duration: find(columnNames.duration),
  };
  return cols.email >= 0 && cols.duration >= 0 ? cols : undefined;
}

/**
 * Imports the participant report CSV that Zoom's web portal exports: the header row is found by its
 * column names (e-mail and duration in minutes, in English or Japanese, any case; a meeting summary may
 * come first), other columns are ignored, rows are matched by e-mail.
 */
export async function importZoomCsv(
  pool: pg.Pool,
  event: EventRecord,
  csvText: string,
  now: Date,
): Promise<AttendanceOutcome> {
  const rows = parseCsv(csvText);
  const headerAt = rows.findIndex((r) => findColumns(r));
  if (headerAt < 0)
    throw new DomainError(
      'validation_failed',
      'zoom:errors.csvColumns',
      {},
      { file: 'zoom:errors.csvColumns' },
    );
  const cols = findColumns(rows[headerAt]!)!;
  const stays = rows
    .slice(headerAt + 1)
    .filter((r) => r.some((c) => c.trim()))
    .map((r) => {
      const email = (r[cols.email] ?? '').trim() || null;
      const minutes = Number((r[cols.duration] ?? '').trim());
      return {
        registrantId: null,
        email,
        seconds: Number.isFinite(minutes) ? minutes * 60 : 0,
        label: email ?? '',
      };
    });
  return storeStays(pool, event, stays, now);
}
