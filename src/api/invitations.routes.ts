import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { actingAs, eventForActor } from '../accounts';
import type { AppContext } from '../http/context';
import { slugParams, validate } from '../http/validate';
import {
  importInvitees,
  inviteeList,
  maxContacts,
  remindInvitees,
  removeInvitee,
  sendInvitations,
  type PreviewRow,
} from '../invitations';
import { apiActor } from './api.auth';

/**
 * Invitations in the API (behind the token, mounted by apiRoutes after its auth): add invitees from a
 * JSON array of contacts under the same rules as the workspace's import, list them with their states,
 * remove one not yet invited, send the invitations, and send a reminder.
 */
export function invitationApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const base = '/api/v1/events/:slug';
  router.get(`${base}/invitees`, slugInput, listInvitees(ctx));
  router.post(`${base}/invitees`, addInput, addInvitees(ctx));
  router.delete(`${base}/invitees/:id`, removeInput, removeOne(ctx));
  router.post(`${base}/invitations/send`, slugInput, send(ctx));
  router.post(`${base}/invitations/remind`, remindInput, remind(ctx));
  return router;
}

const slugInput = validate({ params: slugParams });

const text = (max: number) => z.string().max(max).optional().default('');
const contact = z.object({
  email: z.string().max(320),
  familyName: text(1000),
  givenName: text(1000),
  organisation: text(1000),
  language: text(100),
});
const addInput = validate({ params: slugParams, body: z.array(contact).min(1).max(maxContacts) });

function listInvitees(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = slugInput.input(res);
    const { event } = await eventForActor(ctx.pool, apiActor(res), params.slug, 'read');
    const { invitees, nextReminder } = await inviteeList(ctx.pool, event.id);
    res.json({
      nextReminder,
      invitees: invitees.map((i) => ({
        id: i.id,
        email: i.email,
        familyName: i.familyName,
        givenName: i.givenName,
        organisation: i.organisation,
        language: i.locale,
        state: i.state,
        invitedAt: i.invitedAt?.toISOString() ?? null,
        registrationId: i.registrationId,
      })),
    });
  };
}

/** An imported row as the API answers it; `index` counts from 0 in the posted array. */
function rowJson(r: PreviewRow) {
  return {
    index: r.line - 1,
    email: r.email,
    language: r.locale,
    ...(r.languageDefaulted ? { languageDefaulted: true } : {}),
    ...(r.skip ? { reason: r.skip } : {}),
  };
}

function addInvitees(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = addInput.input(res);
    const actor = apiActor(res);
    const { event } = await eventForActor(ctx.pool, actor, params.slug, 'edit');
    const rows = body.map((c, i) => ({ ...c, line: i + 1 }));
    const done = await importInvitees(ctx.pool, event, rows, actingAs(actor, ctx.now()));
    res.status(201).json({ added: done.add.map(rowJson), skipped: done.skipped.map(rowJson) });
  };
}

function send(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = slugInput.input(res);
    const actor = apiActor(res);
    const { event } = await eventForActor(ctx.pool, actor, params.slug, 'edit');
    res.json(await sendInvitations(ctx.pool, event, actingAs(actor, ctx.now())));
  };
}

const remindInput = validate({
  params: slugParams,
  body: z
    .object({ reminder: z.number().int().min(1).max(1_000_000).optional() })
    .strict()
    .optional()
    .default({}),
});

function remind(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params, body } = remindInput.input(res);
    const actor = apiActor(res);
    const { event } = await eventForActor(ctx.pool, actor, params.slug, 'edit');
    res.json(await remindInvitees(ctx.pool, event, body, actingAs(actor, ctx.now())));
  };
}

const removeInput = validate({
  params: slugParams.extend({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
});

/** Removes an invitee whose invitation has not been sent: 204, or 409 for anyone else. */
function removeOne(ctx: AppContext): RequestHandler {
  return async (_req, res) => {
    const { params } = removeInput.input(res);
    const actor = apiActor(res);
    const { event } = await eventForActor(ctx.pool, actor, params.slug, 'edit');
    await removeInvitee(ctx.pool, event, params.id, actingAs(actor, ctx.now()));
    res.status(204).end();
  };
}
