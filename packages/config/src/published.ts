// Is a secret published? A lookup in wallarm's list of 103,781 public JWT secrets, shipped as truncated SHA-256 digests.
import { createHash } from 'node:crypto';
import {
  PUBLISHED_SECRETS_BITS,
  PUBLISHED_SECRETS_BLOB,
  PUBLISHED_SECRETS_COUNT,
  PUBLISHED_SECRETS_RICE_K,
} from './published-secrets.data.js';

/**
 * Example secrets from docs, tutorials and jwt.io that attackers try first, compared after trimming and
 * lower-casing (the bundled list is exact). Our own list, kept in plaintext because it is short and public.
 */
const EXAMPLE_SECRETS: ReadonlySet<string> = new Set([
  'secret',
  'secretkey',
  'secret-key',
  'secret_key',
  'mysecret',
  'my-secret',
  'my_secret',
  'supersecret',
  'super-secret',
  'topsecret',
  'changeme',
  'change-me',
  'change_me',
  'changeit',
  'password',
  'passw0rd',
  'default',
  'test',
  'development',
  'shhhhh',
  'shhhhhhared-secret',
  'keyboard cat',
  'jwt-secret',
  'jwt_secret',
  'jwtsecret',
  'your-secret',
  'your_secret',
  'your-secret-key',
  'your_jwt_secret',
  'your-jwt-secret',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'a-string-secret-at-least-256-bits-long',
  'replace-me',
  'replace-with-a-real-secret',
  'changeme-changeme-changeme-changeme',
]);

let digests: Float64Array | undefined;

/** Decodes the Golomb-Rice coded, sorted digest prefixes once, on first use (about 100k entries, a few ms). */
function loadDigests(): Float64Array {
  if (digests !== undefined) return digests;
  const bytes = Buffer.from(PUBLISHED_SECRETS_BLOB, 'base64');
  const out = new Float64Array(PUBLISHED_SECRETS_COUNT);
  const scale = 2 ** PUBLISHED_SECRETS_RICE_K;
  let bitIndex = 0;
  const readBit = (): number => {
    const byte = bytes[bitIndex >>> 3] ?? 0;
    const bit = (byte >>> (7 - (bitIndex & 7))) & 1;
    bitIndex += 1;
    return bit;
  };
  let value = 0;
  for (let i = 0; i < PUBLISHED_SECRETS_COUNT; i++) {
    let quotient = 0;
    while (readBit() === 1) quotient += 1;
    let remainder = 0;
    for (let b = 0; b < PUBLISHED_SECRETS_RICE_K; b++) remainder = remainder * 2 + readBit();
    value += quotient * scale + remainder;
    out[i] = value;
  }
  digests = out;
  return out;
}

/** The first {@link PUBLISHED_SECRETS_BITS} bits of SHA-256(UTF-8 text), as a number. */
function digestPrefix(text: string): number {
  return createHash('sha256')
    .update(text, 'utf8')
    .digest()
    .readUIntBE(0, PUBLISHED_SECRETS_BITS / 8);
}

function contains(sorted: Float64Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = sorted[mid] ?? Number.NaN;
    if (at === value) return true;
    if (at < value) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/** Number of published secrets the bundled list holds (distinct truncated digests). */
export const PUBLISHED_SECRET_COUNT = PUBLISHED_SECRETS_COUNT;

/**
 * True when `value` (as given, or trimmed) is in the bundled list of published secrets, or (trimmed,
 * any case) one of our example secrets. A random secret is reported by mistake with probability about
 * 3 × 103,781 / 2^40 ≈ 2.8 × 10⁻⁷ (three spellings are looked up, each against 40-bit digests).
 */
export function isPublishedSecret(value: string): boolean {
  const trimmed = value.trim();
  if (EXAMPLE_SECRETS.has(trimmed.toLowerCase())) return true;
  const sorted = loadDigests();
  const candidates = new Set([value, trimmed, trimmed.toLowerCase()]);
  for (const candidate of candidates) if (contains(sorted, digestPrefix(candidate))) return true;
  return false;
}
