-- "Does this event have Zoom minutes?" is asked for every row of a registration list. (IF NOT EXISTS:
-- some databases got this index earlier from a development build.)
CREATE INDEX IF NOT EXISTS zoom_registrants_with_minutes ON zoom_registrants (event_id) WHERE minutes IS NOT NULL;
