-- One-time links with which an admin lets another account choose a new password. At most one per
-- account (a new link replaces the previous one); only the SHA-256 of the token is kept; the row goes
-- when the link is used.
CREATE TABLE password_reset_links (
  user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  token_hash  bytea NOT NULL UNIQUE,
  created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
