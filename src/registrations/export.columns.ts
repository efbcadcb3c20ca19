import { pickText, type EventRecord, type Question } from '../events';
import { tFor, type Language } from '../i18n';
import { isoInZone, wallClockMs, zoneAbbreviation } from '../time';
import type { ExportRegistration } from './export.queries';
import { affiliations } from './registrations.schemas';

/**
 * What an export holds, decided once per export: the columns in their fixed order, their headers in
 * the organiser's language, and how one registration becomes a spreadsheet row (localized labels) or a
 * JSON record (stable codes). The file formats (export.formats.ts) only lay these out.
 */

/** One column: its header in the export language and a width for spreadsheets (in characters). */
export interface ExportColumn {
  header: string;
  width: number;
}

/**
 * One cell before a file format lays it out: a text exactly as entered (each format makes it safe in its
 * own way), a number, an instant (a Date; each format writes it for its readers) or nothing.
 */
export type ExportCell = string | number | Date | null;

/** The export's shape for one event and language. */
export interface ExportLayout {
  /** The event's slug: the worksheet's name. */
  sheetName: string;
  /** The event's IANA zone: spreadsheets show instants as wall-clock time there. */
  zone: string;
  columns: ExportColumn[];
  /** A row for csv/xlsx: labels in the export language; texts raw, instants as Dates, the id a number. */
  cells(r: ExportRegistration): ExportCell[];
  /** A record for JSON: codes, camelCase keys, instants in the event's zone; nothing neutralised. */
  record(r: ExportRegistration): Record<string, unknown>;
}

/**
 * CSV injection (OWASP): a spreadsheet runs a CSV field beginning with = + - @ (or a tab or CR before
 * one) as a formula, so such a text gets a leading single quote. Full-width ＝＋－＠ too, which Japanese
 * Excel also reads as formula starters. This changes the data on purpose: an e-mail "-x@y" or a
 * phone-like organisation "+81 3…" comes back as "'-x@y" / "'+81 3…". Only CSV needs it: an XLSX cell
 * is typed as a string, which no spreadsheet evaluates, and JSON is for programs; both keep the value.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r＝＋－＠]/u.test(text) ? `'${text}` : text;
}

/**
 * An instant as ISO 8601 in the event's zone with its offset, to the second (2026-12-01T09:30:00+09:00);
 * '' for none. Milliseconds are dropped: nobody reads them and a spreadsheet column cuts them off.
 */
export function zonedIso(at: Date | null, zone: string): string {
  if (!at) return '';
  return isoInZone(new Date(Math.floor(at.getTime() / 1000) * 1000), zone);
}

/** An instant as Excel reads a date-time typed into a CSV: "2026-12-01 09:30" in the event's zone. */
export function zonedMinute(at: Date, zone: string): string {
  return new Date(wallClockMs(at, zone)).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The zone as a column header names it: its abbreviation when it has one all year (JST, KST), else
 * the IANA name (Europe/Zurich), since CET and CEST would each be wrong for half of the rows.
 */
export function zoneHeaderName(zone: string): string {
  const winter = zoneAbbreviation(new Date(Date.UTC(2026, 0, 15)), zone);
  const summer = zoneAbbreviation(new Date(Date.UTC(2026, 6, 15)), zone);
  return winter === summer ? winter : zone;
}

function labelIn(texts: { en?: string; ja?: string }, lang: Language, fallback: string): string {
  return pickText(texts, lang)?.text ?? fallback;
}

/**
 * How one question's answers read to the organiser: option labels in `lang` for choices, several joined
 * with "; ". The labels are looked up once per export, not once per row.
 */
function answerText(q: Question, lang: Language): (answer: string | string[] | undefined) => string {
  const labels = new Map(q.options.map((o) => [o.value, labelIn(o.label, lang, o.value)]));
  const one = (v: string) => (q.type === 'text' ? v : (labels.get(v) ?? v));
  return (answer) => {
    if (answer === undefined) return '';
    if (!Array.isArray(answer)) return one(answer);
    return answer.map(one).join('; ');
  };
}

const fixedBefore = [
  ['id', 8],
  ['registeredAt', 20],
  ['status', 16],
  ['familyName', 16],
  ['givenName', 16],
  ['familyNameKana', 18],
  ['givenNameKana', 18],
  ['email', 32],
  ['organisation', 30],
  ['affiliation', 28],
  ['country', 10],
  ['locale', 14],
  ['interpretation', 14],
] as const;

/** The layout of an export of `event` in `lang`. */
export function exportLayout(event: EventRecord, lang: Language): ExportLayout {
  const t = tFor(lang);
  const zone = event.timezone;
  const questions = event.questions;
  // Labels looked up once, not once per cell: 100,000 rows × 4 lookups add up.
  const statusLabel = {
    confirmed: t('registrations:manage.statuses.confirmed'),
    waitlisted: t('registrations:manage.statuses.waitlisted'),
    cancelled: t('registrations:manage.statuses.cancelled'),
    pending: t('registrations:manage.statuses.pending'),
    declined: t('registrations:manage.statuses.declined'),
  };
  const affiliationLabel = new Map<string, string>(
    affiliations.map((a) => [a, t(`registrations:form.affiliations.${a}`)]),
  );
  const languageLabel = {
    en: t('registrations:form.languages.en'),
    ja: t('registrations:form.languages.ja'),
  };

  // Instants are shown in the event's zone, so their headers say which: "Registered at (JST)".
  const zoneName = zoneHeaderName(zone);
  const header = (key: string) =>
    key === 'registeredAt' || key === 'firstJoinedAt'
      ? t('exports:columns.zoned', { column: t(`exports:columns.${key}`), zone: zoneName })
      : t(`exports:columns.${key}`);
  const columns: ExportColumn[] = [
    ...fixedBefore.map(([key, width]) => ({ header: header(key), width })),
    ...questions.map((q) => ({ header: labelIn(q.label, lang, q.id), width: q.type === 'text' ? 40 : 24 })),
    { header: header('firstJoinedAt'), width: 20 },
    // Events on Zoom also show the minutes attended, beside the first join click.
    ...(event.zoom ? [{ header: t('zoom:exports.minutesAttended'), width: 14 }] : []),
  ];

  const text = (v: string | null) => v ?? '';
  const answers = questions.map((q) => ({ id: q.id, text: answerText(q, lang) }));
  return {
    sheetName: event.slug,
    zone,
    columns,
    cells: (r) => [
      r.id,
      r.createdAt,
      statusLabel[r.status] ?? r.status,
      text(r.familyName),
      text(r.givenName),
      text(r.familyNameKana),
      text(r.givenNameKana),
      text(r.email),
      text(r.organisation),
      affiliationLabel.get(r.affiliation) ?? text(r.affiliation),
      text(r.country),
      languageLabel[r.locale] ?? r.locale,
      languageLabel[r.interpretation] ?? r.interpretation,
      ...answers.map((a) => a.text(r.answers[a.id])),
      r.firstJoinedAt,
      ...(event.zoom ? [r.minutesAttended ?? null] : []),
    ],
    record: (r) => ({
      id: r.id,
      registeredAt: zonedIso(r.createdAt, zone),
      status: r.status,
      familyName: r.familyName,
      givenName: r.givenName,
      familyNameKana: r.familyNameKana,
      givenNameKana: r.givenNameKana,
      email: r.email,
      organisation: r.organisation,
      affiliation: r.affiliation,
      country: r.country,
      locale: r.locale,
      interpretation: r.interpretation,
      answers: r.answers,
      firstJoinedAt: r.firstJoinedAt ? zonedIso(r.firstJoinedAt, zone) : null,
      // Events on Zoom also say who attended and for how long; other records stay as they were.
      ...(event.zoom ? { attended: r.attended, minutesAttended: r.minutesAttended } : {}),
    }),
  };
}
