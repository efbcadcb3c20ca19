-- How long an event keeps its registrants' personal data after it ends. Events that exist now keep it
-- (0 = keep forever) until an organiser decides; new events default to a year.
ALTER TABLE events
  ADD COLUMN retention_days integer NOT NULL DEFAULT 0 CHECK (retention_days >= 0),
  -- When the worker anonymised the event's registrations, retention_days after its end.
  ADD COLUMN anonymised_at timestamptz;
ALTER TABLE events ALTER COLUMN retention_days SET DEFAULT 365;

-- When the registration's personal data was erased (by the retention period or a person's request).
-- Its status, affiliation, country, languages and attendance stay, for counts and breakdowns.
ALTER TABLE registrations ADD COLUMN erased_at timestamptz;
