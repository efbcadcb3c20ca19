import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing with argon2id at OWASP's minimum (19 MiB, two passes, one lane). The parameters
 * travel inside each PHC string, so raising them later only affects new hashes.
 */
const options = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Shortest password we accept; long passphrases are welcome (up to 256 characters). */
export const minPasswordLength = 12;
export const maxPasswordLength = 256;

/** The argon2id PHC string for a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), options);
}

// A hash of a random password, checked when the account does not exist, so that a login for an
// unknown address takes as long as one with a wrong password.
let decoy: Promise<string> | undefined;

/** Whether `password` matches `phc`; with no hash, spends the same time and answers false. */
export async function verifyPassword(phc: string | undefined, password: string): Promise<boolean> {
  if (!phc) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoy, password.normalize('NFC')).catch(() => false);
    return false;
  }
  return verify(phc, password.normalize('NFC')).catch(() => false);
}
