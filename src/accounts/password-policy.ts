import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { maxPasswordLength, minPasswordLength } from './passwords';

/**
 * The one password policy, for every way a password is chosen: the setup link, a new account (workspace
 * and CLI), changing one's own, a reset link, `user password`. It refuses, in this order and with the
 * reason as a locale key: too short or too long; containing the account's address or its local part;
 * one of the common passwords zxcvbn-ts ships; a zxcvbn score below 3 (with the address and name as
 * words an attacker would try first). The lists come from maintained packages, not a hand-made list.
 */

/** The lowest zxcvbn score we accept: 3 is "safely unguessable: moderate protection from offline attacks". */
export const minPasswordScore = 3;

/** Local parts shorter than this are not searched for (an `a@…` address would refuse every "a"). */
const minLocalPartLength = 3;

/**
 * zxcvbn looks at this many leading characters. Its matching grows faster than the length (a second of
 * CPU for 256 characters, on the request's thread); 64 characters that score 3 are strong already, and
 * more characters only add to them.
 */
const scoredLength = 64;

// Building the matcher reads ~50,000 dictionary words; done once, on first use, not at import.
let factory: ZxcvbnFactory | undefined;
let commonPasswords: Set<string> | undefined;

function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary },
    graphs: common.adjacencyGraphs,
    maxLength: scoredLength,
  });
  return factory;
}

function isCommon(password: string): boolean {
  commonPasswords ??= new Set(common.dictionary['passwords-common']);
  return commonPasswords.has(password.toLowerCase());
}

/** Who the password is for: the words in these are the first an attacker tries. */
export interface PasswordOwner {
  email: string;
  name?: string;
}

/**
 * Why this password is refused for this account (a `validation:` locale key), or null when it is fine.
 * Pure and synchronous; zxcvbn takes a few milliseconds per password.
 */
export function passwordProblem(password: string, owner: PasswordOwner): string | null {
  const p = password.normalize('NFC');
  if (p.length < minPasswordLength) return 'validation:passwordTooShort';
  if (p.length > maxPasswordLength) return 'validation:tooLong';
  const lower = p.toLowerCase();
  const email = owner.email.trim().toLowerCase();
  const local = email.split('@')[0] ?? '';
  if (email && lower.includes(email)) return 'validation:passwordContainsEmail';
  if (local.length >= minLocalPartLength && lower.includes(local)) return 'validation:passwordContainsEmail';
  if (isCommon(p)) return 'validation:passwordCommon';
  const inputs = [email, local, ...(owner.name ?? '').split(/\s+/)].filter((w) => w.length > 0);
  if (zxcvbn().check(p, inputs).score < minPasswordScore) return 'validation:passwordWeak';
  return null;
}
