import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { paths } from '../paths';
import type { MailKind } from '../outbox';
import type { RenderInput, RenderedMail } from './mail.types';
import { mailView, type MailView } from './render-model';

/**
 * Turns one mail (kind, recipient, event, links) into its subject, HTML and plain-text parts, in the
 * recipient's language. Pure and synchronous: no database, no clock; the sender decides who gets what
 * links, this module decides how it reads.
 *
 * Templates: views/mail/<kind>.html.ejs and views/mail/<kind>.text.ejs, built from the partials in
 * views/mail/partials/ (*.html.ejs for HTML, *.text.ejs for text).
 */
export const mailViewsDir = paths.mailViews;

type Part = 'html' | 'text';

/**
 * The text part is plain text, not HTML: `<%= %>` must print "R&D <b>" as it is. EJS takes the escape
 * function at compile time and hands it to every include, so an HTML template and its partials always
 * escape for HTML and a text template and its partials never do.
 */
const escapes: Record<Part, (value: unknown) => string> = {
  html: ejs.escapeXML,
  text: (value) => (value === undefined || value === null ? '' : String(value)),
};

/** The names templates use: the MailView's fields, plus `s` (a section) and `first` in partials. */
const templateLocals = [
  'kind',
  'lang',
  'subject',
  'preheader',
  'st',
  'sections',
  'brand',
  'followsBelow',
  's',
  'first',
];

const compiled = new Map<string, ejs.TemplateFunction>();

/**
 * The compiled template for a kind and part, compiled on first use. Includes go through EJS's own
 * cache (keyed by file name; HTML and text partials are different files, so their escaping never
 * mixes), so each template file is read and compiled once per process.
 */
function template(kind: MailKind, part: Part): ejs.TemplateFunction {
  const filename = path.join(mailViewsDir, `${kind}.${part}.ejs`);
  let fn = compiled.get(filename);
  if (!fn) {
    fn = ejs.compile(fs.readFileSync(filename, 'utf8'), {
      filename,
      // Includes are named from the mail views' folder ('/partials/…'): resolved by name, without a
      // look at the disk for every include of every mail.
      root: mailViewsDir,
      cache: true,
      escape: escapes[part],
      // Strict mode: a misspelt name in a template throws here instead of printing "undefined".
      strict: true,
      destructuredLocals: templateLocals,
    }) as ejs.TemplateFunction;
    compiled.set(filename, fn);
  }
  return fn;
}

/**
 * Text templates are written for people to read, not for whitespace control: trailing spaces go, runs
 * of blank lines become one, and the part ends with a single newline.
 */
function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** Subjects are one line; a stray newline in a title must not reach the header. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Renders a mail in `input.lang` (and, when the event says so, in the other language below it).
 * Throws when a template is missing or broken: a mail that cannot be rendered must not be sent half-made.
 */
export function renderMail(input: RenderInput): RenderedMail {
  const view: MailView = mailView(input);
  return {
    subject: oneLine(view.subject),
    html: String(template(input.kind, 'html')(view)),
    text: tidyText(String(template(input.kind, 'text')(view))),
  };
}
