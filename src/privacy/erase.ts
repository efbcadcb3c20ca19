import type { Queryable } from '../db/pool';
import { scrubAuditEntries, type PersonalValues } from '../audit';
import { scrubMails } from '../outbox';
import { eraseRegistrationRows, type Registration } from '../registrations';
import { scrubZoomData } from '../zoom';

/**
 * Erasing registrations' personal data across every table that holds it, in the caller's transaction:
 * the registration rows and their links (src/registrations), their mails (src/outbox), the audit
 * entries about them (src/audit) and their Zoom rows (src/zoom). The mails' `.eml` files are removed
 * by the caller after commit, from the ids returned.
 */

/** What one erasure did. */
export interface ErasureCounts {
  registrations: number;
  mails: number;
  /** Mails not yet sent that will not be sent now. */
  cancelledMails: number;
  auditEntries: number;
  /** The scrubbed mails, whose files go after commit. */
  mailIds: number[];
}

/**
 * The personal values of registrations, to find them in free text (audit details): each
 * registration's names, kana, organisation and text answers, and the address asked about.
 */
export function personalValues(regs: readonly Registration[], email: string | null): PersonalValues {
  const byRegistration = new Map<number, string[]>();
  for (const r of regs) {
    const out = [r.email, r.familyName, r.givenName];
    for (const v of [r.familyNameKana, r.givenNameKana, r.organisation]) if (v) out.push(v);
    for (const a of Object.values(r.answers)) if (!Array.isArray(a)) out.push(a);
    byRegistration.set(r.id, out);
  }
  return { byRegistration, everywhere: email ? [email] : [] };
}

/**
 * Erases these registrations (and, with `email`, whatever else names that address: mails, audit
 * entries, Zoom stays). With `cancelOnZoom`, Zoom's registrant id stays until the sync has cancelled
 * them there; otherwise it goes at once.
 */
export async function eraseRegistrations(
  tx: Queryable,
  regs: readonly Registration[],
  opts: { email: string | null; now: Date; cancelOnZoom: boolean },
): Promise<ErasureCounts> {
  const ids = regs.map((r) => r.id);
  const mails = await scrubMails(tx, ids, opts.email);
  const auditEntries = await scrubAuditEntries(tx, ids, opts.email, personalValues(regs, opts.email));
  await scrubZoomData(tx, ids, opts.email, opts.cancelOnZoom);
  const registrations = await eraseRegistrationRows(tx, ids, opts.now);
  return {
    registrations,
    mails: mails.mailIds.length,
    cancelledMails: mails.cancelled,
    auditEntries,
    mailIds: mails.mailIds,
  };
}
