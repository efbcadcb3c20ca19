import { Router } from 'express';
import type { AppContext } from '../http/context';

/** Placeholder until this part of the workspace is built. */
export function attendeeRoutes(_ctx: AppContext): Router {
  return Router();
}
