import { Router, type Response } from 'express';
import { assertAdmin } from '../accounts';
import { DomainError } from '../errors';
import type { AppContext } from '../http/context';
import { pageLang } from '../http/context';
import { verifyCsrf } from '../http/csrf';
import { attachmentDisposition } from '../http/download';
import { formBody } from '../http/body';
import { pickText } from '../events';
import type { Language } from '../i18n';
import { erasePerson, personData, type ErasureSummary, type PersonData } from '../privacy';
import { displayName } from '../registrations';
import { formatInstant } from '../time';
import { actorOf } from './session';

/**
 * Personal data requests, for admins: look up an address and see what is held about it in every event,
 * download it as JSON (an access request), or erase it after a confirmation (an erasure request).
 */
export function peopleRoutes(ctx: AppContext): Router {
  const router = Router();
  const form = formBody({ limit: '4kb', parameterLimit: 10 });
  router.use('/admin/people', (_req, res, next) => {
    assertAdmin(actorOf(res));
    next();
  });
  router.get('/admin/people', async (req, res) => {
    const email = typeof req.query.email === 'string' ? req.query.email.trim() : '';
    if (!email) return render(res, {});
    await renderLookup(res, () => personData(ctx.pool, { email, actor: actorOf(res) }), email);
  });
  router.get('/admin/people/export', async (req, res) => {
    const data = await personData(ctx.pool, { email: req.query.email, actor: actorOf(res) });
    res.set('Content-Disposition', attachmentDisposition(`personal-data-${data.email}.json`));
    res.type('application/json').send(JSON.stringify(data, null, 2));
  });
  router.post('/admin/people/erase', form, verifyCsrf(ctx.sessionSecret), async (req, res) => {
    const email = String(req.body?.email ?? '');
    if (req.body?.confirm !== 'yes') {
      const lookup = () => personData(ctx.pool, { email, actor: actorOf(res) });
      return renderLookup(res, lookup, email, { confirm: res.locals.t('admin:people.confirmNeeded') });
    }
    const done = await erasePerson(ctx.pool, {
      email,
      actor: actorOf(res),
      now: ctx.now(),
      dataDir: ctx.config.dataDir,
    });
    render(res, { erased: erasedText(res, done) });
  });
  return router;
}

function render(res: Response, extra: Record<string, unknown>, status = 200): void {
  res.status(status).render('admin/people', {
    email: '',
    person: null,
    errors: {},
    erased: null,
    ...extra,
  });
}

/** Looks the address up and shows it; a bad address is said at the field (400), nothing looked up. */
async function renderLookup(
  res: Response,
  lookup: () => Promise<PersonData>,
  email: string,
  errors: Record<string, string> = {},
): Promise<void> {
  try {
    const data = await lookup();
    render(
      res,
      { email: data.email, person: personView(data, pageLang(res)), errors },
      errors.confirm ? 422 : 200,
    );
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'invalid_email') throw err;
    render(res, { email, errors: { email: res.locals.t('validation:email') } }, 400);
  }
}

/** What the page lists of a person's data, in the page language; each time in its event's zone. */
function personView(data: PersonData, lang: Language) {
  return {
    email: data.email,
    registrations: data.registrations.map((r) => ({
      event: pickText(r.event.title, lang)?.text ?? r.event.slug,
      slug: r.event.slug,
      name: displayName(r),
      status: r.status,
      registered: formatInstant(r.createdAt, [r.event.timezone], lang),
    })),
    mails: data.mails.length,
    auditEntries: data.auditEntries.length,
    zoom: data.zoom.length,
    // An address only on an invitation list is still held (and erasable).
    empty:
      !data.registrations.length &&
      !data.mails.length &&
      !data.auditEntries.length &&
      !data.zoom.length &&
      !data.invitations.length,
  };
}

function erasedText(res: Response, done: ErasureSummary): string {
  return res.locals.t('admin:people.erased', {
    count: done.registrations,
    events: done.events.join(', ') || '—',
    mails: done.mails,
  });
}
