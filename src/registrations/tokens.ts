import crypto from 'node:crypto';

/**
 * Secret links (manage, join): 256 random bits, base64url, of which only the SHA-256 is stored. A
 * database leak therefore reveals no working link.
 */
export function newToken(): { token: string; hash: Buffer } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** The stored form of a token. */
export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token).digest();
}
