import type { Queryable } from '../db/pool';

/** One business fact for the audit trail: who did what to which event or registration. */
export interface AuditEntry {
  actor: string;
  action: string;
  eventId?: number | null;
  registrationId?: number | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** Appends to the audit log, inside the caller's transaction so the fact and its record agree. */
export async function insertAuditEntry(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (occurred_at, actor, action, event_id, registration_id, data)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [e.at, e.actor, e.action, e.eventId ?? null, e.registrationId ?? null, JSON.stringify(e.data ?? {})],
  );
}
