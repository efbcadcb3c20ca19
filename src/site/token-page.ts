import type { NextFunction, Request, Response } from 'express';

/**
 * Headers for pages whose address holds a secret token (join, manage, unsubscribe): the token never
 * leaks onward (no referrer), the page is never cached, and search engines leave it alone.
 */
export function tokenPage(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Robots-Tag': 'noindex, nofollow',
  });
  next();
}
