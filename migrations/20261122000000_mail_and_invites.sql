-- Mail delivery, personal links and calendar invites.

-- Links to seminar materials ({title: {en, ja}, url}) and whether mails carry both languages.
ALTER TABLE events
  ADD COLUMN materials      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(materials) = 'array'),
  ADD COLUMN bilingual_mail boolean NOT NULL DEFAULT false;

-- Secret links (join, manage). Each mail gets fresh tokens; every token stays valid, so an old mail's
-- links keep working. Only the SHA-256 of a token is stored.
CREATE TABLE registration_tokens (
  hash             bytea PRIMARY KEY,
  registration_id  bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
  purpose          text NOT NULL CHECK (purpose IN ('join', 'manage')),
  mail_id          bigint REFERENCES outgoing_mails (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registration_tokens_by_registration ON registration_tokens (registration_id);

INSERT INTO registration_tokens (hash, registration_id, purpose, created_at)
  SELECT manage_token_hash, id, 'manage', created_at FROM registrations;
ALTER TABLE registrations DROP COLUMN manage_token_hash;

ALTER TABLE registrations
  -- Raised when the registrant's own invite changes without the event changing (they cancelled, or were
  -- restored); the invite SEQUENCE is events.revision + invite_revision, so it only ever rises.
  ADD COLUMN invite_revision  integer NOT NULL DEFAULT 0,
  -- What the registrant's calendar holds since the last invite we sent:
  -- {"sequence", "method", "startsAt", "endsAt", "title", "meetingUrl"}.
  ADD COLUMN invite_sent      jsonb,
  ADD COLUMN promoted_at      timestamptz,
  -- Attendance, from the personal join link.
  ADD COLUMN first_joined_at  timestamptz,
  ADD COLUMN last_joined_at   timestamptz,
  ADD COLUMN join_clicks      integer NOT NULL DEFAULT 0;

CREATE INDEX registrations_waiting ON registrations (event_id, created_at, id) WHERE status = 'waitlisted';

ALTER TABLE outgoing_mails DROP CONSTRAINT outgoing_mails_status_check;
ALTER TABLE outgoing_mails
  ADD CONSTRAINT outgoing_mails_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
  -- A temporary failure puts the row back to pending with the time of its next attempt.
  ADD COLUMN next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- While a worker sends, the row is 'sending' until this instant; after it another worker may take over.
  ADD COLUMN locked_until     timestamptz,
  ADD COLUMN message_id       text,
  ADD COLUMN subject          text;

DROP INDEX outgoing_mails_pending;
CREATE INDEX outgoing_mails_due ON outgoing_mails (next_attempt_at) WHERE status IN ('pending', 'sending');
