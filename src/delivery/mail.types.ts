import type { EventRecord, Material, Texts } from '../events/events.types';
import type { Language } from '../i18n';
import type { MailKind } from '../outbox';

/** The registrant a mail is addressed to, as the templates see them. */
export interface MailRecipient {
  familyName: string;
  givenName: string;
  email: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled' | 'pending' | 'declined';
  /** The organisers' reason, for registration.declined. */
  declineReason?: { en?: string; ja?: string } | null;
  /** The interpretation language they chose. */
  interpretation: Language;
  /** Their mail language. */
  locale: Language;
}

/** Absolute links a mail may carry. Personal links are minted per mail; absent when not allowed. */
export interface MailLinks {
  /** The public event page. */
  eventPage: string;
  /** Personal join link (/join/<token>): confirmed registrants of a published event only. */
  join?: string;
  /** The registrant's own Zoom join URL, when the event has a Zoom webinar and Zoom gave one. */
  zoomJoin?: string;
  /** Personal manage/cancel page (/manage/<token>). */
  manage?: string;
  /** Personal one-click unsubscribe page (/unsubscribe/<token>): optional and invitation kinds only. */
  unsubscribe?: string;
  /** Invitations: the invitee's personal link to the registration form, filled in with their details. */
  invitation?: string;
}

/** event.reminder: how long before the start the mail goes out (the time left, not the setting). */
export interface ReminderFacts {
  minutesBefore: number;
}

/** event.follow_up: the organiser's text for the registrant's version, and the follow-up's material links. */
export interface FollowUpFacts {
  /** Whether the registrant used their join link (the "thank you for joining" version). */
  attended: boolean;
  text: Texts;
  materials: Material[];
}

/** event.message: the organiser's message, in both languages. */
export interface MessageFacts {
  subject: Texts;
  body: Texts;
}

/** What changed since the registrant's calendar last heard from us (event.updated only). */
export interface InviteChanges {
  /** Which facts changed: the time (start or end), the title, the meeting link. */
  fields: ('time' | 'title' | 'meetingUrl')[];
  /** The previous start and end, when the time changed. */
  previousStartsAt?: Date;
  previousEndsAt?: Date;
  /** The previous title in the mail language, when the title changed. */
  previousTitle?: string;
}

/** Everything a mail template needs: plain data, no database. */
export interface RenderInput {
  kind: MailKind;
  /** The recipient's mail language; with event.bilingualMail the other language follows below. */
  lang: Language;
  event: EventRecord;
  registration: MailRecipient;
  links: MailLinks;
  changes?: InviteChanges;
  reminder?: ReminderFacts;
  followUp?: FollowUpFacts;
  message?: MessageFacts;
}

/** A rendered mail. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}
