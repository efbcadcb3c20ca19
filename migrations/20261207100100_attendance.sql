-- "Attended": minutes on Zoom when Zoom data exists, else a join-link click between 30 minutes before
-- the start and the end. The first click inside that window is kept apart from the first click ever.
ALTER TABLE registrations ADD COLUMN window_joined_at timestamptz;

UPDATE registrations r
   SET window_joined_at = CASE
         WHEN r.first_joined_at BETWEEN e.starts_at - interval '30 minutes' AND e.ends_at THEN r.first_joined_at
         WHEN r.last_joined_at BETWEEN e.starts_at - interval '30 minutes' AND e.ends_at THEN r.last_joined_at
       END
  FROM events e
 WHERE e.id = r.event_id AND r.first_joined_at IS NOT NULL;
