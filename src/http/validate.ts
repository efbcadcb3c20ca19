import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../errors';

/**
 * One way for every surface to read a request's input: `validate({ params, query, body })` parses the
 * parts it is given before the handler runs, and the handler reads the typed result with `.input(res)`.
 * Express 5's `req.query` is a getter that parses the query string again on every read, so the parsed
 * input is kept on `res.locals.input`, not written back to `req`.
 *
 * A part is checked by a zod schema, or by a parser function: the domains' own parsers
 * (`parseRegistrationFilters`, `parseMessageInput`…) already throw `validation_failed` with their
 * localized field errors, and the surfaces keep those answers word for word.
 */

/** A zod schema, or a function that returns the typed part or throws a DomainError. */
export type PartParser<T> = z.ZodType<T> | ((raw: unknown) => T);

type Parsed<P> = P extends z.ZodType<infer T> ? T : P extends (raw: unknown) => infer T ? T : never;

/** The parsers of a request's parts; a part without one is not read. */
export interface InputParsers {
  params?: PartParser<unknown>;
  query?: PartParser<unknown>;
  body?: PartParser<unknown>;
}

/** The parsed input of a request, by part. */
export type ParsedInput<S extends InputParsers> = { [K in keyof S]: Parsed<S[K]> };

/** A middleware that parses the input, and the accessor handlers read it with. */
export interface Validator<S extends InputParsers> {
  (req: Request, res: Response, next: NextFunction): void;
  /** The input this validator parsed for the current request. */
  input(res: Response): ParsedInput<S>;
}

/**
 * Parses params, query and body in that order (the first part that fails answers). A zod failure is
 * `validation_failed` with `message` (a locale key) and, per field, the issue's own locale key
 * (`validation:…`) or `validation:invalid`.
 */
export function validate<S extends InputParsers>(parsers: S, opts: { message?: string } = {}): Validator<S> {
  const message = opts.message ?? 'errors:badRequest';
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const input: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const parser = parsers[part];
      if (parser) input[part] = parsePart(parser, req[part], message);
    }
    res.locals.input = input;
    next();
  };
  return Object.assign(middleware, {
    input: (res: Response) => res.locals.input as ParsedInput<S>,
  });
}

function parsePart<T>(parser: PartParser<T>, raw: unknown, message: string): T {
  if (typeof parser === 'function') return parser(raw);
  const parsed = parser.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!field) continue;
    fields[field] ??= issue.message.startsWith('validation:') ? issue.message : 'validation:invalid';
  }
  throw new DomainError('validation_failed', message, {}, fields);
}

/** `:slug` in the address, as the routes name events. */
export const slugParams = z.object({ slug: z.string() });

/** A query or body as a plain record (Express gives `{}` when there is none). */
export const asRecord = (raw: unknown): Record<string, unknown> =>
  typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
