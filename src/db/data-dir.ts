import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets the product generates for itself on first start and keeps in DATA_DIR/secrets.json (mode
 * 0600): the embedded server's superuser password and, unless SESSION_SECRET is set, the key that signs
 * cookies and CSRF tokens. Kept so that a restart does not log everybody out or lock us out of our data.
 */
export interface LocalSecrets {
  postgresPassword: string;
  sessionSecret: string;
}

/** Reads DATA_DIR/secrets.json, creating it (and the folder) with fresh random values when missing. */
export function localSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secrets: LocalSecrets = {
    postgresPassword: crypto.randomBytes(24).toString('base64url'),
    sessionSecret: crypto.randomBytes(32).toString('base64url'),
  };
  try {
    // 'wx' fails if another process created the file a moment ago; then read theirs.
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
  }
}
