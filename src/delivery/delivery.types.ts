import type pg from 'pg';
import type Mail from 'nodemailer/lib/mailer';
import type { Config } from '../config';
import type { Language } from '../i18n';
import type { OutgoingMail } from '../outbox';
import type { InviteSnapshot } from '../registrations';
import type { SendGate } from './send-gate';
import type { MailTransport } from './transport';

/** How temporary failures are retried: doubling delays up to a ceiling, for a number of attempts. */
export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
  maxAttempts: number;
}

/** What delivering a mail needs; `leaseSeconds` is how long a claimed mail is its worker's alone. */
export interface DeliveryDeps {
  pool: pg.Pool;
  transport: MailTransport;
  config: Config;
  now: () => Date;
  policy: RetryPolicy;
  leaseSeconds?: number;
  /** The worker's: mails enter the transport through it, their leases renewed while they wait. */
  gate?: SendGate;
}

/**
 * What one delivery did. 'busy': another mail to the registrant goes first; this one stays due. 'taken_over': the lease ran out before the outcome could be recorded, and another
 * worker had claimed the mail meanwhile; the outcome that counts is theirs.
 */
export type DeliveryOutcome =
  | 'sent'
  | 'skipped'
  | 'retracted'
  | 'retry'
  | 'failed'
  | 'not_due'
  | 'busy'
  | 'waiting_for_zoom'
  | 'taken_over'
  | 'given_back';

/** A mail claimed under a lease, rendered and composed: all that is left is to hand it to the server. */
export interface ClaimedMail {
  /** The row as claimed; its `attempts` is the claim's stamp. */
  mail: OutgoingMail;
  message: Mail.Options;
  subject: string;
  /** The language it is written in, recorded with it. */
  locale: Language;
  /** The instant it was prepared at (its Date header, its tokens' creation). */
  at: Date;
  /** What the registrant's calendar holds once it is delivered. */
  invite?: { registrationId: number; snapshot: InviteSnapshot };
}
