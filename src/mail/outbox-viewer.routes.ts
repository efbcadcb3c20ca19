import express from 'express';
import type { AppContext } from '../http/context';

/** The outbox viewer: mails written as .eml files to DATA_DIR/outbox when no SMTP_URL is set. */
export function outboxViewerRoutes(_ctx: AppContext): express.Router {
  return express.Router();
}
