import type { Queryable } from '../db/pool';
import type { ApiToken, Role, User } from './accounts.types';

/** Named queries for organiser accounts, event membership and API tokens. */

const userColumns = 'id, email, name, role, locale, disabled_at, last_login_at, created_at';
const userColumnsOfU =
  'u.id, u.email, u.name, u.role, u.locale, u.disabled_at, u.last_login_at, u.created_at';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: 'en' | 'ja';
  disabled_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

function toUser(r: UserRow): User {
  return {
    id: Number(r.id),
    email: r.email,
    name: r.name,
    role: r.role,
    locale: r.locale,
    disabledAt: r.disabled_at,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
  };
}

/** The account with this address (any case), with its password hash for the login check. */
export async function userForLogin(
  db: Queryable,
  email: string,
): Promise<(User & { passwordHash: string }) | undefined> {
  const res = await db.query<UserRow & { password_hash: string }>(
    `SELECT ${userColumns}, password_hash FROM users WHERE lower(email) = lower($1)`,
    [email],
  );
  const row = res.rows[0];
  return row && { ...toUser(row), passwordHash: row.password_hash };
}

/** The account with this id. */
export async function userById(db: Queryable, id: number): Promise<User | undefined> {
  const res = await db.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1`, [id]);
  return res.rows[0] && toUser(res.rows[0]);
}

/** The account with this address (any case). */
export async function userByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const res = await db.query<UserRow>(`SELECT ${userColumns} FROM users WHERE lower(email) = lower($1)`, [
    email,
  ]);
  return res.rows[0] && toUser(res.rows[0]);
}

/** Every account, admins first, then by address. */
export async function allUsers(db: Queryable): Promise<User[]> {
  const res = await db.query<UserRow>(
    `SELECT ${userColumns} FROM users
      ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'organiser' THEN 1 ELSE 2 END, lower(email)`,
  );
  return res.rows.map(toUser);
}

/** How many accounts exist. */
export async function userCount(db: Queryable): Promise<number> {
  const res = await db.query<{ n: string }>('SELECT count(*) AS n FROM users');
  return Number(res.rows[0]!.n);
}

/** The oldest active admin, the CLI's default actor. */
export async function firstAdmin(db: Queryable): Promise<User | undefined> {
  const res = await db.query<UserRow>(
    `SELECT ${userColumns} FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id LIMIT 1`,
  );
  return res.rows[0] && toUser(res.rows[0]);
}

/** How many admins can still sign in. */
export async function activeAdminCount(db: Queryable): Promise<number> {
  const res = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL`,
  );
  return Number(res.rows[0]!.n);
}

/** Inserts an account; `unique_violation` (23505) when the address is taken. */
export async function insertUser(
  db: Queryable,
  u: { email: string; name: string; role: Role; passwordHash: string; locale: 'en' | 'ja'; at: Date },
): Promise<User> {
  const res = await db.query<UserRow>(
    `INSERT INTO users (email, name, role, password_hash, locale, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${userColumns}`,
    [u.email, u.name, u.role, u.passwordHash, u.locale, u.at],
  );
  return toUser(res.rows[0]!);
}

/** Changes an account's role and whether it may sign in. */
export async function updateUserAccess(
  db: Queryable,
  id: number,
  a: { role: Role; disabled: boolean; at: Date },
): Promise<User | undefined> {
  const res = await db.query<UserRow>(
    `UPDATE users SET role = $2,
       disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, $4) ELSE NULL END, updated_at = $4
     WHERE id = $1 RETURNING ${userColumns}`,
    [id, a.role, a.disabled, a.at],
  );
  return res.rows[0] && toUser(res.rows[0]);
}

/** Replaces an account's password hash. */
export async function setPasswordHash(
  db: Queryable,
  id: number,
  passwordHash: string,
  at: Date,
): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1', [
    id,
    passwordHash,
    at,
  ]);
}

/** Records a successful sign-in. */
export async function recordLogin(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [id, at]);
}

/** Whether the account owns the event or was added to it. */
export async function isEventMember(db: Queryable, eventId: number, userId: number): Promise<boolean> {
  const res = await db.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM events WHERE id = $1 AND owner_id = $2)
         OR EXISTS (SELECT 1 FROM event_members WHERE event_id = $1 AND user_id = $2) AS yes`,
    [eventId, userId],
  );
  return res.rows[0]!.yes;
}

/** Ids of the events an account owns or was added to. */
export async function memberEventIds(db: Queryable, userId: number): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    `SELECT id FROM events WHERE owner_id = $1
     UNION SELECT event_id FROM event_members WHERE user_id = $1`,
    [userId],
  );
  return res.rows.map((r) => Number(r.id));
}

/** The event's owner and added accounts. */
export async function eventMembers(db: Queryable, eventId: number): Promise<(User & { owner: boolean })[]> {
  const res = await db.query<UserRow & { owner: boolean }>(
    `SELECT ${userColumnsOfU}, (e.owner_id = u.id) AS owner
       FROM users u JOIN events e ON e.id = $1
      WHERE e.owner_id = u.id OR u.id IN (SELECT user_id FROM event_members WHERE event_id = $1)
      ORDER BY owner DESC, lower(u.email)`,
    [eventId],
  );
  return res.rows.map((r) => ({ ...toUser(r), owner: r.owner }));
}

/** Adds an account to an event (nothing when it is already there). */
export async function addEventMember(
  db: Queryable,
  eventId: number,
  userId: number,
  at: Date,
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO event_members (event_id, user_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [eventId, userId, at],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Removes an added account from an event. */
export async function removeEventMember(db: Queryable, eventId: number, userId: number): Promise<boolean> {
  const res = await db.query('DELETE FROM event_members WHERE event_id = $1 AND user_id = $2', [
    eventId,
    userId,
  ]);
  return (res.rowCount ?? 0) > 0;
}

/** Makes an account the owner of an event (events created in the workspace or through the API). */
export async function setEventOwner(db: Queryable, eventId: number, userId: number): Promise<void> {
  await db.query('UPDATE events SET owner_id = $2 WHERE id = $1', [eventId, userId]);
}

const tokenColumns = 'id, user_id, name, created_at, last_used_at, revoked_at';
const tokenColumnsOfT = 't.id, t.user_id, t.name, t.created_at, t.last_used_at, t.revoked_at';

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toToken(r: TokenRow): ApiToken {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** Stores a new API token's hash. */
export async function insertApiToken(
  db: Queryable,
  t: { userId: number; name: string; hash: Buffer; at: Date },
): Promise<ApiToken> {
  const res = await db.query<TokenRow>(
    `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)
     RETURNING ${tokenColumns}`,
    [t.userId, t.name, t.hash, t.at],
  );
  return toToken(res.rows[0]!);
}

/** The live (not revoked) token with this hash, and its account. */
export async function liveTokenByHash(db: Queryable, hash: Buffer): Promise<ApiToken | undefined> {
  const res = await db.query<TokenRow>(
    `SELECT ${tokenColumns} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
    [hash],
  );
  return res.rows[0] && toToken(res.rows[0]);
}

/** Notes that a token was used; at most once a minute, so busy clients do not write on every call. */
export async function touchApiToken(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE api_tokens SET last_used_at = $2
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, at],
  );
}

/** Tokens an account created, newest first; every token for admins when `userId` is null. */
export async function apiTokens(
  db: Queryable,
  userId: number | null,
): Promise<(ApiToken & { email: string })[]> {
  const res = await db.query<TokenRow & { email: string }>(
    `SELECT ${tokenColumnsOfT}, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE $1::bigint IS NULL OR t.user_id = $1 ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id DESC`,
    [userId],
  );
  return res.rows.map((r) => ({ ...toToken(r), email: r.email }));
}

/** Revokes a token; `userId` limits it to that account's own tokens (null: any, for admins). */
export async function revokeApiTokenRow(
  db: Queryable,
  id: number,
  userId: number | null,
  at: Date,
): Promise<ApiToken | undefined> {
  const res = await db.query<TokenRow>(
    `UPDATE api_tokens SET revoked_at = $3
      WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2) AND revoked_at IS NULL
      RETURNING ${tokenColumns}`,
    [id, userId, at],
  );
  return res.rows[0] && toToken(res.rows[0]);
}

/** Deletes signed-in sessions past their expiry (the `sessions` table). Returns how many went. */
export async function deleteExpiredSessions(db: Queryable, now: Date): Promise<number> {
  const res = await db.query('DELETE FROM sessions WHERE expire < $1', [now]);
  return res.rowCount ?? 0;
}

/**
 * Ends every signed-in session of an account. express-session keeps the account id inside the `sess`
 * JSON (see `src/admin/session.ts`); compared as text so a session without one is simply skipped.
 */
export async function deleteSessionsOfUser(db: Queryable, userId: number): Promise<number> {
  const res = await db.query(`DELETE FROM sessions WHERE sess->>'userId' = $1::bigint::text`, [userId]);
  return res.rowCount ?? 0;
}

/** Stores an account's reset link, replacing the one it had (only one link per account is good). */
export async function upsertResetLink(
  db: Queryable,
  r: { userId: number; hash: Buffer; createdBy: number; at: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO password_reset_links (user_id, token_hash, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
       created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
    [r.userId, r.hash, r.createdBy, r.at, r.expiresAt],
  );
}

/** The account whose unexpired reset link has this hash; `lock` holds the link until the transaction ends. */
export async function userForResetLink(
  db: Queryable,
  hash: Buffer,
  now: Date,
  lock = false,
): Promise<User | undefined> {
  const res = await db.query<UserRow>(
    `SELECT ${userColumnsOfU} FROM password_reset_links r JOIN users u ON u.id = r.user_id
      WHERE r.token_hash = $1 AND r.expires_at > $2${lock ? ' FOR UPDATE OF r' : ''}`,
    [hash, now],
  );
  return res.rows[0] && toUser(res.rows[0]);
}

/** Forgets an account's reset link (used, or no longer needed). */
export async function deleteResetLink(db: Queryable, userId: number): Promise<void> {
  await db.query('DELETE FROM password_reset_links WHERE user_id = $1', [userId]);
}

/** Deletes reset links past their expiry (the worker's housekeeping). Returns how many went. */
export async function deleteExpiredResetLinks(db: Queryable, now: Date): Promise<number> {
  const res = await db.query('DELETE FROM password_reset_links WHERE expires_at <= $1', [now]);
  return res.rowCount ?? 0;
}
