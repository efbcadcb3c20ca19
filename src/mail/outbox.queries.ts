import type { Queryable } from '../db/pool';

/** What kind of mail a row is; the delivery worker picks the template by it. */
export type MailKind =
  'registration.confirmed' | 'registration.waitlisted' | 'registration.already_registered';

/** A mail to send, recorded in the transaction of the change that caused it. */
export interface MailToQueue {
  kind: MailKind;
  eventId: number;
  registrationId: number;
  recipient: string;
  locale: 'en' | 'ja';
  /** Secrets the mail must carry that are stored nowhere else; wiped once the mail is delivered. */
  payload?: Record<string, string>;
  at: Date;
}

/** Inserts one pending mail and returns its id. */
export async function insertOutgoingMail(db: Queryable, m: MailToQueue): Promise<number> {
  const res = await db.query<{ id: string }>(
    `INSERT INTO outgoing_mails (kind, event_id, registration_id, recipient, locale, payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [m.kind, m.eventId, m.registrationId, m.recipient, m.locale, JSON.stringify(m.payload ?? {}), m.at],
  );
  return Number(res.rows[0]!.id);
}
