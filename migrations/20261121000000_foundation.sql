-- Events, registrations, the outgoing-mail record, the audit trail and a little state.
-- Written for PostgreSQL 15 and later (the embedded server is 17).

CREATE TABLE events (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$'),
  status                 text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
  -- Per-language text: {"en": "...", "ja": "..."}; either language may be missing.
  title                  jsonb NOT NULL CHECK (jsonb_typeof(title) = 'object'),
  summary                jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(summary) = 'object'),
  description            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(description) = 'object'),
  programme              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(programme) = 'object'),
  organisers             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(organisers) = 'object'),
  starts_at              timestamptz NOT NULL,
  ends_at                timestamptz NOT NULL,
  timezone               text NOT NULL,
  display_timezones      text[] NOT NULL DEFAULT ARRAY['Asia/Tokyo', 'Europe/Zurich'],
  registration_opens_at  timestamptz,
  registration_closes_at timestamptz,
  capacity               integer CHECK (capacity IS NULL OR capacity > 0),
  waitlist               boolean NOT NULL DEFAULT false,
  meeting_url            text,
  meeting_passcode       text,
  contact_email          text,
  questions              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(questions) = 'array'),
  reminders              text[] NOT NULL DEFAULT ARRAY['P1D', 'PT1H'],
  -- Rises with every change attendees must hear about; becomes the calendar invite's SEQUENCE.
  revision               integer NOT NULL DEFAULT 0,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (registration_opens_at IS NULL OR registration_closes_at IS NULL
         OR registration_closes_at > registration_opens_at)
);

CREATE INDEX events_upcoming ON events (starts_at) WHERE status = 'published';

CREATE TABLE registrations (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id           bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  status             text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
  email              text NOT NULL,
  family_name        text NOT NULL,
  given_name         text NOT NULL,
  family_name_kana   text,
  given_name_kana    text,
  organisation       text,
  affiliation        text NOT NULL,
  country            char(2) NOT NULL,
  locale             text NOT NULL CHECK (locale IN ('en', 'ja')),
  interpretation     text NOT NULL CHECK (interpretation IN ('en', 'ja')),
  answers            jsonb NOT NULL DEFAULT '{}',
  consented_at       timestamptz NOT NULL,
  -- SHA-256 of the manage token; the token itself is only ever in the registrant's mail.
  manage_token_hash  bytea NOT NULL UNIQUE,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  cancelled_at       timestamptz
);

-- One live registration per address and event, whatever the case of the address.
CREATE UNIQUE INDEX registrations_one_per_email
  ON registrations (event_id, lower(email)) WHERE status <> 'cancelled';
CREATE INDEX registrations_by_event ON registrations (event_id, status, created_at, id);

-- Every mail the product must send, written in the same transaction as the change that caused it.
CREATE TABLE outgoing_mails (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             text NOT NULL,
  event_id         bigint REFERENCES events (id) ON DELETE CASCADE,
  registration_id  bigint REFERENCES registrations (id) ON DELETE CASCADE,
  recipient        text NOT NULL,
  locale           text NOT NULL CHECK (locale IN ('en', 'ja')),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  -- Secrets the mail needs that are stored nowhere else (the manage token); wiped once delivered.
  payload          jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);

CREATE INDEX outgoing_mails_pending ON outgoing_mails (created_at) WHERE status = 'pending';
CREATE INDEX outgoing_mails_by_registration ON outgoing_mails (registration_id);

-- The business record: who did what, when (technical logs go to stdout instead).
CREATE TABLE audit_log (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at      timestamptz NOT NULL DEFAULT now(),
  actor            text NOT NULL,
  action           text NOT NULL,
  event_id         bigint REFERENCES events (id) ON DELETE CASCADE,
  registration_id  bigint REFERENCES registrations (id) ON DELETE CASCADE,
  data             jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_log_by_event ON audit_log (event_id, occurred_at);

-- Fixed-window counters shared by every web process.
CREATE TABLE rate_limit_hits (
  bucket        text NOT NULL,
  window_start  timestamptz NOT NULL,
  hits          integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);

-- Facts about this installation, such as whether the demo event was ever seeded.
CREATE TABLE app_state (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
