/**
 * The audit log as other folders see it: append a business fact inside the transaction that made it
 * true, and read an event's trail for the workspace. `audit_log` is written and read only here.
 */
export { insertAuditEntry, auditEntriesForEvent, type AuditEntry, type AuditRecord } from './audit.queries';
export { readableEntries, actorLabel, type ReadableEntry, type ReadableChange } from './readable';
export {
  auditEntriesAbout,
  scrubAuditEntries,
  type PersonalValues,
  scrubbedValue,
  erasedMark,
  type PersonAuditEntry,
} from './erasure';
