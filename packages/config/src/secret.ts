// secret(): marks a schema field whose value must never be shown, and the masks used to show it safely.
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import type { z } from 'zod';

/**
 * How a secret value is shown in describe(), JSON and inspect output.
 * - `all`: the whole value is replaced by `[redacted]`.
 * - `url-credentials`: the value is a URL or connection string; scheme, host, port and path stay visible,
 *   the password (and a lone user name, which some clients read as a password), every credential-named
 *   `key=value` pair and the query string are redacted (see {@link maskCredentials}).
 */
export type SecretMask = 'all' | 'url-credentials';

/**
 * What a secret is used for, when that calls for checks on its value. `signing-key`: an HMAC key
 * (like JWT_SECRET); in production it is refused when it is a published secret (`SEC_SECRET_PUBLISHED`)
 * or estimated below 128 bits of strength (`SEC_SECRET_WEAK`), and other profiles warn with those ids.
 */
export type SecretKind = 'signing-key';

/** Options of {@link secret}. */
export interface SecretOptions {
  /** Minimum length of a string value in UTF-8 bytes; shorter values are a schema problem in every profile. @default undefined (no minimum) */
  minBytes?: number | undefined;
  /** How the value is masked when shown. @default 'all' */
  mask?: SecretMask | undefined;
  /** What the secret is, for value checks (see {@link SecretKind}). @default undefined (no value checks) */
  kind?: SecretKind | undefined;
}

/** What a masked secret looks like. */
export const REDACTED = '[redacted]';

// The mark lives in the schema definition: zod copies the definition when .describe(), .refine(),
// .meta() and friends derive a new schema, so the mark survives them (a WeakMap keyed by instance would not).
const SECRET_MARK: unique symbol = Symbol('@portcullis/config.secret');
const KIND_MARK: unique symbol = Symbol('@portcullis/config.secret-kind');
const SECRET_OPTION_KEYS: OptionKeys<SecretOptions> = { minBytes: true, mask: true, kind: true };

/**
 * Marks a schema field as secret: its value is masked in describe(), JSON.stringify, util.inspect
 * and ConfigError, is a non-enumerable property of the loaded config (so spreading or logging the
 * config object does not copy it), and, with `minBytes`, must be at least that many UTF-8 bytes long.
 * Returns a new schema; the one passed in is not changed.
 *
 * @example secret(z.string(), { minBytes: 32 })
 */
export function secret<S extends z.ZodType>(schema: S, options?: SecretOptions): S {
  if (!isZodType(schema))
    throw optionError('config', 'schema', 'must be a zod schema', 'e.g. secret(z.string())', schema);
  const o = checkOptions('config', options, SECRET_OPTION_KEYS);
  const minBytes = o.minBytes;
  const mask = o.mask ?? 'all';
  const kind = o.kind;
  if (kind !== undefined && kind !== 'signing-key') {
    throw optionError('config', 'kind', 'must be "signing-key" or left out', 'omit it for an ordinary secret', kind);
  }
  if (minBytes !== undefined && (typeof minBytes !== 'number' || !Number.isInteger(minBytes) || minBytes < 1)) {
    throw optionError('config', 'minBytes', 'must be a positive integer number of bytes', 'e.g. 32', minBytes);
  }
  if (mask !== 'all' && mask !== 'url-credentials') {
    throw optionError('config', 'mask', 'must be "all" or "url-credentials"', 'omit it for "all"', mask);
  }
  const base = schema.clone({ ...schema._zod.def, [SECRET_MARK]: mask, [KIND_MARK]: kind } as S['_zod']['def']);
  return minBytes === undefined
    ? base
    : base.refine((value) => typeof value !== 'string' || Buffer.byteLength(value, 'utf8') >= minBytes, {
        error: `must be at least ${minBytes} bytes long`,
      });
}

/** True for a zod 4 schema (checked structurally so that two installed copies of zod both work). */
export function isZodType(value: unknown): value is z.ZodType {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    typeof value._zod === 'object' &&
    value._zod !== null
  );
}

/** The schemas a wrapper (optional, default, pipe, transform…) delegates to. */
function innerSchemas(schema: z.ZodType): z.ZodType[] {
  const def = schema._zod.def as unknown as Readonly<Record<string, unknown>>;
  return [def.innerType, def.in, def.out].filter(isZodType);
}

/** Finds the first value `pick` returns for the schema or any schema it wraps. */
export function findInSchema<R>(schema: z.ZodType, pick: (s: z.ZodType) => R | undefined, depth = 0): R | undefined {
  const here = pick(schema);
  if (here !== undefined || depth > 32) return here;
  for (const inner of innerSchemas(schema)) {
    const found = findInSchema(inner, pick, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The mask of a secret field (looking through optional/default/pipe wrappers), or undefined if it is not secret. */
export function secretMaskOf(schema: z.ZodType): SecretMask | undefined {
  return findInSchema(schema, (s) => {
    const mark = (s._zod.def as unknown as Readonly<Record<symbol, unknown>>)[SECRET_MARK];
    return mark === 'all' || mark === 'url-credentials' ? mark : undefined;
  });
}

/** The kind of a secret field (looking through wrappers), or undefined. */
export function secretKindOf(schema: z.ZodType): SecretKind | undefined {
  return findInSchema(schema, (s) => {
    const mark = (s._zod.def as unknown as Readonly<Record<symbol, unknown>>)[KIND_MARK];
    return mark === 'signing-key' ? mark : undefined;
  });
}

// key=value pairs whose key names a credential, in ;/&/,-separated strings (ADO.NET, JDBC, ODBC, StackExchange.Redis,
// URL queries). Values may be quoted ("a;b", 'a;b') or braced ({a;b}), as ADO.NET and ODBC allow.
const SECRET_KEY = String.raw`[^=;&,?\s]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth[-_]?token|authorization|sig(?:nature)?)[^=;&,?\s]*`;
const PAIR_VALUE = String.raw`"(?:[^"]|"")*"?|'(?:[^']|'')*'?|\{(?:[^}]|\}\})*\}?|[^;&,]*`;
// eslint-disable-next-line security/detect-non-literal-regexp -- built from the two constants above, never from input
const SECRET_PAIR = new RegExp(String.raw`(^|[;&,?\s])(\s*${SECRET_KEY}\s*)=(\s*)(?:${PAIR_VALUE})`, 'gi');
// scheme:// (JDBC's "jdbc:sqlserver://" included) followed by an authority.
const URL_PREFIX = /^([a-z][a-z0-9+.:-]*:\/\/)([\s\S]*)$/i;

/**
 * A connection string or URL with its credentials replaced by `[redacted]`, in any scheme: the userinfo
 * of `scheme://user:password@host` (up to the last "@", so a raw "@" in the password is covered; the
 * user name stays when a password follows it), and the value of every `password=`, `pwd=`, `secret=`,
 * `token=`, `apikey=`… pair in `;`-, `&`- or `,`-separated strings and URL queries. Text without
 * credentials is returned unchanged.
 */
export function maskCredentials(text: string): string {
  let out = text;
  const url = URL_PREFIX.exec(out);
  if (url !== null) {
    const [, scheme = '', rest = ''] = url;
    const at = rest.lastIndexOf('@');
    if (at !== -1) {
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(':');
      // A lone user name (or one with an empty password) may itself be the token: hide it too.
      const shown =
        colon === -1 || colon === userinfo.length - 1 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`;
      out = `${scheme}${shown}@${rest.slice(at + 1)}`;
    }
  }
  return out.replace(
    SECRET_PAIR,
    (_m, lead: string, key: string, space: string) => `${lead}${key}=${space}${REDACTED}`,
  );
}

/** A secret connection URL for display: credentials masked as {@link maskCredentials} does, and its query hidden. */
function maskUrl(raw: string): string {
  const masked = maskCredentials(raw);
  const query = masked.indexOf('?');
  return query === -1 ? masked : `${masked.slice(0, query)}?${REDACTED}`;
}

/** The masked form of a secret value. */
export function maskSecret(value: unknown, mask: SecretMask): string {
  if (mask === 'url-credentials' && typeof value === 'string') return maskUrl(value);
  return REDACTED;
}
