import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { openApiDocument } from './openapi';

/**
 * The API's description, public so clients can be generated before a token exists: the OpenAPI
 * document and a reference page for people.
 */
export function apiDocsRoutes(ctx: AppContext): Router {
  const router = Router();
  // Built once, on the first request: it depends only on this installation's address.
  let document: ReturnType<typeof openApiDocument> | undefined;
  router.get('/api/v1/openapi.json', (_req, res) => {
    document ??= openApiDocument(ctx.config.baseUrl);
    res.json(document);
  });
  router.get('/api/v1/docs', apiDocs);
  router.get('/api/v1/docs/assets/:file', apiDocsAsset);
  return router;
}

/**
 * The API reference for people: Swagger UI (npm swagger-ui-dist, served from our own host, no CDN)
 * reading /api/v1/openapi.json. Its setup script is ours (public/js/api-docs.js), as the page's CSP
 * allows scripts from this host only.
 */
function apiDocs(_req: Request, res: Response): void {
  res.render('api/docs');
}

const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const swaggerFiles = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

/** The two files of swagger-ui-dist the page uses; nothing else of the package is served. */
function apiDocsAsset(req: Request, res: Response): void {
  const file = String(req.params.file);
  if (!swaggerFiles.has(file)) throw new DomainError('not_found', 'errors:notFound');
  res.sendFile(file, { root: swaggerDir, maxAge: '1d' });
}
