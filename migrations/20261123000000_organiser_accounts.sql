-- Organiser accounts, who may work on which event, API tokens, sessions, and who did what.

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email          text NOT NULL,
  name           text NOT NULL DEFAULT '',
  -- admin: accounts and every event; organiser: events they own or were added to; viewer: read and export.
  role           text NOT NULL CHECK (role IN ('admin', 'organiser', 'viewer')),
  -- argon2id PHC string.
  password_hash  text NOT NULL,
  locale         text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'ja')),
  disabled_at    timestamptz,
  last_login_at  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- The account that created an event (kept when the account goes).
ALTER TABLE events ADD COLUMN owner_id bigint REFERENCES users (id) ON DELETE SET NULL;

-- Accounts added to an event besides its owner. An organiser member edits; a viewer member reads.
CREATE TABLE event_members (
  event_id    bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_members_by_user ON event_members (user_id);

-- Bearer tokens for the REST API. Only the SHA-256 is kept; the token acts with its owner's rights.
CREATE TABLE api_tokens (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash    bytea NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Signed-in sessions (connect-pg-simple's layout).
CREATE TABLE sessions (
  sid     varchar NOT NULL PRIMARY KEY,
  sess    json NOT NULL,
  expire  timestamp(6) NOT NULL
);
CREATE INDEX sessions_expire ON sessions (expire);

-- The audit trail now knows which account acted.
ALTER TABLE audit_log ADD COLUMN user_id bigint REFERENCES users (id) ON DELETE SET NULL;

-- Organiser list filters and exports walk an event's registrations in these orders.
CREATE INDEX registrations_by_event_created ON registrations (event_id, created_at, id);
