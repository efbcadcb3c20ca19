import crypto from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { countHit, giveBackHit, windowStartFor } from '../rate-limits';
import { emailText, normaliseEmail, searchText, text } from '../text';
import * as q from './accounts.queries';
import type { Actor, ApiToken, Role, User } from './accounts.types';
import { roles } from './accounts.types';
import { passwordProblem } from './password-policy';
import { hashPassword, maxPasswordLength, verifyPassword } from './passwords';

/**
 * Organiser accounts: creating them (the CLI, the one-time setup link, an admin), signing in with
 * limits per account and per network address, and API tokens that act with their owner's rights.
 */

/** Sign-in limits: failures per account, attempts per address, in one window. */
export const loginLimits = { perAccount: 5, perAddress: 30, windowSeconds: 15 * 60 };

const accountSchema = z.object({
  email: emailText({ error: 'validation:required' })
    .trim()
    .min(1, 'validation:required')
    .max(254, 'validation:tooLong')
    .pipe(z.email({ error: 'validation:email' })),
  name: text().trim().max(100, 'validation:tooLong').default(''),
  role: z.enum(roles, { error: 'validation:choice' }),
  // Length, address, common lists and strength: `passwordProblem`, below, once address and name are known.
  password: z.string({ error: 'validation:required' }),
  locale: z.enum(['en', 'ja']).default('en'),
});

export type NewAccount = z.input<typeof accountSchema>;

/** The form error for these fields (field name -> locale key). */
export function invalidFields(fields: Record<string, string>): DomainError {
  return new DomainError('validation_failed', 'errors:invalidForm', {}, fields);
}

/** Refuses a password the policy refuses for this account, as a form error on `field`. */
export function assertPasswordAllowed(
  password: string,
  owner: { email: string; name?: string },
  field = 'password',
): void {
  const problem = passwordProblem(password, owner);
  if (problem) throw invalidFields({ [field]: problem });
}

/**
 * Every problem with a new account at once: the schema's, and the password policy's for that address
 * and name (checked even when another field is wrong, so the form shows everything in one go).
 */
function accountProblems(input: NewAccount, error: z.ZodError | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error?.issues ?? []) fields[String(issue.path[0])] ??= issue.message;
  if (!fields.password) {
    const owner = { email: String(input.email ?? ''), name: String(input.name ?? '') };
    const problem = passwordProblem(String(input.password ?? ''), owner);
    if (problem) fields.password = problem;
  }
  return fields;
}

/** Who wrote an audit entry: an acting account, or a named tool (`cli`, `setup`). */
export type By = Actor | 'cli' | 'setup';

/** The audit log's actor label and account for `by`. */
export function auditActor(by: By): { actor: string; userId: number | null } {
  return typeof by === 'string' ? { actor: by, userId: null } : { actor: by.label, userId: by.user.id };
}

/** Creates an account inside the caller's transaction. `account_exists` when the address is taken. */
export async function createAccount(
  tx: Queryable,
  input: NewAccount,
  ctx: { now: Date; by: By },
): Promise<User> {
  const parsed = accountSchema.safeParse(input);
  const problems = accountProblems(input, parsed.error);
  if (!parsed.success || Object.keys(problems).length) throw invalidFields(problems);
  const a = parsed.data;
  const taken = () =>
    new DomainError(
      'account_exists',
      'errors:accountExists',
      { email: a.email },
      { email: 'errors:accountExists' },
    );
  if (await q.userByEmail(tx, a.email)) throw taken();
  const passwordHash = await hashPassword(a.password);
  // Two admins creating the same address at once: the unique index decides, with the same answer.
  const user = await q.insertUser(tx, { ...a, passwordHash, at: ctx.now }).catch((err: { code?: string }) => {
    throw err.code === '23505' ? taken() : err;
  });
  await insertAuditEntry(tx, {
    ...auditActor(ctx.by),
    action: 'account.created',
    data: { email: user.email, role: user.role },
    at: ctx.now,
  });
  return user;
}

/** Changes an account's role or blocks it; the last active admin cannot be demoted or blocked. */
export async function changeAccountAccess(
  pool: pg.Pool,
  id: number,
  change: { role: Role; disabled: boolean },
  ctx: { now: Date; by: Actor },
): Promise<User> {
  if (!roles.includes(change.role))
    throw new DomainError('validation_failed', 'errors:invalidForm', {}, { role: 'validation:choice' });
  return withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
    const before = await q.userById(tx, id);
    if (!before) throw new DomainError('not_found', 'errors:notFound');
    const losesAdmin =
      before.role === 'admin' && !before.disabledAt && (change.role !== 'admin' || change.disabled);
    if (losesAdmin && (await q.activeAdminCount(tx)) <= 1) {
      throw new DomainError('last_admin', 'errors:lastAdmin');
    }
    const after = (await q.updateUserAccess(tx, id, { ...change, at: ctx.now }))!;
    await insertAuditEntry(tx, {
      ...auditActor(ctx.by),
      action: 'account.updated',
      data: {
        email: after.email,
        before: { role: before.role, disabled: Boolean(before.disabledAt) },
        after: { role: after.role, disabled: Boolean(after.disabledAt) },
      },
      at: ctx.now,
    });
    return after;
  });
}

/** Whole minutes until the current sign-in window ends (what a locked-out person is told to wait). */
function minutesLeftInWindow(now: Date): number {
  const end = windowStartFor(now, loginLimits.windowSeconds).getTime() + loginLimits.windowSeconds * 1000;
  return Math.ceil((end - now.getTime()) / 60_000);
}

/**
 * Counts one password attempt for an account (sign-in, or the current password when changing it), and
 * refuses with `login_locked` once the account has had too many failures in the window. Counted before
 * the password is checked, in one statement, so guesses sent in parallel cannot all read the count from
 * before any of them failed; `succeeded` gives the attempt back.
 */
export async function passwordAttempt(
  pool: Queryable,
  email: string,
  now: Date,
): Promise<{ succeeded: () => Promise<void> }> {
  const windowStart = windowStartFor(now, loginLimits.windowSeconds);
  const bucket = `login-account:${email.trim().toLowerCase().slice(0, 254)}`;
  if ((await countHit(pool, bucket, windowStart)) > loginLimits.perAccount) {
    throw new DomainError('login_locked', 'errors:loginLocked', { minutes: minutesLeftInWindow(now) });
  }
  return { succeeded: () => giveBackHit(pool, bucket, windowStart) };
}

/**
 * Checks an address and password. Refuses without looking at the password once the account has had
 * too many failures in the window, or the address has made too many attempts; unknown addresses,
 * blocked accounts and wrong passwords all get the same answer.
 */
export async function logIn(
  pool: pg.Pool,
  input: { email: string; password: string; ip: string; now: Date },
): Promise<User> {
  const windowStart = windowStartFor(input.now, loginLimits.windowSeconds);
  const minutes = minutesLeftInWindow(input.now);
  // Only looked up, never stored: characters the input policy refuses are removed, not refused.
  const email = searchText(normaliseEmail(input.email)).trim().toLowerCase().slice(0, 254);
  if ((await countHit(pool, `login-address:${input.ip}`, windowStart)) > loginLimits.perAddress) {
    throw new DomainError('rate_limited', 'errors:rateLimited', { minutes });
  }
  const attempt = await passwordAttempt(pool, email, input.now);
  const user = email ? await q.userForLogin(pool, email) : undefined;
  const ok = await verifyPassword(user?.passwordHash, input.password.slice(0, maxPasswordLength));
  if (!ok || !user || user.disabledAt) throw new DomainError('login_failed', 'errors:loginFailed');
  await attempt.succeeded();
  await q.recordLogin(pool, user.id, input.now);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    locale: user.locale,
    disabledAt: user.disabledAt,
    lastLoginAt: input.now,
    createdAt: user.createdAt,
  };
}

const SETUP_KEY = 'setup_link';
const setupLifetimeMs = 24 * 3600 * 1000;

/**
 * A one-time link for creating the first admin, when no account exists yet; otherwise null. Each call
 * replaces the previous link (only its hash is kept), which expires after a day.
 */
export async function createSetupLink(pool: pg.Pool, now: Date): Promise<string | null> {
  return withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE users IN SHARE MODE');
    if ((await q.userCount(tx)) > 0) return null;
    const token = crypto.randomBytes(32).toString('base64url');
    await tx.query(
      `INSERT INTO app_state (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [
        SETUP_KEY,
        JSON.stringify({ hash: sha256(token), expiresAt: new Date(now.getTime() + setupLifetimeMs) }),
      ],
    );
    return token;
  });
}

function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

async function setupLinkMatches(db: Queryable, token: string, now: Date, lock = false): Promise<boolean> {
  const res = await db.query<{ value: { hash: string; expiresAt: string } }>(
    `SELECT value FROM app_state WHERE key = $1${lock ? ' FOR UPDATE' : ''}`,
    [SETUP_KEY],
  );
  const stored = res.rows[0]?.value;
  if (!stored || new Date(stored.expiresAt) <= now) return false;
  const a = Buffer.from(stored.hash, 'hex');
  const b = Buffer.from(sha256(token), 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** Whether the setup link is still good (unused, unexpired, and still no account). */
export async function setupLinkValid(pool: pg.Pool, token: string, now: Date): Promise<boolean> {
  return (await setupLinkMatches(pool, token, now)) && (await q.userCount(pool)) === 0;
}

/** Creates the first admin through the setup link, which then stops working. */
export async function completeSetup(
  pool: pg.Pool,
  token: string,
  input: Omit<NewAccount, 'role'>,
  now: Date,
): Promise<User> {
  return withTransaction(pool, async (tx) => {
    if (!(await setupLinkMatches(tx, token, now, true)) || (await q.userCount(tx)) > 0) {
      throw new DomainError('link_invalid', 'errors:setupLinkInvalid');
    }
    const user = await createAccount(tx, { ...input, role: 'admin' }, { now, by: 'setup' });
    await tx.query('DELETE FROM app_state WHERE key = $1', [SETUP_KEY]);
    return user;
  });
}

const tokenNameSchema = text().trim().min(1, 'validation:required').max(100, 'validation:tooLong');

/** The prefix every API token starts with, so a leaked one is recognisable in logs and scanners. */
const TOKEN_PREFIX = 'tsu_';

/** Creates an API token for the actor's own account; the returned `token` is shown once and never again. */
export async function createApiToken(
  pool: pg.Pool,
  input: { name: string },
  ctx: { now: Date; by: Actor | { user: User; label: string } },
): Promise<{ token: string; record: ApiToken }> {
  const parsed = tokenNameSchema.safeParse(String(input.name ?? ''));
  if (!parsed.success) {
    throw new DomainError(
      'validation_failed',
      'errors:invalidForm',
      {},
      { name: parsed.error.issues[0]!.message },
    );
  }
  const name = parsed.data;
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  return withTransaction(pool, async (tx) => {
    const record = await q.insertApiToken(tx, {
      userId: ctx.by.user.id,
      name,
      hash: tokenHash(token),
      at: ctx.now,
    });
    await insertAuditEntry(tx, {
      actor: ctx.by.label,
      userId: ctx.by.user.id,
      action: 'api_token.created',
      data: { tokenId: record.id, name },
      at: ctx.now,
    });
    return { token, record };
  });
}

/** The SHA-256 of a secret token: all that is stored of API tokens and reset links. */
export function tokenHash(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}

/** The actor behind an `Authorization: Bearer` token, or undefined for an unknown, revoked or blocked one. */
export async function actorForApiToken(pool: pg.Pool, token: string, now: Date): Promise<Actor | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const record = await q.liveTokenByHash(pool, tokenHash(token));
  if (!record) return undefined;
  const user = await q.userById(pool, record.userId);
  if (!user || user.disabledAt) return undefined;
  await q.touchApiToken(pool, record.id, now);
  return { user, via: 'token', tokenId: record.id, label: `${user.email} (API: ${record.name})` };
}

/** Revokes a token: one's own, or anyone's for an admin. */
export async function revokeApiToken(
  pool: pg.Pool,
  id: number,
  ctx: { now: Date; by: Actor },
): Promise<ApiToken> {
  return withTransaction(pool, async (tx) => {
    const scope = ctx.by.user.role === 'admin' ? null : ctx.by.user.id;
    const record = await q.revokeApiTokenRow(tx, id, scope, ctx.now);
    if (!record) throw new DomainError('not_found', 'errors:notFound');
    await insertAuditEntry(tx, {
      actor: ctx.by.label,
      userId: ctx.by.user.id,
      action: 'api_token.revoked',
      data: { tokenId: id, name: record.name },
      at: ctx.now,
    });
    return record;
  });
}

/** The actor for a signed-in account (the audit log shows its address). */
export function sessionActor(user: User): Actor {
  return { user, via: 'session', label: user.email };
}
