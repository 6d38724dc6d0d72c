// wrapLegacy: upgrades stored fast hashes offline, before anyone logs in again.
import { optionError } from '@portcullis/errors/options';
import { wrapSha256Hex } from './hasher.js';
import type { PasswordHasherOptions } from './options.js';

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Wraps a stored unsalted SHA-256 hex digest in argon2id (`$sha256hex-argon2id$v=19$…`), so a leaked
 * database no longer gives up passwords at GPU speed. Run it over the whole table once; verify() accepts the
 * wrapped form (needsRehash: true), and verifyAndUpgrade() replaces it with a plain argon2id hash at the next
 * login. scrypt and pbkdf2-sha256 hashes are salted and slow: leave them to verifyAndUpgrade().
 *
 * @param stored a 64-character hex SHA-256 digest
 * @param options the hasher options whose `params` and `pepper` the wrap uses (the rest is ignored)
 * @throws TypeError when `stored` is not a SHA-256 hex digest
 */
export async function wrapLegacy(stored: string, options?: PasswordHasherOptions): Promise<string> {
  if (typeof stored !== 'string' || !HEX64.test(stored))
    throw optionError(
      'secrets',
      'stored',
      'must be a 64-character SHA-256 hex digest',
      'only sha256-hex hashes are wrapped; scrypt and pbkdf2-sha256 upgrade at login',
      stored,
    );
  return wrapSha256Hex(stored, options);
}
