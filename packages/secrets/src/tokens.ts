// Random tokens and API tokens (`<prefix>_<id>_<secret>_<checksum>`): crypto.randomBytes, a CRC-32 checksum, SHA-256 at rest.
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';

const PKG = 'secrets';

/** Encodings randomToken() can produce. */
export type TokenEncoding = 'base64url' | 'hex';

/** Options of randomToken(). */
export interface RandomTokenOptions {
  /** Random bytes, 16 to 1024 (below 16 = 128 bits is guessable at scale). @default 32 */
  bytes?: number | undefined;
  /** Output alphabet. @default "base64url" */
  encoding?: TokenEncoding | undefined;
}

const RANDOM_KEYS: OptionKeys<RandomTokenOptions> = { bytes: true, encoding: true };

/** A random token from crypto.randomBytes: 32 bytes as 43 base64url characters by default. */
export function randomToken(options?: RandomTokenOptions): string {
  const given = checkOptions<RandomTokenOptions>(PKG, options, RANDOM_KEYS);
  const bytes = given.bytes ?? 32;
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 16 || bytes > 1024)
    throw optionError(
      PKG,
      'bytes',
      'must be an integer from 16 to 1024',
      'use 32 (256 bits) unless you need another size',
      bytes,
    );
  const encoding = given.encoding ?? 'base64url';
  if (encoding !== 'base64url' && encoding !== 'hex')
    throw optionError(PKG, 'encoding', 'must be "base64url" or "hex"', 'use "base64url"', encoding);
  return randomBytes(bytes).toString(encoding);
}

/** Options of createApiToken(). */
export interface ApiTokenOptions {
  /** The token's type tag, 2 to 16 lower-case letters and digits starting with a letter, e.g. "pc" or "pclive". Lets scanners find leaked tokens. */
  prefix: string;
}

/** What createApiToken() returns. Show `token` once; store only `id` and `hash`. */
export interface ApiToken {
  /** `<prefix>_<id>_<secret>_<checksum>`: give it to the client, never store it. */
  readonly token: string;
  /** Public lookup id, 16 characters of base32 (80 random bits). */
  readonly id: string;
  /** SHA-256 of the whole token, base64url: store it and compare with safeEqual(). */
  readonly hash: string;
}

/** What parseApiToken() returns for a well-formed token with a valid checksum. */
export interface ParsedApiToken {
  readonly prefix: string;
  readonly id: string;
  /** SHA-256 of the token, base64url, to compare with the stored hash using safeEqual(). */
  readonly hash: string;
}

const PREFIX = /^[a-z][a-z0-9]{1,15}$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const ID_CHARS = 16; // 10 bytes
const SECRET_CHARS = 52; // 32 bytes (256 bits), 4 padding bits zero
const CHECKSUM_CHARS = 8; // CRC-32, lower-case hex
const API_KEYS: OptionKeys<ApiTokenOptions> = { prefix: true };
const TOKEN = new RegExp(
  `^([a-z][a-z0-9]{1,15})_([a-z2-7]{${ID_CHARS}})_([a-z2-7]{${SECRET_CHARS}})_([0-9a-f]{${CHECKSUM_CHARS}})$`,
);
const MAX_TOKEN_LENGTH = 16 + 1 + ID_CHARS + 1 + SECRET_CHARS + 1 + CHECKSUM_CHARS;

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32.charAt((value << (5 - bits)) & 31);
  return out;
}

// CRC-32 detects every error burst up to 32 bits, so any single changed character of the body is caught;
// the checksum is compared as text, so a changed checksum character is caught too.
function checksum(body: string): string {
  return crc32(body).toString(16).padStart(CHECKSUM_CHARS, '0');
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Creates an API token `<prefix>_<id>_<secret>_<checksum>` (256-bit secret) with its id and the hash to store. */
export function createApiToken(options: ApiTokenOptions): ApiToken {
  const given = checkOptions<ApiTokenOptions>(PKG, options, API_KEYS);
  const prefix = given.prefix;
  if (typeof prefix !== 'string' || !PREFIX.test(prefix))
    throw optionError(
      PKG,
      'prefix',
      'must be 2 to 16 lower-case letters or digits, starting with a letter',
      'e.g. "pc"',
      prefix,
    );
  const id = base32(randomBytes(10));
  const secret = base32(randomBytes(32));
  const body = `${prefix}_${id}_${secret}`;
  const token = `${body}_${checksum(body)}`;
  return Object.freeze({ token, id, hash: tokenHash(token) });
}

/**
 * Parses a presented API token without any lookup: the shape, the prefix (when `expectedPrefix` is given)
 * and the checksum. Returns undefined for anything else, so typos and garbage never reach the database.
 */
export function parseApiToken(input: unknown, expectedPrefix?: string): ParsedApiToken | undefined {
  if (typeof input !== 'string' || input.length > MAX_TOKEN_LENGTH) return undefined;
  const match = TOKEN.exec(input);
  if (match === null) return undefined;
  const [, prefix, id, secret, sum] = match as unknown as [string, string, string, string, string];
  if (expectedPrefix !== undefined && prefix !== expectedPrefix) return undefined;
  // The secret's last character carries 4 padding bits: only the canonical (zero-padded) one is accepted.
  if (BASE32.indexOf(secret.at(-1) ?? 'a') % 16 !== 0) return undefined;
  if (checksum(`${prefix}_${id}_${secret}`) !== sum) return undefined;
  return Object.freeze({ prefix, id, hash: tokenHash(input) });
}
