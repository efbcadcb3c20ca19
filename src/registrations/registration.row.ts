import type { Affiliation } from './registrations.schemas';

/**
 * The one shape of a registration outside SQL, and the one mapper to it. Every query in this folder that
 * reads whole registrations selects `registrationColumns` from `registrations r` and maps with
 * `toRegistration`, so the list, the exports, the detail page, mail delivery and the personal links all
 * see the same fields under the same names.
 */

/**
 * `pending`: received at an event with approval, awaiting the organisers' decision, holding no seat;
 * `declined`: the organisers said no. (Mail rows have states of their own, named apart: see src/outbox.)
 */
export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'cancelled' | 'pending' | 'declined';

/** Statuses of registrations that are still someone's live request or place (not cancelled, not declined). */
export const liveStatuses: readonly RegistrationStatus[] = ['confirmed', 'waitlisted', 'pending'];

/** Every status, in the order lists and filters show them. */
export const registrationStatuses: readonly RegistrationStatus[] = [
  'pending',
  'confirmed',
  'waitlisted',
  'declined',
  'cancelled',
];

/** What a personal link opens: the meeting, the manage page, or the one-click unsubscribe. */
export type LinkPurpose = 'join' | 'manage' | 'unsubscribe';

/** What the registrant's calendar holds since the last invite we sent them. */
export interface InviteSnapshot {
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  startsAt: string;
  endsAt: string;
  title: { en?: string; ja?: string };
  meetingUrl: string | null;
}

/** A registration as every other module sees it: lists, exports, the detail page, mails and links. */
export interface Registration {
  id: number;
  eventId: number;
  status: RegistrationStatus;
  email: string;
  familyName: string;
  givenName: string;
  familyNameKana: string | null;
  givenNameKana: string | null;
  organisation: string | null;
  affiliation: Affiliation;
  country: string;
  locale: 'en' | 'ja';
  interpretation: 'en' | 'ja';
  answers: Record<string, string | string[]>;
  inviteRevision: number;
  inviteSent: InviteSnapshot | null;
  createdAt: Date;
  cancelledAt: Date | null;
  promotedAt: Date | null;
  firstJoinedAt: Date | null;
  lastJoinedAt: Date | null;
  joinClicks: number;
  /** Minutes present on Zoom (report, CSV or webhooks), when Zoom said anything about them. */
  minutesAttended: number | null;
  /**
   * Whether they attended: at least the event's attendanceMinutes on Zoom when the event has Zoom data,
   * else a join-link click between 30 minutes before the start and the end.
   */
  attended: boolean;
  /** When they stopped reminders, the follow-up and messages (List-Unsubscribe), if they did. */
  unsubscribedAt: Date | null;
  /** The organisers' reason for declining, in the languages they gave (declined registrations only). */
  declineReason: { en?: string; ja?: string } | null;
  /** When the organisers approved or declined it (events with approval only). */
  decidedAt: Date | null;
  /** When their personal data was erased (retention period or their request); lists say "Erased". */
  erasedAt: Date | null;
}

/** A `registrations` row as `registrationColumns` selects it (SQL stays snake_case). */
export interface RegistrationRow {
  id: string;
  event_id: string;
  status: RegistrationStatus;
  email: string;
  family_name: string;
  given_name: string;
  family_name_kana: string | null;
  given_name_kana: string | null;
  organisation: string | null;
  affiliation: Affiliation;
  country: string;
  locale: 'en' | 'ja';
  interpretation: 'en' | 'ja';
  answers: Record<string, string | string[]>;
  invite_revision: number;
  invite_sent: InviteSnapshot | null;
  created_at: Date;
  cancelled_at: Date | null;
  promoted_at: Date | null;
  first_joined_at: Date | null;
  last_joined_at: Date | null;
  join_clicks: number;
  unsubscribed_at: Date | null;
  erased_at: Date | null;
  minutes_attended: number | null;
  attended: boolean;
  decline_reason: { en?: string; ja?: string } | null;
  decided_at: Date | null;
}

/**
 * Minutes on Zoom of registration `r`: the report's (or its CSV's) total, else the sum of the stays
 * the webhooks recorded. Reads `zoom_registrants` and `zoom_presence` (owned by src/zoom).
 */
export const minutesAttendedSql = `COALESCE(
  (SELECT zr.minutes FROM zoom_registrants zr WHERE zr.registration_id = r.id),
  (SELECT floor(sum(extract(epoch FROM (p.left_at - p.joined_at))) / 60)::int
     FROM zoom_presence p WHERE p.registration_id = r.id AND p.left_at IS NOT NULL))`;

/** Whether registration `r` attended (see Registration.attended). */
export const attendedSql = `(CASE
  WHEN EXISTS (SELECT 1 FROM zoom_registrants zr WHERE zr.event_id = r.event_id AND zr.minutes IS NOT NULL)
    OR EXISTS (SELECT 1 FROM zoom_presence p WHERE p.event_id = r.event_id)
  THEN COALESCE(${minutesAttendedSql}, 0) >= (SELECT e.attendance_minutes FROM events e WHERE e.id = r.event_id)
  ELSE r.window_joined_at IS NOT NULL OR EXISTS (
    SELECT 1 FROM events e WHERE e.id = r.event_id
       AND (r.first_joined_at BETWEEN e.starts_at - interval '30 minutes' AND e.ends_at
         OR r.last_joined_at BETWEEN e.starts_at - interval '30 minutes' AND e.ends_at)) END)`;

/** The columns every query reading whole registrations selects from `registrations r`. */
export const registrationColumns = `r.id, r.event_id, r.status, r.email, r.family_name, r.given_name,
  r.family_name_kana, r.given_name_kana, r.organisation, r.affiliation, r.country, r.locale, r.interpretation,
  r.answers, r.invite_revision, r.invite_sent, r.created_at, r.cancelled_at, r.promoted_at, r.first_joined_at,
  r.last_joined_at, r.join_clicks, r.unsubscribed_at, r.decline_reason, r.decided_at, r.erased_at,
  ${minutesAttendedSql} AS minutes_attended,
  ${attendedSql} AS attended`;

/** The columns of what the registrant gave and their status, as every reader of a row maps them. */
type RegistrantColumns = Pick<
  RegistrationRow,
  | 'status'
  | 'email'
  | 'family_name'
  | 'given_name'
  | 'family_name_kana'
  | 'given_name_kana'
  | 'organisation'
  | 'affiliation'
  | 'country'
  | 'locale'
  | 'interpretation'
  | 'answers'
  | 'created_at'
  | 'first_joined_at'
>;

/** What the registrant gave, their status and their first join, from a row (the full one or an export's). */
export function registrantFields(r: RegistrantColumns) {
  return {
    status: r.status,
    email: r.email,
    familyName: r.family_name,
    givenName: r.given_name,
    familyNameKana: r.family_name_kana,
    givenNameKana: r.given_name_kana,
    organisation: r.organisation,
    affiliation: r.affiliation,
    country: r.country,
    locale: r.locale,
    interpretation: r.interpretation,
    answers: r.answers,
    createdAt: r.created_at,
    firstJoinedAt: r.first_joined_at,
  };
}

/** A selected row as the rest of the product sees it. */
export function toRegistration(r: RegistrationRow): Registration {
  return {
    ...registrantFields(r),
    id: Number(r.id),
    eventId: Number(r.event_id),
    inviteRevision: r.invite_revision,
    inviteSent: r.invite_sent,
    cancelledAt: r.cancelled_at,
    promotedAt: r.promoted_at,
    lastJoinedAt: r.last_joined_at,
    joinClicks: r.join_clicks,
    minutesAttended: r.minutes_attended,
    attended: r.attended,
    unsubscribedAt: r.unsubscribed_at,
    declineReason: r.decline_reason,
    decidedAt: r.decided_at,
    erasedAt: r.erased_at,
  };
}
