-- Reminders, the follow-up after an event, the organiser's messages, and unsubscribing from them.

-- The follow-up mail after the end: {"after": "PT2H", "attended": {"en","ja"}, "absent": {"en","ja"},
-- "materials": [{title, url}]}; null means none.
ALTER TABLE events
  ADD COLUMN follow_up jsonb CHECK (follow_up IS NULL OR jsonb_typeof(follow_up) = 'object');

-- Set when the registrant unsubscribed (one-click or the page): no more reminders, follow-up or
-- messages for this registration. Confirmations and change notices still go.
ALTER TABLE registrations
  ADD COLUMN unsubscribed_at timestamptz;

-- The unsubscribe link is a token of its own: it can only stop optional mails, never cancel.
ALTER TABLE registration_tokens DROP CONSTRAINT registration_tokens_purpose_check;
ALTER TABLE registration_tokens
  ADD CONSTRAINT registration_tokens_purpose_check CHECK (purpose IN ('join', 'manage', 'unsubscribe'));

-- A message an organiser wrote to all or some registrants of an event.
CREATE TABLE event_messages (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  subject          jsonb NOT NULL CHECK (jsonb_typeof(subject) = 'object'),
  body             jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
  -- The attendee-list filters that chose the recipients ({} = every live registrant).
  filters          jsonb NOT NULL DEFAULT '{}',
  -- How many recipients the organiser was shown before sending, and how many were written.
  expected         integer NOT NULL,
  recipients       integer,
  user_id          bigint REFERENCES users (id) ON DELETE SET NULL,
  actor            text NOT NULL,
  -- The sending form's (or the API's Idempotency-Key) one-time key: sending twice records one message.
  send_key         text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- Set once every recipient's mail row exists (the fan-out ran to the end).
  queued_at        timestamptz
);
CREATE INDEX event_messages_by_event ON event_messages (event_id, created_at);
CREATE UNIQUE INDEX event_messages_one_per_key ON event_messages (event_id, send_key) WHERE send_key IS NOT NULL;

-- What a mail is about, unique per registration: 'reminder:PT1H', 'follow-up', 'message:17'. The unique
-- index is what makes each reminder, follow-up and message reach a registration at most once, whatever
-- number of workers look for due ones at the same time.
ALTER TABLE outgoing_mails
  ADD COLUMN topic             text,
  ADD COLUMN event_message_id  bigint REFERENCES event_messages (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX outgoing_mails_one_per_topic ON outgoing_mails (registration_id, topic)
  WHERE topic IS NOT NULL;
CREATE INDEX outgoing_mails_by_message ON outgoing_mails (event_message_id, status)
  WHERE event_message_id IS NOT NULL;
CREATE INDEX outgoing_mails_by_event_topic ON outgoing_mails (event_id, topic, status)
  WHERE topic IS NOT NULL;

-- Reminder offsets in one spelling (P1D, PT1H, PT90M), each moment once, the earliest first: a reminder
-- is known by this spelling in its topic. Offsets outside 1 minute to 90 days are dropped.
UPDATE events SET reminders = ARRAY(
  SELECT CASE WHEN m % 1440 = 0 THEN 'P' || (m / 1440) || 'D'
              WHEN m % 60 = 0 THEN 'PT' || (m / 60) || 'H'
              ELSE 'PT' || m || 'M' END
    FROM (SELECT DISTINCT round(extract(epoch FROM r::interval) / 60)::int AS m FROM unnest(reminders) AS r) AS o
   WHERE m BETWEEN 1 AND 129600
   ORDER BY m DESC);
