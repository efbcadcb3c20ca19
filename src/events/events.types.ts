import type { ImageRef } from '../branding';
import type { Queryable } from '../db/pool';
import type { Texts } from '../i18n';
import type { MailRecipient } from '../outbox';

/** Text in each language; either may be missing (defined with pickText in i18n). */
export type { Texts };

/** Text that must exist in both languages (what organisers send to everyone). */
export type BilingualTexts = { en: string; ja: string };

export type EventStatus = 'draft' | 'published' | 'cancelled';

/** A custom question on the registration form. */
export interface Question {
  id: string;
  type: 'text' | 'single' | 'multiple';
  label: Texts;
  required: boolean;
  options: { value: string; label: Texts }[];
}

/** A link to seminar material (slides, a recording), titled in each language. */
export interface Material {
  title: Texts;
  url: string;
}

/**
 * The mail after the event, in two versions: for registrants who used their join link and for those who
 * did not. `after` is an ISO 8601 duration after the end.
 */
export interface FollowUp {
  after: string;
  attended: BilingualTexts;
  absent: BilingualTexts;
  materials: Material[];
}

/** The Zoom webinar or meeting an event is held on: its numeric id as Zoom prints it. */
export interface ZoomLink {
  kind: 'webinar' | 'meeting';
  id: string;
}

/** The installation's organiser profile: shown on every event that does not override it. */
export interface InstallationBranding {
  organisation: Texts;
  /** `#rrggbb` with at least 4.5:1 against white, or null for the site's own blue. */
  accent: string | null;
  logo: ImageRef | null;
}

/** An event's own branding: each part set overrides the installation's; the cover is the event's only. */
export interface EventBranding extends InstallationBranding {
  cover: ImageRef | null;
}

/** An event as the domain sees it: instants as Dates, text per language. */
export interface EventRecord {
  id: number;
  slug: string;
  status: EventStatus;
  title: Texts;
  summary: Texts;
  description: Texts;
  programme: Texts;
  organisers: Texts;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  displayTimezones: string[];
  registrationOpensAt: Date | null;
  registrationClosesAt: Date | null;
  capacity: number | null;
  waitlist: boolean;
  /** New registrations wait for the organisers' approval (`pending`, holding no seat). */
  approval: boolean;
  meetingUrl: string | null;
  meetingPasscode: string | null;
  contactEmail: string | null;
  questions: Question[];
  /** Offsets before the start, canonical ISO 8601 durations (P1D, PT1H, PT30M), longest first. */
  reminders: string[];
  materials: Material[];
  followUp: FollowUp | null;
  /** Mails to registrants carry both languages, theirs first. */
  bilingualMail: boolean;
  /** The linked Zoom webinar or meeting, whose registrants get their own join URL. */
  zoom: ZoomLink | null;
  /** Minutes present on Zoom that count as having attended (when Zoom data exists). */
  attendanceMinutes: number;
  /** Days after the end until the registrants' personal data is anonymised; 0 keeps it. */
  retentionDays: number;
  /** When the worker anonymised the registrations (retentionDays after the end), if it has. */
  anonymisedAt: Date | null;
  /** Origins whose pages may frame the compact `?embed=1` page (its Content-Security-Policy frame-ancestors). */
  embedOrigins: string[];
  /** The event's own organisation name, accent, logo and cover (see effectiveBranding). */
  branding: EventBranding;
  /** The installation's profile, read with the event so pages and mails can fall back to it. */
  installationBranding: InstallationBranding;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The registration statuses a save asks about: the people an event change may have to be told. */
export type LiveStatus = 'confirmed' | 'waitlisted' | 'pending';

/**
 * What saving an event needs to know about its registrants, asked inside the save's transaction.
 * `src/registrations` owns that table and implements this (`eventRegistrants`); it also locks and reads
 * events, so events cannot import it back. Whoever calls a save (the web app's context, the CLI, the
 * tests) hands the implementation in, as the last argument of each save command and `changeImpact`.
 */
export interface Registrants {
  /** Whether anyone ever registered for the event, cancelled registrations included. */
  any(db: Queryable, eventId: number): Promise<boolean>;
  /** How many of the event's registrations have one of `statuses`. */
  count(db: Queryable, eventId: number, statuses: readonly LiveStatus[]): Promise<number>;
  /** The event's registrants with one of `statuses`, by registration id: who an event mail goes to. */
  forMail(db: Queryable, eventId: number, statuses: readonly LiveStatus[]): Promise<MailRecipient[]>;
}
