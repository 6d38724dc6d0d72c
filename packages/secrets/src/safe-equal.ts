// safeEqual: constant-time comparison of secrets of any length, never throwing.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Per-process key: both sides are HMAC'd to equal-length digests, so neither the length nor the content of
// the secret shows in the time taken (timingSafeEqual alone throws on unequal lengths and leaks them).
const KEY = randomBytes(32);

function digest(tag: string, value: string | Uint8Array): Buffer {
  const mac = createHmac('sha256', KEY).update(tag);
  // UTF-16 code units are encoded losslessly: UTF-8 would map every lone surrogate to U+FFFD.
  if (typeof value === 'string') mac.update(value, 'utf16le');
  else mac.update(value);
  return mac.digest();
}

/**
 * True when `a` and `b` are equal: two strings as strings (`a === b`), two byte arrays as bytes. A string
 * and a byte array, or anything that is neither, is never equal. Takes the same time whatever the inputs'
 * lengths and contents; never throws.
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const kindA = typeof a === 'string' ? 's' : a instanceof Uint8Array ? 'b' : undefined;
  const kindB = typeof b === 'string' ? 's' : b instanceof Uint8Array ? 'b' : undefined;
  if (kindA === undefined || kindB === undefined) return false;
  const equal = timingSafeEqual(digest(kindA, a), digest(kindB, b));
  return equal && kindA === kindB;
}
