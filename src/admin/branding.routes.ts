import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { assertAdmin } from '../accounts';
import { maxCoverBytes, maxLogoBytes } from '../branding';
import { DomainError } from '../errors';
import {
  brandView,
  currentInstallationBranding,
  maxOrganisationLength,
  saveEventBranding,
  saveInstallationBranding,
  type BrandingInput,
  type EventRecord,
  type InstallationBranding,
} from '../events';
import type { AppContext } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { pageLang } from '../http/context';
import { eventFor, saveContext } from './admin.context';
import { actorOf } from './session';

/**
 * The organiser profile in the workspace: the installation's (GET/POST /admin/branding, admins only)
 * and each event's override with its cover image (GET/POST /admin/events/:slug/branding, edit right).
 */

const limits = {
  maxLogoMb: maxLogoBytes / (1024 * 1024),
  maxCoverMb: maxCoverBytes / (1024 * 1024),
  maxName: maxOrganisationLength,
};

/**
 * Reads the multipart form into memory (a logo and a cover, each at most the cover's 2 MB) so that
 * verifyCsrf can read `_csrf` afterwards; a refused upload becomes a message on the form.
 */
function receiveImages(req: Request, res: Response, next: NextFunction) {
  multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxCoverBytes, files: 2, fields: 10 },
  }).fields([
    { name: 'logo', maxCount: 1 },
    { name: 'cover', maxCount: 1 },
  ])(req, res, (err: unknown) => {
    if (err) res.locals.uploadError = err instanceof multer.MulterError ? err.code : 'UNREADABLE';
    next();
  });
}

/** The form's fields as typed, and its files. */
function inputOf(req: Request): { values: Record<string, string>; input: BrandingInput } {
  const b = (req.body ?? {}) as Record<string, unknown>;
  const files = (req.files ?? {}) as Record<string, Express.Multer.File[] | undefined>;
  const values = {
    organisationEn: String(b.organisationEn ?? ''),
    organisationJa: String(b.organisationJa ?? ''),
    accent: String(b.accent ?? ''),
  };
  return {
    values,
    input: {
      organisation: { en: values.organisationEn, ja: values.organisationJa },
      accent: values.accent,
      logo: files.logo?.[0]?.buffer,
      removeLogo: b.removeLogo === 'yes',
      cover: files.cover?.[0]?.buffer,
      removeCover: b.removeCover === 'yes',
    },
  };
}

const valuesOf = (b: InstallationBranding) => ({
  organisationEn: b.organisation.en ?? '',
  organisationJa: b.organisation.ja ?? '',
  accent: b.accent ?? '',
});

/** A refusal's messages by field, in the page's language; an unsafe SVG lists what was found. */
function problemsOf(res: Response, err: DomainError): Record<string, string> {
  const t = res.locals.t as (key: string, params?: Record<string, unknown>) => string;
  const svg = (err.params.problems as string[] | undefined) ?? [];
  const list = svg.map((p) => t(`branding:svgProblems.${p}`)).join(t('branding:listSeparator'));
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(err.fields)) {
    out[field] = t(key, { ...limits, ...err.params, problems: list, max: limits.maxName });
  }
  return out;
}

/** Saves through `save`; a refusal shows the form again (422, 413 for an over-size upload) with why. */
async function saveOrShow(
  req: Request,
  res: Response,
  save: (input: BrandingInput) => Promise<unknown>,
  show: (extra: Record<string, unknown>, status: number) => unknown,
  done: string,
) {
  const { values, input } = inputOf(req);
  const uploadError = res.locals.uploadError as string | undefined;
  if (uploadError) {
    const key = uploadError === 'LIMIT_FILE_SIZE' ? 'branding:errors.tooLarge' : 'branding:errors.unreadable';
    const t = res.locals.t as (key: string, params?: Record<string, unknown>) => string;
    return show(
      { values, problems: { upload: t(key, limits) } },
      uploadError === 'LIMIT_FILE_SIZE' ? 413 : 422,
    );
  }
  try {
    await save(input);
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    return show({ values, problems: problemsOf(res, err) }, 422);
  }
  res.redirect(303, done);
}

export function brandingAdminRoutes(ctx: AppContext): Router {
  const router = Router();
  router.use('/admin/branding', (_req, res, next) => {
    assertAdmin(actorOf(res));
    next();
  });

  const showProfile = async (res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const profile = await currentInstallationBranding(ctx.pool);
    const view = brandView(
      { branding: { ...profile, cover: null }, installationBranding: profile },
      pageLang(res),
    );
    res.status(status).render('admin/branding', {
      values: valuesOf(profile),
      brand: view,
      limits,
      problems: {},
      flash: null,
      ...extra,
    });
  };

  router.get('/admin/branding', async (req, res) => {
    const flash = req.query.done === 'saved' ? res.locals.t('branding:saved') : null;
    await showProfile(res, { flash });
  });

  router.post('/admin/branding', receiveImages, verifyCsrf(ctx.sessionSecret), (req, res) =>
    saveOrShow(
      req,
      res,
      (input) => saveInstallationBranding(ctx.pool, input, saveContext(ctx, actorOf(res))),
      (extra, status) => showProfile(res, extra, status),
      '/admin/branding?done=saved',
    ),
  );

  const showEvent = (
    res: Response,
    event: EventRecord,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    res.status(status).render('admin/event-branding', {
      values: valuesOf(event.branding),
      brand: brandView(
        { ...event, installationBranding: { organisation: {}, accent: null, logo: null } },
        pageLang(res),
      ),
      installation: brandView(
        { ...event, branding: { organisation: {}, accent: null, logo: null, cover: null } },
        pageLang(res),
      ),
      limits,
      problems: {},
      flash: null,
      ...extra,
    });
  };

  router.get('/admin/events/:slug/branding', async (req, res) => {
    const { event } = await eventFor(ctx, res, String(req.params.slug), 'edit');
    const flash = req.query.done === 'saved' ? res.locals.t('branding:saved') : null;
    showEvent(res, event, { flash });
  });

  // The edit right is checked before the upload is read, so nobody without it makes us buffer images.
  router.post(
    '/admin/events/:slug/branding',
    async (req, res, next) => {
      await eventFor(ctx, res, String(req.params.slug), 'edit');
      next();
    },
    receiveImages,
    verifyCsrf(ctx.sessionSecret),
    (req, res) => {
      const event = res.locals.event as EventRecord;
      return saveOrShow(
        req,
        res,
        (input) => saveEventBranding(ctx.pool, event.id, input, saveContext(ctx, actorOf(res))),
        (extra, status) => showEvent(res, event, extra, status),
        `/admin/events/${event.slug}/branding?done=saved`,
      );
    },
  );

  return router;
}
