-- Invitations: an event's invitees (imported from a contact list), their personal links, and their mails.

CREATE TABLE invitees (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  email            text NOT NULL,
  family_name      text NOT NULL DEFAULT '',
  given_name       text NOT NULL DEFAULT '',
  organisation     text NOT NULL DEFAULT '',
  locale           text NOT NULL CHECK (locale IN ('en', 'ja')),
  created_at       timestamptz NOT NULL,
  -- When the invitation was written to the outbox (one click sends to everyone without it).
  invited_at       timestamptz,
  -- The registration made through the invitation link.
  registration_id  bigint REFERENCES registrations (id) ON DELETE SET NULL,
  unsubscribed_at  timestamptz
);

-- One invitee per address and event, whatever its case.
CREATE UNIQUE INDEX invitees_event_email ON invitees (event_id, lower(email));
CREATE INDEX invitees_unsubscribed_email ON invitees (lower(email)) WHERE unsubscribed_at IS NOT NULL;

-- Personal links of an invitee: open the pre-filled form, or unsubscribe. Only the SHA-256 is stored.
CREATE TABLE invitation_links (
  hash             bytea PRIMARY KEY,
  invitee_id       bigint NOT NULL REFERENCES invitees (id) ON DELETE CASCADE,
  purpose          text NOT NULL CHECK (purpose IN ('register', 'unsubscribe')),
  mail_id          bigint REFERENCES outgoing_mails (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL
);

-- Invitation mails belong to an invitee, not a registration; each topic ('invitation',
-- 'invitation-reminder:2') at most once per invitee.
ALTER TABLE outgoing_mails ADD COLUMN invitee_id bigint REFERENCES invitees (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX outgoing_mails_one_per_invitee_topic ON outgoing_mails (invitee_id, topic)
  WHERE invitee_id IS NOT NULL AND topic IS NOT NULL;
