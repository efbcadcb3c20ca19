import { Router, type RequestHandler } from 'express';
import type { AppContext } from '../http/context';
import { asRecord } from '../http/validate';
import { erasePerson, personData } from '../privacy';
import { apiActor } from './api.auth';

/**
 * A person's requests about their data, for admins' tokens (behind the API token, mounted by apiRoutes
 * after its auth): `GET /api/v1/people?email=` (everything held about the address) and
 * `POST /api/v1/people/erase` with `{"email": …}` (erase it). Organisers' tokens get 403; an address
 * that is not one gets 400 in the caller's language.
 */
export function peopleApiRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/api/v1/people', showPerson(ctx));
  router.post('/api/v1/people/erase', erasePersonHandler(ctx));
  return router;
}

function showPerson(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    res.json(await personData(ctx.pool, { email: asRecord(req.query).email, actor: apiActor(res) }));
  };
}

function erasePersonHandler(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const summary = await erasePerson(ctx.pool, {
      email: asRecord(req.body).email,
      actor: apiActor(res),
      now: ctx.now(),
      dataDir: ctx.config.dataDir,
    });
    res.json({ erased: summary });
  };
}
