-- Confirmed seats per event, kept by triggers on registrations in the same statement as every change
-- (a registration, a cancellation, a promotion, a restore, a deletion), so how many seats are taken is
-- one row to read, however many registrations an event has. Seat decisions still happen under the
-- event row lock (src/registrations README, "Lock order"); this row only replaces count(*).
CREATE TABLE event_seats (
  event_id  bigint PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  confirmed integer NOT NULL DEFAULT 0 CHECK (confirmed >= 0)
);

INSERT INTO event_seats (event_id, confirmed)
SELECT e.id, count(r.id) FILTER (WHERE r.status = 'confirmed')
  FROM events e LEFT JOIN registrations r ON r.event_id = e.id
 GROUP BY e.id;

-- Every event has its row from the start, so a locking read of it always finds one.
CREATE FUNCTION event_seats_for_new_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_seats (event_id) SELECT id FROM new_events ON CONFLICT (event_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER event_seats_for_new_events AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION event_seats_for_new_events();

-- Adds the confirmed rows a statement created and subtracts those it removed, per event. Statement-level
-- with transition tables, so a bulk insert of 100,000 registrations updates each event's row once.
CREATE FUNCTION event_seats_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_seats AS s (event_id, confirmed)
    SELECT event_id, count(*) FROM new_rows WHERE status = 'confirmed' GROUP BY event_id
    ON CONFLICT (event_id) DO UPDATE SET confirmed = s.confirmed + EXCLUDED.confirmed;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE event_seats s SET confirmed = s.confirmed - d.n
      FROM (SELECT event_id, count(*) AS n FROM old_rows WHERE status = 'confirmed' GROUP BY event_id) d
     WHERE s.event_id = d.event_id;
  ELSE
    UPDATE event_seats s SET confirmed = s.confirmed + d.n
      FROM (SELECT event_id, sum(n) AS n
              FROM (SELECT event_id, 1 AS n FROM new_rows WHERE status = 'confirmed'
                    UNION ALL
                    SELECT event_id, -1 FROM old_rows WHERE status = 'confirmed') x
             GROUP BY event_id HAVING sum(n) <> 0) d
     WHERE s.event_id = d.event_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER event_seats_on_insert AFTER INSERT ON registrations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_seats_count();
CREATE TRIGGER event_seats_on_update AFTER UPDATE ON registrations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_seats_count();
CREATE TRIGGER event_seats_on_delete AFTER DELETE ON registrations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_seats_count();

-- Emptying registrations (tests, a reset) empties every count too.
CREATE FUNCTION event_seats_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_seats SET confirmed = 0 WHERE confirmed <> 0;
  RETURN NULL;
END $$;

CREATE TRIGGER event_seats_on_truncate AFTER TRUNCATE ON registrations
  FOR EACH STATEMENT EXECUTE FUNCTION event_seats_reset();
