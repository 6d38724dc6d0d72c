// Password rules (NIST SP 800-63B §3.1.1.2): at least 8 characters, at most the hasher's byte cap, not a common password.
import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationError } from '@portcullis/errors';

/** Fewest characters (code points) of a new password. */
export const MIN_PASSWORD_CHARS = 8;

// zxcvbn-ts's list of common passwords (from leaked-password corpora), offline, lower-cased once at start.
const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/** Number of passwords in the common-password list. */
export const COMMON_PASSWORD_COUNT = COMMON.size;

/**
 * Checks a new password. Throws ValidationError: 422 `password_too_short`, `password_too_long` or
 * `password_too_common`, with a JSON Pointer to the field. No composition rules (NIST: they do not help).
 */
export function checkNewPassword(password: string, pointer: string, maxBytes: number): void {
  const tooLong = (): ValidationError<'password_too_long'> =>
    new ValidationError('password too long', {
      code: 'password_too_long',
      detail: `Use at most ${maxBytes} bytes.`,
      issues: [{ pointer, message: `must be at most ${maxBytes} bytes` }],
    });
  // Every UTF-16 unit is at least one byte: refuse before normalising a huge string.
  if (password.length > maxBytes) throw tooLong();
  let chars = 0;
  for (const _ of password) chars += 1; // code points, as NIST counts characters
  if (chars < MIN_PASSWORD_CHARS)
    throw new ValidationError('password too short', {
      code: 'password_too_short',
      detail: `Use at least ${MIN_PASSWORD_CHARS} characters.`,
      issues: [{ pointer, message: `must be at least ${MIN_PASSWORD_CHARS} characters` }],
    });
  if (Buffer.byteLength(password.normalize('NFKC'), 'utf8') > maxBytes) throw tooLong();
  if (COMMON.has(password.normalize('NFKC').toLowerCase()))
    throw new ValidationError('password too common', {
      code: 'password_too_common',
      detail: 'This password is among the most common ones; choose another.',
      issues: [{ pointer, message: 'is a common password' }],
    });
}
