// generateFileName: server-chosen storage names from node:crypto, so no user input ever names a stored file.
import { randomBytes } from 'node:crypto';
import { optionError } from '@portcullis/errors/options';
import { EXTENSION } from './options.js';

// RFC 4648 base32, lower-case: safe on case-insensitive filesystems, never starts with "-" or ".".
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET.charAt((buffer >>> (bits - 5)) & 31);
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/**
 * A new random file name: 128 bits from node:crypto as 26 lower-case base32 characters, plus `ext`.
 * Use it to store exports and uploads under names the client never chose, e.g.
 * `generateFileName('.csv')` → `"k5v3q2…x7a.csv"`.
 *
 * @param ext - extension with its leading dot (".csv"), or "" for none.
 * @throws TypeError when `ext` is not "" or an extension such as ".csv".
 */
export function generateFileName(ext: string): string {
  if (typeof ext !== 'string' || (ext !== '' && !EXTENSION.test(ext))) {
    throw optionError(
      'paths',
      'ext',
      'must be "" or an extension such as ".csv"',
      'pass the extension with its leading dot',
      ext,
    );
  }
  return `${base32(randomBytes(16))}${ext}`;
}
