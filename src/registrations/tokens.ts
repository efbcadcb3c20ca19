import type { LinkPurpose } from './registration.row';
import crypto from 'node:crypto';
import type { Queryable } from '../db/pool';
import { insertLinkTokenRows, type LinkTokenRow } from './delivery.queries';

/**
 * Secret links (join, manage): 256 random bits, base64url, of which only the SHA-256 is stored. A
 * database leak therefore reveals no working link. Every mail gets fresh tokens and older ones keep
 * working, so no mail's links ever go stale.
 */
export function newToken(): { token: string; hash: Buffer } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** The stored form of a token. */
export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

/** Whether a string could be one of our tokens at all (43 base64url characters). */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** Creates a link token for a registration, stores its hash, and returns the token itself. */
export async function mintLinkToken(
  db: Queryable,
  t: { registrationId: number; purpose: LinkPurpose; mailId: number | null; at: Date },
): Promise<string> {
  const batch = new LinkTokenBatch();
  const { [t.purpose]: token } = batch.mint({ ...t, purposes: [t.purpose] });
  await batch.save(db);
  return token;
}

/**
 * The link tokens of a batch of mails, minted as each mail is prepared and stored together by `save`,
 * in one statement, inside the transaction that claims the mails (before it commits).
 */
export class LinkTokenBatch {
  private readonly rows: LinkTokenRow[] = [];

  /** New tokens for one mail to a registration, one per purpose, by purpose; stored at `save`. */
  mint<P extends LinkPurpose>(t: {
    registrationId: number;
    purposes: readonly P[];
    mailId: number | null;
    at: Date;
  }): Record<P, string> {
    const tokens = {} as Record<P, string>;
    for (const purpose of t.purposes) {
      const { token, hash } = newToken();
      tokens[purpose] = token;
      this.rows.push({ hash, registrationId: t.registrationId, purpose, mailId: t.mailId, at: t.at });
    }
    return tokens;
  }

  /** Stores every token minted so far. */
  async save(db: Queryable): Promise<void> {
    await insertLinkTokenRows(db, this.rows.splice(0));
  }
}
