-- Approval of registrations: an event may ask the organisers to approve each new registration. Until
-- they do, the registration is `pending` and holds no seat (event_seats counts only `confirmed`); a
-- declined one is `declined`, with the organisers' reason in each language they gave, for its mail.
ALTER TABLE events ADD COLUMN approval boolean NOT NULL DEFAULT false;

ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations
  ADD CONSTRAINT registrations_status_check
    CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'pending', 'declined'));

ALTER TABLE registrations ADD COLUMN decline_reason jsonb;
ALTER TABLE registrations ADD COLUMN decided_at timestamptz;

-- The organisers' list of registrations awaiting their decision, oldest first.
CREATE INDEX registrations_awaiting_approval ON registrations (event_id, created_at, id) WHERE status = 'pending';
