import { prepared, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { maxOffsetMinutes } from '../time';
import type { EventInput } from './events.schemas';
import type { ImageRef } from '../branding';
import { toTerms } from './terms.queries';
import type {
  EventBranding,
  EventRecord,
  FollowUp,
  InstallationBranding,
  Material,
  Question,
  Texts,
} from './events.types';

/** Named queries for events. Rows become camelCase EventRecords here (and RegistrationTerms in terms.queries.ts) and nowhere else. */

const columns = `id, slug, status, title, summary, description, programme, organisers, starts_at, ends_at,
  timezone, display_timezones, registration_opens_at, registration_closes_at, capacity, waitlist,
  meeting_url, meeting_passcode, contact_email, questions, reminders, materials, follow_up, bilingual_mail, revision, created_at,
  updated_at, zoom_kind, zoom_id, attendance_minutes, approval, retention_days, anonymised_at, embed_origins,
  brand_organisation, brand_accent, brand_logo, brand_cover,
  (SELECT jsonb_build_object('organisation', organisation, 'accent', accent, 'logo', logo)
     FROM installation_branding) AS installation_branding`;

/** The event reads of a registration and of the event page, prepared once per connection. */
const bySlug = prepared('events.by_slug', `SELECT ${columns} FROM events WHERE slug = $1`);
const byIdLocked = prepared(
  'events.by_id_locked',
  `SELECT ${columns} FROM events WHERE id = $1 FOR NO KEY UPDATE`,
);

/** An events row as `columns` selects it; toEvent maps it to an EventRecord. */
export interface EventRow {
  id: string;
  slug: string;
  status: EventRecord['status'];
  title: Texts;
  summary: Texts;
  description: Texts;
  programme: Texts;
  organisers: Texts;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  display_timezones: string[];
  registration_opens_at: Date | null;
  registration_closes_at: Date | null;
  capacity: number | null;
  waitlist: boolean;
  approval: boolean;
  meeting_url: string | null;
  meeting_passcode: string | null;
  contact_email: string | null;
  questions: Question[];
  reminders: string[];
  materials: Material[];
  follow_up: FollowUp | null;
  bilingual_mail: boolean;
  revision: number;
  created_at: Date;
  updated_at: Date;
  zoom_kind: 'webinar' | 'meeting' | null;
  zoom_id: string | null;
  attendance_minutes: number;
  retention_days: number;
  anonymised_at: Date | null;
  embed_origins: string[];
  brand_organisation: Texts;
  brand_accent: string | null;
  brand_logo: ImageRef | null;
  brand_cover: ImageRef | null;
  installation_branding: InstallationBranding | null;
}

export function toEvent(r: EventRow): EventRecord {
  // Added to the object toTerms makes rather than spread into a new one.
  return Object.assign(toTerms(r), {
    title: r.title,
    summary: r.summary,
    description: r.description,
    programme: r.programme,
    organisers: r.organisers,
    endsAt: r.ends_at,
    timezone: r.timezone,
    meetingUrl: r.meeting_url,
    meetingPasscode: r.meeting_passcode,
    contactEmail: r.contact_email,
    questions: r.questions,
    reminders: r.reminders,
    materials: r.materials,
    followUp: r.follow_up,
    bilingualMail: r.bilingual_mail,
    attendanceMinutes: r.attendance_minutes,
    retentionDays: r.retention_days,
    anonymisedAt: r.anonymised_at,
    embedOrigins: r.embed_origins,
    branding: {
      organisation: r.brand_organisation,
      accent: r.brand_accent,
      logo: r.brand_logo,
      cover: r.brand_cover,
    },
    installationBranding: r.installation_branding ?? { organisation: {}, accent: null, logo: null },
    revision: r.revision,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

function params(e: EventInput) {
  return [
    e.slug,
    e.status,
    JSON.stringify(e.title),
    JSON.stringify(e.summary),
    JSON.stringify(e.description),
    JSON.stringify(e.programme),
    JSON.stringify(e.organisers),
    e.startsAt,
    e.endsAt,
    e.timezone,
    e.displayTimezones,
    e.registrationOpensAt,
    e.registrationClosesAt,
    e.capacity,
    e.waitlist,
    e.meetingUrl,
    e.meetingPasscode,
    e.contactEmail,
    JSON.stringify(e.questions),
    e.reminders,
    JSON.stringify(e.materials),
    e.bilingualMail,
    e.followUp && JSON.stringify(e.followUp),
    e.zoom?.kind ?? null,
    e.zoom?.id ?? null,
    e.attendanceMinutes,
    e.approval,
    e.retentionDays,
    e.embedOrigins,
    JSON.stringify(e.branding.organisation),
    e.branding.accent,
  ];
}

/** The event with this slug, whatever its status. */
export async function eventBySlug(db: Queryable, slug: string): Promise<EventRecord | undefined> {
  const res = await db.query<EventRow>(bySlug([slug]));
  return res.rows[0] && toEvent(res.rows[0]);
}

/** The event with this id, whatever its status. */
export async function eventById(db: Queryable, id: number): Promise<EventRecord | undefined> {
  const res = await db.query<EventRow>(`SELECT ${columns} FROM events WHERE id = $1`, [id]);
  return res.rows[0] && toEvent(res.rows[0]);
}

/** Published events that have not ended yet, soonest first. */
export async function upcomingPublishedEvents(db: Queryable, now: Date): Promise<EventRecord[]> {
  const res = await db.query<EventRow>(
    `SELECT ${columns} FROM events WHERE status = 'published' AND ends_at > $1 ORDER BY starts_at, id`,
    [now],
  );
  return res.rows.map(toEvent);
}

/**
 * Events an account may see in the workspace, newest start first: every event when `userId` is null
 * (admins), otherwise those it owns or was added to. Their registration counts come from
 * `src/registrations` (`eventSummaries`).
 */
export async function visibleEvents(db: Queryable, userId: number | null): Promise<EventRecord[]> {
  const res = await db.query<EventRow>(
    `SELECT ${columns}
     FROM events
     WHERE $1::bigint IS NULL OR owner_id = $1
        OR id IN (SELECT event_id FROM event_members WHERE user_id = $1)
     ORDER BY starts_at DESC, id DESC`,
    [userId],
  );
  return res.rows.map(toEvent);
}

/** Whether a slug is taken. */
export async function slugTaken(db: Queryable, slug: string): Promise<boolean> {
  const res = await db.query<{ yes: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM events WHERE slug = $1) AS yes',
    [slug],
  );
  return res.rows[0]!.yes;
}

/** How many events exist at all. */
export async function eventCount(db: Queryable): Promise<number> {
  const res = await db.query<{ n: string }>('SELECT count(*) AS n FROM events');
  return Number(res.rows[0]?.n ?? 0);
}

/** Inserts a new event from validated input. */
export async function insertEvent(
  db: Queryable,
  e: EventInput,
  now: Date,
  ownerId: number | null = null,
): Promise<EventRecord> {
  const res = await db.query<EventRow>(
    `INSERT INTO events (slug, status, title, summary, description, programme, organisers, starts_at, ends_at,
       timezone, display_timezones, registration_opens_at, registration_closes_at, capacity, waitlist,
       meeting_url, meeting_passcode, contact_email, questions, reminders, materials, bilingual_mail, follow_up,
       zoom_kind, zoom_id, attendance_minutes, approval, retention_days, embed_origins, brand_organisation,
       brand_accent, created_at, updated_at, owner_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
       $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $32, $33)
     RETURNING ${columns}`,
    [...params(e), now, ownerId],
  );
  return toEvent(res.rows[0]!);
}

/** Replaces every field of the event with this slug, and sets its revision. */
export async function updateEvent(
  db: Queryable,
  e: EventInput,
  revision: number,
  now: Date,
): Promise<EventRecord> {
  const res = await db.query<EventRow>(
    `UPDATE events SET status = $2, title = $3, summary = $4, description = $5, programme = $6, organisers = $7,
       starts_at = $8, ends_at = $9, timezone = $10, display_timezones = $11, registration_opens_at = $12,
       registration_closes_at = $13, capacity = $14, waitlist = $15, meeting_url = $16, meeting_passcode = $17,
       contact_email = $18, questions = $19, reminders = $20, materials = $21, bilingual_mail = $22,
       follow_up = $23, zoom_kind = $24, zoom_id = $25, attendance_minutes = $26, approval = $27,
       retention_days = $28, embed_origins = $29, brand_organisation = $30, brand_accent = $31, revision = $32,
       updated_at = $33
     WHERE slug = $1
     RETURNING ${columns}`,
    [...params(e), revision, now],
  );
  return toEvent(res.rows[0]!);
}

/**
 * Locks the event row for the rest of the transaction and returns it fresh. Every seat decision for
 * one event passes through this lock, so capacity can never be oversold. NO KEY UPDATE, because it must
 * not wait for the key-share locks that rows referring to the event take (a mail being delivered holds
 * one while it talks to the mail server).
 */
export async function lockedEvent(db: Queryable, id: number): Promise<EventRecord> {
  const res = await db.query<EventRow>(byIdLocked([id]));
  if (!res.rows[0]) throw new DomainError('not_found', 'errors:notFound');
  return toEvent(res.rows[0]);
}

/** A value from app_state, or undefined. */
export async function appStateValue(db: Queryable, key: string): Promise<unknown> {
  const res = await db.query<{ value: unknown }>('SELECT value FROM app_state WHERE key = $1', [key]);
  return res.rows[0]?.value;
}

/** Sets a value in app_state. */
export async function setAppState(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO app_state (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

/** Replaces the event's own branding (organisation name, accent, logo, cover); returns the event. */
export async function setEventBranding(
  db: Queryable,
  id: number,
  b: EventBranding,
  now: Date,
): Promise<EventRecord> {
  const res = await db.query<EventRow>(
    `UPDATE events SET brand_organisation = $2, brand_accent = $3, brand_logo = $4, brand_cover = $5,
       updated_at = $6
     WHERE id = $1
     RETURNING ${columns}`,
    [
      id,
      JSON.stringify(b.organisation),
      b.accent,
      b.logo && JSON.stringify(b.logo),
      b.cover && JSON.stringify(b.cover),
      now,
    ],
  );
  if (!res.rows[0]) throw new DomainError('not_found', 'errors:notFound');
  return toEvent(res.rows[0]);
}

/** Serialises writers of one slug for the rest of the transaction (two imports of a new slug at once). */
export async function lockSlug(db: Queryable, slug: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`event:${slug}`]);
}

/** Takes a transaction-scoped advisory lock, so one process at a time runs a start-up task. */
export async function lockForTask(db: Queryable, lockId: number): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [lockId]);
}

/**
 * Published events that may have a reminder or follow-up due: starting within the longest reminder
 * offset, or ended within the longest follow-up delay plus its sending window.
 */
export async function eventsWithMailsDue(db: Queryable, now: Date): Promise<EventRecord[]> {
  const res = await db.query<EventRow>(
    `SELECT ${columns} FROM events
      WHERE status = 'published'
        AND ((starts_at > $1 AND starts_at <= $1 + make_interval(mins => $2) AND cardinality(reminders) > 0)
          OR (follow_up IS NOT NULL AND ends_at <= $1 AND ends_at > $1 - make_interval(mins => $2, days => 31)))
      ORDER BY starts_at, id`,
    [now, maxOffsetMinutes],
  );
  return res.rows.map(toEvent);
}

/** The newest event linked to this Zoom webinar or meeting id (webhooks name Zoom's id only). */
export async function eventByZoomId(db: Queryable, zoomId: string): Promise<EventRecord | undefined> {
  const res = await db.query<EventRow>(
    `SELECT ${columns} FROM events WHERE zoom_id = $1 ORDER BY starts_at DESC, id DESC LIMIT 1`,
    [zoomId],
  );
  return res.rows[0] && toEvent(res.rows[0]);
}

/**
 * Events linked to Zoom that have not ended at `now`, published or cancelled (a cancelled one may still
 * have registrants to cancel on Zoom): the periodic re-sync looks at each.
 */
export async function zoomEventsNotEnded(db: Queryable, now: Date): Promise<{ id: number }[]> {
  const res = await db.query<{ id: string }>(
    `SELECT id FROM events
      WHERE status IN ('published', 'cancelled') AND zoom_id IS NOT NULL AND ends_at > $1
      ORDER BY id`,
    [now],
  );
  return res.rows.map((r) => ({ id: Number(r.id) }));
}

/** Published events linked to Zoom that ended between `from` and `to`: their reports are due. */
export async function zoomEventsEndedBetween(db: Queryable, from: Date, to: Date): Promise<EventRecord[]> {
  const res = await db.query<EventRow>(
    `SELECT ${columns} FROM events
      WHERE status = 'published' AND zoom_id IS NOT NULL AND ends_at > $1 AND ends_at <= $2
      ORDER BY ends_at, id`,
    [from, to],
  );
  return res.rows.map(toEvent);
}

/**
 * Events whose registrants' personal data is due for anonymisation at `now`: a retention period set
 * (not 0), its end that many days ago, and not yet anonymised.
 */
export async function eventsDueForAnonymisation(db: Queryable, now: Date): Promise<EventRecord[]> {
  const res = await db.query<EventRow>(
    `SELECT ${columns} FROM events
      WHERE retention_days > 0 AND anonymised_at IS NULL
        AND ends_at + make_interval(days => retention_days) <= $1
      ORDER BY ends_at, id`,
    [now],
  );
  return res.rows.map(toEvent);
}

/** Records that the event's registrations were anonymised; false when another run did it first. */
export async function markEventAnonymised(db: Queryable, id: number, now: Date): Promise<boolean> {
  const res = await db.query('UPDATE events SET anonymised_at = $2 WHERE id = $1 AND anonymised_at IS NULL', [
    id,
    now,
  ]);
  return (res.rowCount ?? 0) > 0;
}
