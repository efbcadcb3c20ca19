-- Zoom: an event may link a Zoom webinar or meeting; each confirmed registrant is registered on it and
-- keeps Zoom's registrant id and personal join URL; attendance comes from Zoom (webhooks, the report,
-- or the report's CSV) when there is any.

ALTER TABLE events
  ADD COLUMN zoom_kind text CHECK (zoom_kind IN ('webinar', 'meeting')),
  ADD COLUMN zoom_id text CHECK (zoom_id ~ '^[0-9]{9,12}$'),
  -- Minutes present on Zoom that count as having attended.
  ADD COLUMN attendance_minutes integer NOT NULL DEFAULT 10 CHECK (attendance_minutes BETWEEN 1 AND 1440),
  ADD CONSTRAINT events_zoom_both CHECK ((zoom_kind IS NULL) = (zoom_id IS NULL));

-- One row per registration that has (or had, or should have) a place on the event's Zoom webinar.
-- Owned by src/zoom.
CREATE TABLE zoom_registrants (
  registration_id  bigint PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  zoom_id          text NOT NULL,
  -- pending: to register; registered: Zoom knows them; failed: Zoom refused for good (error says why);
  -- cancelled: cancelled on Zoom.
  state            text NOT NULL CHECK (state IN ('pending', 'registered', 'failed', 'cancelled')),
  registrant_id    text,
  join_url         text,
  error            text,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  -- Minutes present, from the participant report or its CSV (webhook stays are in zoom_presence).
  minutes          integer,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX zoom_registrants_by_event ON zoom_registrants (event_id, state);

-- Stays on Zoom reported by webhooks (participant joined / left).
CREATE TABLE zoom_presence (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  registration_id  bigint REFERENCES registrations (id) ON DELETE CASCADE,
  participant_key  text NOT NULL,
  email            text,
  joined_at        timestamptz NOT NULL,
  left_at          timestamptz
);
CREATE INDEX zoom_presence_by_event ON zoom_presence (event_id, registration_id);
