import { prepared, type Queryable } from '../db/pool';

/** One business fact for the audit trail: who did what to which event or registration. */
export interface AuditEntry {
  actor: string;
  /** The organiser account that acted, when one did. */
  userId?: number | null;
  action: string;
  eventId?: number | null;
  registrationId?: number | null;
  data?: Record<string, unknown>;
  at: Date;
}

const insertSql = prepared(
  'audit.insert',
  `INSERT INTO audit_log (occurred_at, actor, action, event_id, registration_id, data, user_id)
   VALUES ($1, $2, $3, $4, $5, $6, $7)`,
);

/** Appends to the audit log, inside the caller's transaction so the fact and its record agree. */
export async function insertAuditEntry(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    insertSql([
      e.at,
      e.actor,
      e.action,
      e.eventId ?? null,
      e.registrationId ?? null,
      JSON.stringify(e.data ?? {}),
      e.userId ?? null,
    ]),
  );
}

/** One line of an event's activity as the workspace shows it. */
export interface AuditRecord {
  id: number;
  occurredAt: Date;
  actor: string;
  /** The organiser account that acted, and its name as the account has it now (for the workspace). */
  userId: number | null;
  userName: string | null;
  action: string;
  registrationId: number | null;
  data: Record<string, unknown>;
}

/** An event's audit trail (or one registration's part of it), newest first, at most `limit` entries. */
export async function auditEntriesForEvent(
  db: Queryable,
  eventId: number,
  opts: { registrationId?: number; limit?: number } = {},
): Promise<AuditRecord[]> {
  const res = await db.query<{
    id: string;
    occurred_at: Date;
    actor: string;
    user_id: string | null;
    user_name: string | null;
    action: string;
    registration_id: string | null;
    data: Record<string, unknown>;
  }>(
    `SELECT a.id, a.occurred_at, a.actor, a.user_id, u.name AS user_name, a.action, a.registration_id, a.data
       FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
      WHERE a.event_id = $1 AND ($3::bigint IS NULL OR a.registration_id = $3)
      ORDER BY a.occurred_at DESC, a.id DESC LIMIT $2`,
    [eventId, opts.limit ?? 500, opts.registrationId ?? null],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    occurredAt: r.occurred_at,
    actor: r.actor,
    userId: r.user_id === null ? null : Number(r.user_id),
    userName: r.user_name,
    action: r.action,
    registrationId: r.registration_id === null ? null : Number(r.registration_id),
    data: r.data,
  }));
}
