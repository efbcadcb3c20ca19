import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import { brandingRoutes } from './site/branding.routes';
import { adminRoutes } from './admin/admin.routes';
import { apiRoutes } from './api/api.routes';
import { refuseHostilePaths } from './http/body';
import { csrfToken } from './http/csrf';
import { errorHandler, notFound } from './http/error-handler';
import { healthRoutes } from './http/health';
import { languageMiddleware } from './http/language';
import type { AppContext } from './http/context';
import { paths } from './paths';
import { siteRoutes } from './site/site.routes';
import { ZoomClient } from './zoom-api';
import { phrases } from './text';

export type { AppContext } from './http/context';

/** Builds the Express app for one context. Never listens: main.ts and the tests do that. */
export function buildApp(given: AppContext): express.Express {
  // One Zoom client per app, so its token is fetched once and shared by every request.
  const zoom = given.zoom ?? (given.config.zoom ? new ZoomClient(given.config.zoom) : undefined);
  const ctx: AppContext = { ...given, zoom };
  const app = express();
  const secure = ctx.config.baseUrl.startsWith('https://');
  app.set('view engine', 'ejs');
  app.set('views', paths.views);
  // A hop count, not `true`: Express would otherwise believe the leftmost X-Forwarded-For entry,
  // which the client writes itself, and every per-address limit could be dodged.
  app.set('trust proxy', ctx.config.trustProxy);
  app.disable('x-powered-by');

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: secure ? [] : null,
        },
      },
      strictTransportSecurity: secure,
    }),
  );
  app.use(healthRoutes(ctx.pool));
  // Views break Japanese text between phrases: views/partials/phrased.ejs.
  app.locals.phrases = phrases;
  app.use('/assets', express.static(paths.public, { maxAge: '1h', index: false }));
  // Browsers and feed readers ask for /favicon.ico whatever the page links; answer rather than 404.
  app.get('/favicon.ico', (_req, res) => {
    res.type('image/x-icon').sendFile('img/favicon.ico', { root: paths.public, maxAge: '1d' });
  });
  // The embed script runs on organisers' own sites (src/site/embed.ts), so other origins may load it.
  app.get('/embed.js', (_req, res) => {
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    res.type('text/javascript').sendFile('embed.js', { root: paths.public, maxAge: '1h' });
  });
  app.use(brandingRoutes(ctx.pool));
  app.use(cookieParser());
  app.use(languageMiddleware(secure));
  app.use(refuseHostilePaths);
  // The API sets no cookies: it comes before the CSRF cookie and the workspace's sessions.
  app.use(apiRoutes(ctx));
  app.use(csrfToken(ctx.sessionSecret, secure));
  app.use((req, res, next) => {
    // Pages link to themselves (language switch, hreflang): one leading slash, so never `//host/…`.
    res.locals.path = `/${req.path.replace(/^\/+/, '')}`;
    next();
  });
  app.use(siteRoutes(ctx));
  app.use(adminRoutes(ctx, secure));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
