import type { Affiliation } from './registrations.schemas';

/**
 * The one shape of a registration outside SQL, and the one mapper to it. Every query in this folder that
 * reads whole registrations selects `registrationColumns` from `registrations r` and maps with
 * `toRegistration`, so the list, the exports, the detail page, mail delivery and the personal links all
 * see the same fields under the same names.
 */

export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'cancelled';

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
  /** When they stopped reminders, the follow-up and messages (List-Unsubscribe), if they did. */
  unsubscribedAt: Date | null;
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
}

/** The columns every query reading whole registrations selects from `registrations r`. */
export const registrationColumns = `r.id, r.event_id, r.status, r.email, r.family_name, r.given_name,
  r.family_name_kana, r.given_name_kana, r.organisation, r.affiliation, r.country, r.locale, r.interpretation,
  r.answers, r.invite_revision, r.invite_sent, r.created_at, r.cancelled_at, r.promoted_at, r.first_joined_at,
  r.last_joined_at, r.join_clicks, r.unsubscribed_at`;

/** A selected row as the rest of the product sees it. */
export function toRegistration(r: RegistrationRow): Registration {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
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
    inviteRevision: r.invite_revision,
    inviteSent: r.invite_sent,
    createdAt: r.created_at,
    cancelledAt: r.cancelled_at,
    promotedAt: r.promoted_at,
    firstJoinedAt: r.first_joined_at,
    lastJoinedAt: r.last_joined_at,
    joinClicks: r.join_clicks,
    unsubscribedAt: r.unsubscribed_at,
  };
}
