import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../errors';
import { hasRefusedCharacters } from '../text';

/**
 * Reading request bodies and paths under the input policy (src/text). Every form and JSON body goes
 * through formBody/jsonBody, which refuse a body that is not UTF-8: body-parser would otherwise store
 * invalid bytes as U+FFFD (JSON) or keep the raw `%FF` text (a form value it cannot decode), and
 * neither is what the person typed. The refusal is a 400 with a localized message (error-handler.ts).
 */

/** The error type the error handler answers with `invalid_input` and errors:invalidEncoding. */
export const invalidUtf8Type = 'encoding.invalid_utf8';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function refuseUnlessUtf8(bytes: Uint8Array): void {
  try {
    utf8.decode(bytes);
  } catch {
    throw Object.assign(new Error('body is not valid UTF-8'), { status: 400, type: invalidUtf8Type });
  }
}

const hex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** A urlencoded body with its %XX escapes turned into the bytes they stand for (other text as is). */
function percentDecoded(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x25 && i + 2 < body.length && hex(body[i + 1]!) && hex(body[i + 2]!)) {
      out[n++] = parseInt(body.toString('latin1', i + 1, i + 3), 16);
      i += 2;
    } else out[n++] = body[i]!;
  }
  return out.subarray(0, n);
}

/** express.urlencoded (flat: a string, or an array when a key repeats) that refuses non-UTF-8 values. */
export function formBody(opts: { limit: string; parameterLimit: number }) {
  return express.urlencoded({
    extended: false,
    ...opts,
    verify: (_req, _res, buf) => {
      refuseUnlessUtf8(buf);
      refuseUnlessUtf8(percentDecoded(buf));
    },
  });
}

/** express.json that refuses a body that is not UTF-8. */
export function jsonBody(opts: { limit: string; type: string[] }) {
  return express.json({ ...opts, verify: (_req, _res, buf) => refuseUnlessUtf8(buf) });
}

/**
 * 404 for a path holding a character the input policy refuses (`/events/a%00b`): no route, slug or
 * token contains one, so nothing is there, and the value never reaches the database.
 */
export function refuseHostilePaths(req: Request, _res: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(); // a malformed escape: Express answers 400 when a route decodes it
  }
  if (hasRefusedCharacters(path)) return next(new DomainError('not_found', 'errors:notFound'));
  next();
}
