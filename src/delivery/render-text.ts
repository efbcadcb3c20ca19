/**
 * Pure text helpers for the mails that carry an organiser's words or a countdown (event.reminder,
 * event.follow_up, event.message): how much time is left, in a form i18next can pluralise, and the
 * organiser's plain text cut into paragraphs, lines and web links for the templates to print.
 */

/** A translation key under mail:event.reminder.startsIn and the count it pluralises on. */
export interface TimeLeft {
  key: 'days' | 'hours' | 'minutes' | 'soon';
  count?: number;
}

const minutesPerHour = 60;
const minutesPerDay = 24 * minutesPerHour;

/**
 * Rounds to the nearest whole number, a tie going down: a reminder must never promise more time than
 * there is, so 90 minutes reads "in 1 hour" (the registrant is early), not "in 2 hours" (late).
 */
function nearestTieDown(x: number): number {
  return Math.ceil(x - 0.5);
}

/**
 * The time left before the start, humanised: whole days from a day on, else whole hours from an hour
 * on, else minutes; "soon" when unknown or already due. Minutes are rounded first, so 59.7 minutes is
 * "in 1 hour", not "in 60 minutes".
 */
export function timeLeft(minutesBefore: number | undefined): TimeLeft {
  if (minutesBefore === undefined || !Number.isFinite(minutesBefore)) return { key: 'soon' };
  const minutes = nearestTieDown(minutesBefore);
  if (minutes <= 0) return { key: 'soon' };
  if (minutes >= minutesPerDay) return { key: 'days', count: nearestTieDown(minutes / minutesPerDay) };
  if (minutes >= minutesPerHour) return { key: 'hours', count: nearestTieDown(minutes / minutesPerHour) };
  return { key: 'minutes', count: minutes };
}

/** A run of a line: plain text, or a web address to link (its text is the address as written). */
export interface TextPiece {
  text: string;
  href?: string;
}

/** One paragraph of an organiser's text: as written (text part) and as linked lines (HTML part). */
export interface Paragraph {
  text: string;
  lines: TextPiece[][];
}

/**
 * A web address in running text: http(s) followed by printable ASCII other than `"`, `<` and `>`. ASCII
 * only, because Japanese prose often runs straight on after an address ("…/slidesからご覧ください").
 * The quote and brackets can never be part of a link, so a link can never leave its attribute, and
 * nothing but http(s) is ever linked (no `javascript:`).
 */
const webAddress = /https?:\/\/[!#-;=?-~]+/gi;

/** Punctuation that ends a sentence rather than an address ("see https://x.example/a."). */
const trailing = /[.,;:!?'*]$/;

/** Drops trailing sentence punctuation and a closing bracket that has no opening one in the address. */
function trimAddress(url: string): string {
  let out = url;
  for (;;) {
    if (trailing.test(out)) out = out.slice(0, -1);
    else if (out.endsWith(')') && out.split('(').length < out.split(')').length) out = out.slice(0, -1);
    else return out;
  }
}

/**
 * One line cut into text and links. The pieces hold the raw text: the template escapes each one on
 * output (`<%= %>`), the link's href included, so no organiser text is ever printed unescaped.
 */
export function linkPieces(line: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const match of line.matchAll(webAddress)) {
    const url = trimAddress(match[0]);
    // "https://" alone, or followed only by punctuation, is not an address.
    if (!/^https?:\/\/[a-z0-9]/i.test(url)) continue;
    const start = match.index;
    if (start > at) pieces.push({ text: line.slice(at, start) });
    pieces.push({ text: url, href: url });
    at = start + url.length;
  }
  if (at < line.length) pieces.push({ text: line.slice(at) });
  return pieces;
}

/**
 * An organiser's plain text as paragraphs: split on blank lines, each kept line by line (single line
 * breaks are meant: addresses, lists), trailing spaces and empty paragraphs dropped.
 */
export function paragraphs(text: string): Paragraph[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t\u3000]*\n/)
    .map((block) =>
      block
        .split('\n')
        .map((line) => line.replace(/\s+$/, ''))
        // Blank lines split paragraphs, so an empty line here can only open or close the text.
        .filter((line) => line !== ''),
    )
    .filter((lines) => lines.length > 0)
    .map((lines) => ({ text: lines.join('\n'), lines: lines.map(linkPieces) }));
}
