import type express from 'express';
import type pg from 'pg';
import request from 'supertest';
import { createAccount, type Role, type User } from '../../src/accounts';
import { withTransaction } from '../../src/db/pool';

/** The password every test account gets unless told otherwise. */
export const testPassword = 'correct horse battery staple';

let counter = 0;

/** Creates an account directly (as the CLI does). */
export async function createTestAccount(
  pool: pg.Pool,
  opts: { email?: string; role: Role; password?: string },
): Promise<User> {
  counter += 1;
  const email = opts.email ?? `${opts.role}-${counter}-${process.pid}@example.org`;
  return withTransaction(pool, (tx) =>
    createAccount(
      tx,
      { email, role: opts.role, password: opts.password ?? testPassword },
      { now: new Date(), by: 'cli' },
    ),
  );
}

/** The CSRF token in a page's forms. */
export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** A supertest agent signed in to the workspace through the real sign-in form, and its CSRF token. */
export async function signedInAgent(app: express.Express, email: string, password = testPassword) {
  const agent = request.agent(app);
  const page = await agent.get('/admin/login');
  const csrf = csrfFrom(page.text);
  const res = await agent.post('/admin/login').type('form').send({ email, password, _csrf: csrf });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  // The workspace's token is bound to the session, which signing in renewed: read the new one.
  return { agent, csrf: csrfFrom((await agent.get('/admin/tokens')).text) };
}
