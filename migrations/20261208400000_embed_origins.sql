-- Web origins whose pages may show an event's compact form in a frame (Content-Security-Policy
-- frame-ancestors on its `?embed=1` pages); empty means no site may frame it.
ALTER TABLE events
  ADD COLUMN embed_origins text[] NOT NULL DEFAULT '{}' CHECK (cardinality(embed_origins) <= 10);
