-- Uploaded files of an event (PDF materials for its registrants), kept in the database itself: backups
-- then hold them, and every web process serves them without a shared disk. The limits (20 MB per file,
-- 30 files per event) are enforced in src/events/files.service.ts; the checks here are a backstop.

CREATE TABLE event_files (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id      bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  -- {"en": "...", "ja": "..."}: at least one language.
  title         jsonb NOT NULL CHECK (
                  jsonb_typeof(title) = 'object'
                  AND (coalesce(title->>'en', '') <> '' OR coalesce(title->>'ja', '') <> '')
                ),
  -- The uploader's file name, sanitised (no path, no control characters); the download's name.
  filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
  content_type  text NOT NULL CHECK (content_type = 'application/pdf'),
  size_bytes    integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 20971520),
  -- Hex SHA-256 of the bytes, to tell identical uploads apart from different ones.
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  data          bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    bigint REFERENCES users (id) ON DELETE SET NULL,
  CHECK (octet_length(data) = size_bytes)
);
CREATE INDEX event_files_by_event ON event_files (event_id, created_at, id);

-- PDFs are compressed already: store them out of line without trying to compress them again.
ALTER TABLE event_files ALTER COLUMN data SET STORAGE EXTERNAL;
