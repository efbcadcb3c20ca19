-- The exact seat count of an event, or an error when it exceeds the capacity given. A registration from
-- the form sends this right after its insert, together with its other writes and COMMIT, without waiting
-- for their answers (src/registrations/registrations.service.ts): an oversold attempt must then abort its
-- own transaction, so that the COMMIT behind it rolls back, rather than return a number nobody looks at
-- before the commit. The insert's trigger has locked the count's row (event_seats), so the count read
-- here includes every committed seat and this transaction's own.
CREATE FUNCTION seats_within_capacity(p_event_id bigint, p_capacity integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  taken integer;
BEGIN
  SELECT confirmed INTO taken FROM event_seats WHERE event_id = p_event_id;
  IF taken > p_capacity THEN
    -- Its own SQLSTATE, so the application tells this refusal from any other failure.
    RAISE EXCEPTION 'event % has % confirmed seats, more than its capacity %', p_event_id, taken, p_capacity
      USING ERRCODE = 'TS001';
  END IF;
  RETURN coalesce(taken, 0);
END $$;
