import { Router } from 'express';
import type pg from 'pg';
import { checkAccent, darkerShade, servedImage } from '../branding';

/**
 * The organiser profile's public files: logo and cover images, and the accent colour as a style sheet.
 * Both are named by their content (an image's hash, the colour itself), so they never change under
 * their address and may be cached for a year. They set no cookies and come before the session.
 */

const yearLong = 'public, max-age=31536000, immutable';

export function brandingRoutes(pool: pg.Pool): Router {
  const router = Router();

  // GET /branding/images/<id>-<hash>.<png|jpg|svg|mail.png>
  router.get('/branding/images/:file', async (req, res) => {
    const image = await servedImage(pool, String(req.params.file));
    res.set({
      'Content-Type': image.contentType,
      'Cache-Control': yearLong,
      'X-Content-Type-Options': 'nosniff',
      // Mail clients show the logo from their own origin.
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    // An SVG opened on its own is a document: nothing in it may run or load, whatever slipped through
    // the upload's checks (a regular-expression filter, not a parser); `sandbox` also gives it an opaque
    // origin, so even a script that ran could reach nothing of this site.
    if (image.svg)
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.send(image.data);
  });

  // GET /branding/accent-<rrggbb>.css: the accent as the pages' custom properties. A style sheet
  // rather than an inline style, so the pages' Content-Security-Policy stays `style-src 'self'`.
  router.get('/branding/accent-:hex.css', (req, res, next) => {
    const hex = String(req.params.hex);
    const check = /^[0-9a-f]{6}$/.test(hex) ? checkAccent(`#${hex}`) : undefined;
    if (!check?.ok) return next();
    res
      .set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': yearLong })
      .send(`:root{--accent:${check.colour};--accent-dark:${darkerShade(check.colour)};}\n`);
  });

  return router;
}
