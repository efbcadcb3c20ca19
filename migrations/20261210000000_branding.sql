-- The organiser profile: the installation's organisation name, accent colour and logo, which each event
-- may override and to which an event adds a cover image. Images live in the database like event files
-- (backups hold them, every web process serves them). An image is never changed once stored: a new
-- upload is a new row, so its URL (which carries its hash) can be cached for good.

CREATE TABLE branding_images (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('logo', 'cover')),
  content_type  text NOT NULL CHECK (content_type IN ('image/png', 'image/svg+xml', 'image/jpeg')),
  data          bytea NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 2097152),
  -- Logos only: the PNG that mails show (Gmail and Outlook do not show SVG); for a PNG logo, its bytes.
  mail_png      bytea,
  width         integer NOT NULL CHECK (width BETWEEN 1 AND 10000),
  height        integer NOT NULL CHECK (height BETWEEN 1 AND 10000),
  -- Hex SHA-256 of `data`: part of the image's URL.
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    bigint REFERENCES users (id) ON DELETE SET NULL,
  CHECK ((kind = 'logo') = (mail_png IS NOT NULL)),
  CHECK (kind = 'logo' OR content_type <> 'image/svg+xml')
);
ALTER TABLE branding_images ALTER COLUMN data SET STORAGE EXTERNAL;

-- The installation's profile: exactly one row. The accent is checked for contrast by the service.
CREATE TABLE installation_branding (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  organisation  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(organisation) = 'object'),
  accent        text CHECK (accent ~ '^#[0-9a-f]{6}$'),
  -- {"id", "sha256", "contentType", "width", "height"} of a branding_images row (kind logo), or null.
  logo          jsonb,
  -- Who changed it is in the audit log (branding.updated); no reference to users, so that removing
  -- accounts never takes the profile with it.
  updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation_branding DEFAULT VALUES;

-- Each event's override (empty: the installation's profile applies) and its cover image.
ALTER TABLE events
  ADD COLUMN brand_organisation jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(brand_organisation) = 'object'),
  ADD COLUMN brand_accent text CHECK (brand_accent ~ '^#[0-9a-f]{6}$'),
  ADD COLUMN brand_logo jsonb,
  ADD COLUMN brand_cover jsonb;
