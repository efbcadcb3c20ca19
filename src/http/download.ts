import { PassThrough, pipeline } from 'node:stream';
import type { Response } from 'express';

/**
 * File downloads: one way to name the file (ASCII fallback plus RFC 5987 UTF-8, so Japanese names
 * survive) and one way to stream a long export into a response.
 */

/** `attachment; filename="…"; filename*=UTF-8''…` for any file name. */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const utf8 = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/**
 * Runs a streaming writer into the response through a PassThrough: the session middleware wraps
 * res.end and drops its end(callback) form, which writers use to learn that the file is complete.
 * pipeline() carries back-pressure, and destroys the PassThrough when the client goes away, so the
 * writer stops (and its database transaction ends) instead of waiting for a drain that never comes. If
 * the writer fails half-way, the response is destroyed rather than ended, so the client sees a failed
 * download instead of a truncated file that looks complete.
 */
export async function streamInto<T>(
  res: Response,
  run: (out: NodeJS.WritableStream) => Promise<T>,
): Promise<T> {
  const out = new PassThrough();
  pipeline(out, res, () => undefined);
  try {
    return await run(out);
  } catch (err) {
    out.destroy();
    res.destroy();
    throw err;
  }
}
