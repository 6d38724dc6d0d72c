// Strict parser and canonical writer of the PHC strings this package reads: argon2id (and the sha256-hex
// wrapped form), scrypt and pbkdf2-sha256. Nothing is allocated for a hash before its parameters pass.

/** Longest stored string looked at; anything longer is malformed before any parsing. */
export const MAX_STORED_LENGTH = 512;
/** Shortest salt accepted, bytes (RFC 9106 §3.1 recommends 16). */
export const MIN_SALT_BYTES = 16;
const MAX_SALT_BYTES = 64;
const MIN_HASH_BYTES = 16;
const MAX_HASH_BYTES = 64;

/** Why a stored string was refused without comparing anything. */
export type StoredRefusal =
  | 'malformed'
  | 'unknown_algorithm'
  | 'unsupported_version'
  | 'above_ceiling'
  | 'salt_too_short'
  | 'legacy_not_enabled'
  | 'unknown_pepper';

/** Upper bounds on the parameters of a stored hash: above them it is refused unread. */
export interface Ceiling {
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** A parsed argon2id string. `wrapped` marks `$sha256hex-argon2id$`: argon2id over the SHA-256 hex of the password. */
export interface Argon2Phc {
  readonly kind: 'argon2id';
  readonly wrapped: boolean;
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly keyid: string | undefined;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** A parsed `$scrypt$ln=…,r=…,p=…$salt$hash`. */
export interface ScryptPhc {
  readonly kind: 'scrypt';
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** A parsed `$pbkdf2-sha256$i=…$salt$hash`. */
export interface Pbkdf2Phc {
  readonly kind: 'pbkdf2-sha256';
  readonly iterations: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** A bare unsalted SHA-256 hex digest (the anti-example this package exists to migrate away from). */
export interface Sha256Hex {
  readonly kind: 'sha256-hex';
  readonly hash: Buffer;
}

/** Anything the parser understood. */
export type ParsedStored = Argon2Phc | ScryptPhc | Pbkdf2Phc | Sha256Hex;

/** The parse result: a value, or the reason it was refused. */
export type ParseResult =
  { readonly ok: true; readonly value: ParsedStored } | { readonly ok: false; readonly reason: StoredRefusal };

/** Most pbkdf2-sha256 iterations verified (OWASP 2023 asks 600 000; ten times that is a hostile string). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Largest scrypt log2(N) verified. */
export const MAX_SCRYPT_LOG2N = 20;
const MAX_SCRYPT_R = 32;
const MAX_SCRYPT_P = 16;

// PHC decimal: no sign, no leading zero, at most 10 digits.
const DECIMAL = /^(?:0|[1-9][0-9]{0,9})$/;
const B64 = /^[A-Za-z0-9+/]+$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
/** A PHC keyid value: B64 characters, 1 to 11 of them (8 bytes at most). */
export const KEYID = /^[A-Za-z0-9+/]{1,11}$/;

/** PHC B64: standard alphabet, no padding. */
export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

// Strict B64: only canonical encodings (no padding, unused trailing bits zero), within length bounds.
function fromB64(text: string, min: number, max: number): Buffer | 'short' | undefined {
  if (!B64.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Math.floor((text.length * 3) / 4);
  if (bytes > max) return undefined;
  if (bytes < min) return 'short';
  const buf = Buffer.from(text, 'base64');
  return b64(buf) === text ? buf : undefined;
}

function decimal(text: string | undefined): number | undefined {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : undefined;
}

function pairs(text: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    out.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return out;
}

function saltAndHash(saltText: string, hashText: string): { salt: Buffer; hash: Buffer } | StoredRefusal {
  const salt = fromB64(saltText, MIN_SALT_BYTES, MAX_SALT_BYTES);
  if (salt === 'short') return 'salt_too_short';
  const hash = fromB64(hashText, MIN_HASH_BYTES, MAX_HASH_BYTES);
  if (salt === undefined || hash === undefined || hash === 'short') return 'malformed';
  return { salt, hash };
}

function parseArgon2(fields: string[], wrapped: boolean, ceiling: Ceiling): ParseResult {
  // $argon2id$v=19$m=…,t=…,p=…[,keyid=…]$salt$hash → ['', id, v, params, salt, hash]
  if (fields.length !== 6) return { ok: false, reason: 'malformed' };
  const [, , version, params, saltText, hashText] = fields as [string, string, string, string, string, string];
  if (!version.startsWith('v=')) return { ok: false, reason: 'malformed' };
  if (version !== 'v=19')
    return { ok: false, reason: decimal(version.slice(2)) === undefined ? 'malformed' : 'unsupported_version' };
  const list = pairs(params);
  if (list === undefined || list.length < 3 || list.length > 4) return { ok: false, reason: 'malformed' };
  const order = list
    .slice(0, 3)
    .map(([k]) => k)
    .join(',');
  // We write m,t,p; node-argon2 (and some PHP builds) wrote m,p,t. Nothing else is accepted.
  if (order !== 'm,t,p' && order !== 'm,p,t') return { ok: false, reason: 'malformed' };
  const values = new Map(list.slice(0, 3));
  const memoryKiB = decimal(values.get('m'));
  const timeCost = decimal(values.get('t'));
  const parallelism = decimal(values.get('p'));
  if (memoryKiB === undefined || timeCost === undefined || parallelism === undefined)
    return { ok: false, reason: 'malformed' };
  let keyid: string | undefined;
  const extra = list[3];
  if (extra !== undefined) {
    if (extra[0] !== 'keyid' || !KEYID.test(extra[1])) return { ok: false, reason: 'malformed' };
    keyid = extra[1];
  }
  // RFC 9106 §3.1: t ≥ 1, 1 ≤ p ≤ 2^24-1, m ≥ 8p.
  if (timeCost < 1 || parallelism < 1 || memoryKiB < 8 * parallelism) return { ok: false, reason: 'malformed' };
  if (memoryKiB > ceiling.memoryKiB || timeCost > ceiling.timeCost || parallelism > ceiling.parallelism)
    return { ok: false, reason: 'above_ceiling' };
  const bytes = saltAndHash(saltText, hashText);
  if (typeof bytes === 'string') return { ok: false, reason: bytes };
  return {
    ok: true,
    value: { kind: 'argon2id', wrapped, memoryKiB, timeCost, parallelism, keyid, salt: bytes.salt, hash: bytes.hash },
  };
}

function parseScrypt(fields: string[], ceiling: Ceiling): ParseResult {
  if (fields.length !== 5) return { ok: false, reason: 'malformed' };
  const [, , params, saltText, hashText] = fields as [string, string, string, string, string];
  const list = pairs(params);
  if (list === undefined || list.map(([k]) => k).join(',') !== 'ln,r,p') return { ok: false, reason: 'malformed' };
  const [log2N, r, p] = list.map(([, v]) => decimal(v));
  if (log2N === undefined || r === undefined || p === undefined || log2N < 1 || r < 1 || p < 1)
    return { ok: false, reason: 'malformed' };
  // scrypt needs 128·N·r bytes; the memory ceiling of argon2 bounds it too.
  if (
    log2N > MAX_SCRYPT_LOG2N ||
    r > MAX_SCRYPT_R ||
    p > MAX_SCRYPT_P ||
    128 * 2 ** log2N * r > ceiling.memoryKiB * 1024
  )
    return { ok: false, reason: 'above_ceiling' };
  const bytes = saltAndHash(saltText, hashText);
  if (typeof bytes === 'string') return { ok: false, reason: bytes };
  return { ok: true, value: { kind: 'scrypt', log2N, r, p, salt: bytes.salt, hash: bytes.hash } };
}

function parsePbkdf2(fields: string[]): ParseResult {
  if (fields.length !== 5) return { ok: false, reason: 'malformed' };
  const [, , params, saltText, hashText] = fields as [string, string, string, string, string];
  if (!params.startsWith('i=')) return { ok: false, reason: 'malformed' };
  const iterations = decimal(params.slice(2));
  if (iterations === undefined || iterations < 1) return { ok: false, reason: 'malformed' };
  if (iterations > MAX_PBKDF2_ITERATIONS) return { ok: false, reason: 'above_ceiling' };
  const bytes = saltAndHash(saltText, hashText);
  if (typeof bytes === 'string') return { ok: false, reason: bytes };
  return { ok: true, value: { kind: 'pbkdf2-sha256', iterations, salt: bytes.salt, hash: bytes.hash } };
}

/**
 * Parses a stored password hash. Never throws; every refusal has a reason. Only the parameters are
 * read before the ceiling check, so a hostile `m=4194304` costs a few string operations.
 */
export function parseStored(stored: unknown, ceiling: Ceiling): ParseResult {
  if (typeof stored !== 'string' || stored.length === 0 || stored.length > MAX_STORED_LENGTH)
    return { ok: false, reason: 'malformed' };
  if (HEX64.test(stored)) return { ok: true, value: { kind: 'sha256-hex', hash: Buffer.from(stored, 'hex') } };
  if (!stored.startsWith('$')) return { ok: false, reason: 'malformed' };
  const fields = stored.split('$');
  switch (fields[1]) {
    case 'argon2id':
      return parseArgon2(fields, false, ceiling);
    case 'sha256hex-argon2id':
      return parseArgon2(fields, true, ceiling);
    case 'scrypt':
      return parseScrypt(fields, ceiling);
    case 'pbkdf2-sha256':
      return parsePbkdf2(fields);
    default:
      return { ok: false, reason: /^[a-z0-9-]{1,32}$/.test(fields[1] ?? '') ? 'unknown_algorithm' : 'malformed' };
  }
}

/** The canonical argon2id string: parameters always in the order m, t, p (then keyid). */
export function formatArgon2(value: Omit<Argon2Phc, 'kind'>): string {
  const id = value.wrapped ? 'sha256hex-argon2id' : 'argon2id';
  const keyid = value.keyid === undefined ? '' : `,keyid=${value.keyid}`;
  return `$${id}$v=19$m=${value.memoryKiB},t=${value.timeCost},p=${value.parallelism}${keyid}$${b64(value.salt)}$${b64(value.hash)}`;
}
