import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
 * The headers a file download is sent with, wherever it is downloaded from. Always an attachment (a
 * PDF is never shown inline on our origin), its name in UTF-8 (filename*, so Japanese names arrive
 * intact; filename= is an ASCII stand-in for old clients), never sniffed, never cached anywhere but
 * the browser's memory, and no referrer (the download address may hold a registrant's token).
 */
export function fileDownloadHeaders(file: { filename: string }): Record<string, string> {
  return {
    'Content-Type': 'application/pdf',
    'Content-Disposition': attachmentDisposition(file.filename),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Runs a streaming writer into the response through a PassThrough: the session middleware wraps
 * res.end and drops its end(callback) form, which writers use to learn that the file is complete.
 * The pipe carries back-pressure, and breaks when the client goes away, so the writer stops (and its
 * database transaction ends) instead of waiting for a drain that never comes. `after` runs once every
 * byte is handed to the response but before it ends (the audit entry of an export), so whoever reads
 * the finished download also finds the record of it. If anything fails half-way, the response is
 * destroyed rather than ended: the client sees a failed download, not a truncated file that looks
 * complete. A failure before the first byte is thrown on, for the error handler to answer.
 */
export async function streamInto<T>(
  res: Response,
  run: (out: NodeJS.WritableStream) => Promise<T>,
  after?: (result: T) => Promise<void>,
): Promise<T> {
  const out = new PassThrough();
  const piped = pipeline(out, res, { end: false });
  piped.catch(() => undefined);
  try {
    const result = await run(out);
    await piped;
    if (after) await after(result);
    res.end();
    return result;
  } catch (err) {
    if (!res.headersSent) {
      // Nothing sent yet (the first query failed): no file has started, so the error handler can
      // still answer with a status and a message instead of a closed connection.
      out.unpipe(res);
      res.removeHeader('Content-Disposition');
      res.removeHeader('Content-Type');
      throw err;
    }
    out.destroy();
    res.destroy();
    throw err;
  }
}
