import crypto from 'node:crypto';
import type pg from 'pg';
import { insertAuditEntry } from '../audit';
import { withTransaction, type Queryable } from '../db/pool';
import { DomainError } from '../errors';
import { normaliseEmail, searchText } from '../text';
import { assertAdmin } from './access';
import * as q from './accounts.queries';
import {
  assertPasswordAllowed,
  auditActor,
  invalidFields,
  passwordAttempt,
  tokenHash,
  type By,
} from './accounts.service';
import type { Actor, User } from './accounts.types';
import { hashPassword, maxPasswordLength, verifyPassword } from './passwords';

/**
 * A password's life after the account exists: its owner changes it (current password required), an
 * admin hands out a one-time reset link, or the CLI sets it. Each new password passes the policy, and
 * each change ends the account's signed-in sessions; API tokens are separate credentials and stay
 * (they are revoked on their own page).
 */

/** How long a reset link works. */
export const resetLinkLifetimeMs = 24 * 3600 * 1000;

/**
 * Stores a new hash, ends every session of the account and voids its reset link (a link made before
 * the change must not undo it), in the caller's transaction, then records `action` in the audit log.
 */
async function replacePassword(
  tx: Queryable,
  user: User,
  password: string,
  audit: { action: string; by: By; via: string; now: Date },
): Promise<void> {
  await q.setPasswordHash(tx, user.id, await hashPassword(password), audit.now);
  await q.deleteResetLink(tx, user.id);
  const sessionsEnded = await q.deleteSessionsOfUser(tx, user.id);
  await insertAuditEntry(tx, {
    ...auditActor(audit.by),
    action: audit.action,
    data: { email: user.email, via: audit.via, sessionsEnded },
    at: audit.now,
  });
}

/** Refuses when the two copies of a new password differ (field `passwordRepeat`). */
function assertRepeated(password: string, repeat: string): void {
  if (password !== repeat) throw invalidFields({ passwordRepeat: 'validation:passwordMismatch' });
}

/**
 * The signed-in account changes its own password. The current password is checked (and a wrong one
 * counts as a failed sign-in, so this form is no way around the lockout). Every session of the account
 * ends, this one included: the caller starts a fresh one for the person who made the change.
 */
export async function changeOwnPassword(
  pool: pg.Pool,
  input: { currentPassword: string; password: string; passwordRepeat: string },
  ctx: { now: Date; by: Actor },
): Promise<void> {
  const user = ctx.by.user;
  const attempt = await passwordAttempt(pool, user.email, ctx.now);
  const stored = await q.userForLogin(pool, user.email);
  const current = input.currentPassword.slice(0, maxPasswordLength);
  if (!stored || !(await verifyPassword(stored.passwordHash, current))) {
    throw invalidFields({ currentPassword: 'validation:currentPasswordWrong' });
  }
  await attempt.succeeded();
  assertRepeated(input.password, input.passwordRepeat);
  assertPasswordAllowed(input.password, user);
  await withTransaction(pool, (tx) =>
    replacePassword(tx, user, input.password, {
      action: 'account.password_changed',
      by: ctx.by,
      via: 'workspace',
      now: ctx.now,
    }),
  );
}

/**
 * An admin makes a one-time link with which the account's owner chooses a new password. Only the
 * SHA-256 of the token is stored; a new link replaces the account's previous one. Returns the token
 * (to be shown once) and when it expires.
 */
export async function createPasswordResetLink(
  pool: pg.Pool,
  userId: number,
  ctx: { now: Date; by: Actor },
): Promise<{ token: string; user: User; expiresAt: Date }> {
  assertAdmin(ctx.by);
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.now.getTime() + resetLinkLifetimeMs);
  return withTransaction(pool, async (tx) => {
    const user = await q.userById(tx, userId);
    if (!user) throw new DomainError('not_found', 'errors:notFound');
    await q.upsertResetLink(tx, {
      userId,
      hash: tokenHash(token),
      createdBy: ctx.by.user.id,
      at: ctx.now,
      expiresAt,
    });
    await insertAuditEntry(tx, {
      ...auditActor(ctx.by),
      action: 'account.reset_link_created',
      data: { email: user.email, expiresAt: expiresAt.toISOString() },
      at: ctx.now,
    });
    return { token, user, expiresAt };
  });
}

function linkInvalid(): DomainError {
  return new DomainError('link_invalid', 'errors:resetLinkInvalid');
}

/** The account a reset link is for, while the link is unused and unexpired; `link_invalid` otherwise. */
export async function accountForResetLink(pool: pg.Pool, token: string, now: Date): Promise<User> {
  const user = token.length <= 100 ? await q.userForResetLink(pool, tokenHash(token), now) : undefined;
  if (!user) throw linkInvalid();
  return user;
}

/**
 * Sets a new password through a reset link, which then stops working; every session of the account
 * ends. The audit log names the account itself as the actor: whoever holds the link acts for it.
 */
export async function resetPasswordWithLink(
  pool: pg.Pool,
  token: string,
  input: { password: string; passwordRepeat: string },
  now: Date,
): Promise<User> {
  const user = await accountForResetLink(pool, token, now);
  assertRepeated(input.password, input.passwordRepeat);
  assertPasswordAllowed(input.password, user);
  return withTransaction(pool, async (tx) => {
    // Locked and read again: two submissions of one link at once, and only one goes through.
    const locked = await q.userForResetLink(tx, tokenHash(token), now, true);
    if (!locked || locked.id !== user.id) throw linkInvalid();
    const by = { user, via: 'session' as const, label: `${user.email} (reset link)` };
    await replacePassword(tx, user, input.password, {
      action: 'account.password_reset',
      by,
      via: 'reset_link',
      now,
    });
    return user;
  });
}

/** Sets an account's password from the command line (`user password`); its sessions end. */
export async function setPasswordByCli(
  pool: pg.Pool,
  input: { email: string; password: string },
  now: Date,
): Promise<User> {
  // Only looked up, never stored: characters the input policy refuses are removed, not refused.
  const user = await q.userByEmail(pool, searchText(normaliseEmail(input.email)).trim());
  if (!user) throw new DomainError('not_found', 'errors:accountNotFound', { email: input.email });
  assertPasswordAllowed(input.password, user);
  await withTransaction(pool, (tx) =>
    replacePassword(tx, user, input.password, {
      action: 'account.password_changed',
      by: 'cli',
      via: 'cli',
      now,
    }),
  );
  return user;
}
