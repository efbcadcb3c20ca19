-- Confirmed seats counted in up to 16 rows per event (stripes) rather than one, so that registrations
-- for one event no longer queue behind each other's commits. With one row, every confirmation locked it
-- until its COMMIT had been flushed to disk, and the next confirmation waited for that flush: an event
-- could confirm only as many people a second as the disk flushes one after another. Each transaction now
-- adds to the stripe of its own server process (pg_backend_pid() % 16); the count is their sum.
--
-- Capacity stays exact: registrations from the form hold the event row with a SHARE lock and confirm
-- only while the sum they see, plus one seat for every other connection the server allows (each of
-- which could be confirming someone right now, unseen), stays within the capacity
-- (seats_within_capacity below; src/registrations/registrations.service.ts checks the same before it
-- writes). Closer to the capacity than that, a registration is decided under the event's exclusive lock,
-- which waits for every SHARE holder, so the sum it reads is exact; every other seat decision
-- (promotions, approvals, an organiser's addition) takes that exclusive lock already.
ALTER TABLE event_seats DROP CONSTRAINT event_seats_pkey;
-- One stripe may go below zero (a seat taken in one stripe and given back in another); the sum cannot.
ALTER TABLE event_seats DROP CONSTRAINT event_seats_confirmed_check;
ALTER TABLE event_seats ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
ALTER TABLE event_seats ADD PRIMARY KEY (event_id, stripe);

CREATE OR REPLACE FUNCTION event_seats_for_new_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_seats (event_id) SELECT id FROM new_events ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION event_seats_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mine smallint := pg_backend_pid() % 16;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_seats AS s (event_id, stripe, confirmed)
    SELECT event_id, mine, count(*) FROM new_rows WHERE status = 'confirmed' GROUP BY event_id
    ON CONFLICT (event_id, stripe) DO UPDATE SET confirmed = s.confirmed + EXCLUDED.confirmed;
  ELSIF TG_OP = 'DELETE' THEN
    -- Registrations deleted with their event (ON DELETE CASCADE) leave no count behind for it.
    INSERT INTO event_seats AS s (event_id, stripe, confirmed)
    SELECT o.event_id, mine, -count(*) FROM old_rows o
     WHERE o.status = 'confirmed' AND EXISTS (SELECT 1 FROM events e WHERE e.id = o.event_id)
     GROUP BY o.event_id
    ON CONFLICT (event_id, stripe) DO UPDATE SET confirmed = s.confirmed + EXCLUDED.confirmed;
  ELSE
    INSERT INTO event_seats AS s (event_id, stripe, confirmed)
    SELECT event_id, mine, sum(n)
      FROM (SELECT event_id, 1 AS n FROM new_rows WHERE status = 'confirmed'
            UNION ALL
            SELECT event_id, -1 FROM old_rows WHERE status = 'confirmed') x
     GROUP BY event_id HAVING sum(n) <> 0
    ON CONFLICT (event_id, stripe) DO UPDATE SET confirmed = s.confirmed + EXCLUDED.confirmed;
  END IF;
  RETURN NULL;
END $$;

-- A registration from the form, right after its insert and under the event's SHARE lock: the seats it
-- can see (every committed seat and its own) plus one for every other connection the server allows must
-- stay within the capacity, else it is refused with its own SQLSTATE (and decided again under the
-- exclusive lock, src/registrations/registrations.service.ts). Returns the seats it saw.
CREATE OR REPLACE FUNCTION seats_within_capacity(p_event_id bigint, p_capacity integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  taken integer;
  unseen integer := current_setting('max_connections')::integer - 1;
BEGIN
  SELECT coalesce(sum(confirmed), 0) INTO taken FROM event_seats WHERE event_id = p_event_id;
  IF taken + unseen > p_capacity THEN
    RAISE EXCEPTION 'event % has % confirmed seats; with % connections unseen it may exceed its capacity %',
      p_event_id, taken, unseen, p_capacity
      USING ERRCODE = 'TS001';
  END IF;
  RETURN taken;
END $$;
