// The value checks of a secret of kind "signing-key": published (SEC_SECRET_PUBLISHED) or weak (SEC_SECRET_WEAK).
import { isPublishedSecret } from './published.js';
import { MIN_SECRET_BITS, estimateSecretBits } from './strength.js';

const FIX =
  "Generate a random key and rotate to it: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\" (or openssl rand -base64 48).";

/** A rule defineConfig applies to every secret of kind `signing-key` (errors in production, warnings elsewhere). */
export interface SigningKeyRule {
  /** Stable rule id. */
  readonly id: 'SEC_SECRET_PUBLISHED' | 'SEC_SECRET_WEAK';
  /** What is wrong; never contains the value. */
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

/** The two signing-key rules, in the order they are checked (a published key is not also reported weak). */
export const SIGNING_KEY_RULES: readonly SigningKeyRule[] = Object.freeze([
  Object.freeze({
    id: 'SEC_SECRET_PUBLISHED',
    message:
      'is a published secret (in a public list of JWT secrets found in code and docs, or a documentation example), the first key an attacker tries',
    hint: `${FIX} A key that ever appeared in code, docs or a tutorial is not secret.`,
  }),
  Object.freeze({
    id: 'SEC_SECRET_WEAK',
    message: `is estimated below ${MIN_SECRET_BITS} bits of strength (repeats, few distinct characters, dictionary words, keyboard walks, sequences or a hex/UUID pattern), so it can be guessed offline from one token`,
    hint: `${FIX} Use random bytes, not a phrase or pattern.`,
  }),
] as const);

/** The signing-key rule `value` breaks, or undefined. */
export function signingKeyFinding(value: string): SigningKeyRule | undefined {
  if (isPublishedSecret(value)) return SIGNING_KEY_RULES[0];
  if (estimateSecretBits(value) < MIN_SECRET_BITS) return SIGNING_KEY_RULES[1];
  return undefined;
}
