import { z } from 'zod';
import type { Language } from '../i18n';
import { hasRefusedCharacters, normaliseEmail, normaliseText } from '../text';

/**
 * A contact list as organisers keep it, read into plain contacts. Pure: bytes or cells in, rows out.
 * CSV comes in UTF-8 (with or without a BOM) or Shift_JIS, the encoding Japanese Excel saves CSV in;
 * the header row names the columns in English or Japanese, in any order.
 */

/** One row of a contact list as read, before any rule about the event applies. */
export interface ContactRow {
  /** The row's number in the file (the header is row 1), or its position in an API array (from 1). */
  line: number;
  email: string;
  familyName: string;
  givenName: string;
  organisation: string;
  /** The language column as written ('' when the list has none). */
  language: string;
}

/** The columns a contact list may have. */
export type ContactColumn = 'email' | 'familyName' | 'givenName' | 'organisation' | 'language';

/** Header names, as organisers write them, after lower-casing and removing spaces, `_` and `-`. */
const headerNames: Record<string, ContactColumn> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  メール: 'email',
  メールアドレス: 'email',
  eメール: 'email',
  familyname: 'familyName',
  lastname: 'familyName',
  surname: 'familyName',
  姓: 'familyName',
  苗字: 'familyName',
  givenname: 'givenName',
  firstname: 'givenName',
  名: 'givenName',
  名前: 'givenName',
  organisation: 'organisation',
  organization: 'organisation',
  affiliation: 'organisation',
  company: 'organisation',
  所属: 'organisation',
  組織: 'organisation',
  会社: 'organisation',
  所属組織: 'organisation',
  language: 'language',
  lang: 'language',
  言語: 'language',
};

/** The column a header cell names, if any. */
export function columnOf(header: string): ContactColumn | undefined {
  const key = header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');
  return headerNames[key];
}

/** The most rows one list may hold: a contact list, not a mailing list. */
export const maxContacts = 2000;

/** Why a whole list cannot be read (as opposed to a row that is skipped). */
export type ListProblem = 'empty' | 'noEmailColumn' | 'tooMany';

/**
 * Rows of cells (the header first) as contact rows. The header decides which column is which;
 * unknown columns are ignored. Returns a problem instead when no row or no e-mail column is there.
 */
export function contactRows(cells: readonly string[][]): { rows: ContactRow[] } | { problem: ListProblem } {
  const [header, ...body] = cells;
  if (!header || !body.length) return { problem: 'empty' };
  if (body.length > maxContacts) return { problem: 'tooMany' };
  const index = new Map<ContactColumn, number>();
  header.forEach((h, i) => {
    const col = columnOf(h.replace(/^\uFEFF/, ''));
    if (col && !index.has(col)) index.set(col, i);
  });
  if (!index.has('email')) return { problem: 'noEmailColumn' };
  const cell = (r: readonly string[], c: ContactColumn) => {
    const i = index.get(c);
    return i === undefined ? '' : (r[i] ?? '').trim();
  };
  return {
    rows: body.map((r, i) => ({
      line: i + 2,
      email: cell(r, 'email'),
      familyName: cell(r, 'familyName'),
      givenName: cell(r, 'givenName'),
      organisation: cell(r, 'organisation'),
      language: cell(r, 'language'),
    })),
  };
}

/** The language a language cell names: en/ja, English/日本語, 英語/Japanese… ; undefined otherwise. */
export function languageOf(value: string): Language | undefined {
  const v = value.normalize('NFKC').trim().toLowerCase();
  if (['en', 'eng', 'english', '英語', 'えいご'].includes(v)) return 'en';
  if (['ja', 'jp', 'jpn', 'japanese', '日本語', 'にほんご'].includes(v)) return 'ja';
  return undefined;
}

const emailSchema = z.email();
const maxName = 100;
const maxOrganisation = 200;

/** A contact row checked on its own: its normalised values, or why it cannot be used. */
export function checkedContact(
  row: ContactRow,
):
  | { ok: true; email: string; familyName: string; givenName: string; organisation: string }
  | { ok: false; reason: 'badAddress' | 'badText' } {
  const email = normaliseEmail(row.email).trim();
  const texts = [row.familyName, row.givenName, row.organisation];
  if (!emailSchema.safeParse(email).success || email.length > 254) return { ok: false, reason: 'badAddress' };
  const tooLong =
    row.familyName.length > maxName ||
    row.givenName.length > maxName ||
    row.organisation.length > maxOrganisation;
  if (tooLong || texts.some((t) => hasRefusedCharacters(t))) return { ok: false, reason: 'badText' };
  return {
    ok: true,
    email,
    familyName: normaliseText(row.familyName),
    givenName: normaliseText(row.givenName),
    organisation: normaliseText(row.organisation),
  };
}
