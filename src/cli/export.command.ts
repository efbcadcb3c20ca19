import { once } from 'node:events';
import fs from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { DomainError } from '../errors';
import { eventBySlug } from '../events';
import { isLanguage, tFor, type Language } from '../i18n';
import {
  exportRegistrations,
  isExportFormat,
  parseRegistrationFilters,
  registrationFilterNames,
  type ExportFormat,
  recordRegistrationExport,
} from '../registrations';

/**
 * `npm run cli -- export --event SLUG --format csv|excel-csv|xlsx|json [--out FILE] [--lang en|ja]
 * [filters]`: the organiser's export from the command line. Data goes to FILE or stdout; everything
 * meant for the person (progress, summary, problems) goes to stderr in --lang, so stdout stays clean
 * for a pipe.
 */

const filterFlags = registrationFilterNames;

const options = {
  event: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  lang: { type: 'string' },
  ...Object.fromEntries(filterFlags.map((f) => [f, { type: 'string' }])),
} as const;

/** `[#####.....] 51,234 / 100,000`: a ten-step bar and the counts. */
export function progressLine(done: number, total: number): string {
  const filled = total ? Math.min(10, Math.floor((done / total) * 10)) : 10;
  const n = (v: number) => v.toLocaleString('en-US');
  return `[${'#'.repeat(filled)}${'.'.repeat(10 - filled)}] ${n(done)} / ${n(total)}`;
}

/** Redraws the progress bar on a terminal at most every 100 ms, and always at the end. */
function progressBar(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    process.stderr.write(`\r${progressLine(done, total)}`);
  };
}

/**
 * The output stream, and how to finish or abandon it. A file is written under a temporary name and
 * renamed once complete, so a failed export never leaves a file that looks whole.
 */
function openOutput(file: string | undefined): {
  out: Writable;
  commit(): Promise<void>;
  abandon(): void;
} {
  if (!file) {
    // Ending the export's stream must not end process.stdout, so the data goes through a pass-through;
    // its 'end' means every byte was handed to stdout, before the CLI may exit.
    const out = new PassThrough();
    out.pipe(process.stdout, { end: false });
    const drained = once(out, 'end');
    return { out, commit: async () => void (await drained), abandon: () => out.destroy() };
  }
  const partial = `${file}.part`;
  const out = fs.createWriteStream(partial);
  return {
    out,
    commit: async () => fs.renameSync(partial, file),
    abandon: () => {
      out.destroy();
      fs.rmSync(partial, { force: true });
    },
  };
}

type ExportArgs =
  | { problem: string; lang: Language }
  | {
      problem?: undefined;
      lang: Language;
      slug: string;
      format: ExportFormat;
      file: string | undefined;
      filterInput: Record<string, unknown>;
    };

/** Reads the flags: either the request, or the locale key of the problem with them. */
function readArgs(args: string[]): ExportArgs {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch {
    return { problem: 'exports:cli.usage', lang: 'en' };
  }
  const lang: Language = isLanguage(values.lang) ? values.lang : 'en';
  if (values.lang !== undefined && !isLanguage(values.lang)) return { problem: 'exports:cli.badLang', lang };
  if (!values.event) return { problem: 'exports:cli.usage', lang };
  if (!isExportFormat(values.format)) return { problem: 'exports:cli.badFormat', lang };
  const filterInput = Object.fromEntries(filterFlags.map((f) => [f, values[f]]));
  return { lang, slug: values.event, format: values.format, file: values.out, filterInput };
}

/** Prints a filter problem: the heading, then each flag with what is wrong with it. */
function explainFilters(err: DomainError, lang: Language): string {
  const t = tFor(lang);
  const lines = [t(err.i18nKey, { defaultValue: t('exports:cli.invalidFilters') })];
  for (const [field, key] of Object.entries(err.fields)) lines.push(`  --${field}: ${t(key)}`);
  return lines.join('\n');
}

/**
 * Runs the export command with the CLI's arguments after `export`. Returns the exit code: 0 done,
 * 1 unknown event, invalid filters or a failed export, 2 unusable arguments.
 */
export async function runExportCommand(db: { pool: pg.Pool }, args: string[]): Promise<number> {
  const req = readArgs(args);
  const t = tFor(req.lang);
  if (req.problem !== undefined) {
    console.error(t(req.problem));
    if (req.problem !== 'exports:cli.usage') console.error(t('exports:cli.usage'));
    return 2;
  }
  let filters;
  try {
    filters = parseRegistrationFilters(req.filterInput);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    console.error(explainFilters(err, req.lang));
    return 1;
  }
  const event = await eventBySlug(db.pool, req.slug);
  if (!event) {
    console.error(t('errors:noEventWithSlug', { slug: req.slug }));
    return 1;
  }
  const output = openOutput(req.file);
  const onProgress = progressBar();
  let count: number;
  try {
    count = await exportRegistrations(db.pool, event, filters, req.format, req.lang, output.out, {
      onProgress,
    });
    await output.commit();
  } catch (err) {
    output.abandon();
    if (onProgress) process.stderr.write('\n');
    console.error(t('exports:cli.failed', { message: (err as Error).message }));
    return 1;
  }
  if (onProgress) process.stderr.write('\n');
  await recordRegistrationExport(
    db.pool,
    { eventId: event.id, format: req.format, filters, rows: count },
    { now: new Date(), actor: 'cli', userId: null },
  );
  console.error(t('exports:cli.done', { count, target: req.file ?? t('exports:cli.stdout') }));
  return 0;
}
