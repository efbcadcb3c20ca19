-- A mail waiting to be delivered is 'queued', so that mail delivery states and registration statuses
-- (which gain 'pending': awaiting the organisers' approval) never share a word.
ALTER TABLE outgoing_mails DROP CONSTRAINT outgoing_mails_status_check;
UPDATE outgoing_mails SET status = 'queued' WHERE status = 'pending';
ALTER TABLE outgoing_mails
  ALTER COLUMN status SET DEFAULT 'queued',
  ADD CONSTRAINT outgoing_mails_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped'));

DROP INDEX outgoing_mails_due;
CREATE INDEX outgoing_mails_due ON outgoing_mails (next_attempt_at) WHERE status IN ('queued', 'sending');
