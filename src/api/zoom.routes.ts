import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { actingAs, eventForActor } from '../accounts';
import type { AppContext } from '../http/context';
import { slugParams, validate } from '../http/validate';
import { createOnZoom, receiveZoomWebhook } from '../zoom';
import { apiActor } from './api.auth';

/**
 * Zoom's side of the API: `POST /api/v1/events/{slug}/zoom` creates the event's webinar or meeting on
 * Zoom and links it (behind the API token, mounted by apiRoutes after its auth), and `POST /zoom/webhook`
 * takes Zoom's signed notifications (no token: the signature is the credential).
 */
export function zoomApiRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/api/v1/events/:slug/zoom', createInput, createOnZoomHandler(ctx));
  return router;
}

/** The webhook route, which needs the raw body to check Zoom's signature. */
export function zoomWebhookRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/zoom/webhook', express.raw({ type: () => true, limit: '256kb' }), webhook(ctx));
  return router;
}

const createInput = validate({
  params: slugParams,
  body: z.object({ kind: z.enum(['webinar', 'meeting']) }).strict(),
});

/** 201 with the event's new `zoom` object; 409 when it already has one. */
function createOnZoomHandler(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = createInput.input(res);
    const actor = apiActor(res);
    const { event } = await eventForActor(ctx.pool, actor, params.slug, 'edit');
    const linked = await createOnZoom(
      { pool: ctx.pool, zoom: ctx.zoom },
      event,
      body.kind,
      actingAs(actor, ctx.now()),
      ctx.registrants,
    );
    res.status(201).json({ zoom: linked.zoom });
  };
}

function webhook(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const answer = await receiveZoomWebhook(
      ctx.pool,
      ctx.config.zoom?.webhookSecret,
      { rawBody: raw, signature: req.get('x-zm-signature'), timestamp: req.get('x-zm-request-timestamp') },
      ctx.now(),
    );
    res.json(answer);
  };
}
