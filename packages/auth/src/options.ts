// Validates jwtAuth() options once, at creation, and compiles them into a frozen configuration.
import { createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import {
  checkOptions,
  describeValue,
  closestKey,
  isPlainObject,
  optionError,
  type OptionKeys,
} from '@portcullis/errors/options';
import type { CertificateSource } from './binding.js';
import type { DpopConfig } from './dpop.js';
import { memoryReplayStore } from './replay.js';
import type { DpopOptions, IsRevoked, JwsAlgorithm, JwtAuthOptions, MtlsOptions } from './types.js';

const PKG = '@portcullis/auth';

/** Every option key; `satisfies` makes TypeScript keep this list complete. */
const OPTION_KEYS = {
  issuer: true,
  audience: true,
  algorithms: true,
  jwksUri: true,
  dangerouslyAllowHttpJwks: true,
  jwks: true,
  publicKey: true,
  secret: true,
  profile: true,
  clockToleranceSec: true,
  maxTokenLifetimeSec: true,
  maxTokenAgeSec: true,
  maxTokenBytes: true,
  credentialsRequired: true,
  isRevoked: true,
  timeoutMs: true,
  cooldownMs: true,
  cacheMaxAgeMs: true,
  staleIfErrorSec: true,
  realm: true,
  verifiedTokenCache: true,
  dpop: true,
  mtls: true,
} as const satisfies Record<keyof JwtAuthOptions, true>;

const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const ASYMMETRIC = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/**
 * Every JWS algorithm jwtAuth() accepts in "algorithms" (asymmetric, then HMAC), from the tables it checks
 * with. @portcullis/config keeps its own list for JWT_ALGORITHMS (it may not depend on auth); a test in
 * @portcullis/baseline asserts the two are equal.
 */
export const SUPPORTED_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([
  ...(ASYMMETRIC as ReadonlySet<string>),
  ...Object.keys(HMAC_MIN_BYTES),
] as JwsAlgorithm[]);
const EC_ALG_BY_CURVE: Readonly<Record<string, string>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};
// RFC 6750 §3: realm is a quoted-string; keep it to the characters renderChallenge() accepts.
const REALM = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** The key material, compiled. */
export type KeySource =
  | { kind: 'remote'; url: URL }
  | { kind: 'jwks'; jwks: JSONWebKeySet }
  | { kind: 'public'; key: KeyObject }
  | { kind: 'secret'; bytes: Uint8Array };

/** jwtAuth() options after validation and defaulting. */
export interface Config {
  readonly issuer: string | string[];
  readonly audience: string | string[];
  readonly algorithms: JwsAlgorithm[];
  readonly source: KeySource;
  readonly profile: 'rfc9068' | 'compat';
  readonly clockToleranceSec: number;
  readonly maxTokenLifetimeSec: number;
  readonly maxTokenAgeSec: number | undefined;
  readonly maxTokenBytes: number;
  readonly credentialsRequired: boolean;
  readonly isRevoked: IsRevoked | undefined;
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
  readonly staleIfErrorSec: number;
  readonly realm: string;
  /** Opt-in cache of verified tokens; undefined when off. */
  readonly verifiedTokenCache: VerifiedTokenCacheConfig | undefined;
  /** DPoP support; undefined when mode is "off". */
  readonly dpop: DpopConfig | undefined;
  /** Where the client certificate comes from; undefined without the mtls option. */
  readonly mtls: CertificateSource | undefined;
}

const DPOP_KEYS: OptionKeys<DpopOptions> = {
  mode: true,
  publicOrigin: true,
  algorithms: true,
  proofMaxAgeSec: true,
  replay: true,
  nonce: true,
};
const MTLS_KEYS: OptionKeys<MtlsOptions> = { certificate: true };
const DEFAULT_DPOP_ALGORITHMS = Object.freeze(['ES256', 'EdDSA']);

/** Runs a checkOptions() call, turning its TypeError into one more problem of the list. */
function checkedNested<T extends object>(
  value: unknown,
  keys: OptionKeys<T>,
  name: string,
  problems: string[],
): Readonly<Record<string, unknown>> | undefined {
  try {
    return checkOptions('auth', value, keys, name);
  } catch (err) {
    problems.push((err as Error).message.replace(`${PKG}: `, ''));
    return undefined;
  }
}

function dpopOption(value: unknown, problems: string[]): DpopConfig | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    problems.push(
      `"dpop" must be an object { mode, publicOrigin, ... } (got ${describeValue(value)}); e.g. { mode: "allowed", publicOrigin: "https://api.example" }`,
    );
    return undefined;
  }
  const opts = checkedNested(value, DPOP_KEYS, 'dpop', problems);
  if (opts === undefined) return undefined;
  const mode = opts['mode'];
  if (mode !== 'off' && mode !== 'allowed' && mode !== 'required') {
    problems.push(`"dpop.mode" must be "off", "allowed" or "required" (got ${describeValue(mode)}); omit it for "off"`);
    return undefined;
  }
  let origin: string | undefined;
  const given = opts['publicOrigin'];
  if (given === undefined) {
    if (mode !== 'off')
      problems.push(
        '"dpop.publicOrigin" is required when DPoP is on: the origin clients address, e.g. "https://api.example.com" (htu is never compared against the Host header)',
      );
  } else {
    let url: URL | undefined;
    try {
      if (typeof given === 'string' || given instanceof URL) url = new URL(given instanceof URL ? given.href : given);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.username !== '' ||
      url.password !== '' ||
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== ''
    )
      problems.push(
        `"dpop.publicOrigin" must be an http(s) origin without path, query or credentials, e.g. "https://api.example.com" (got ${describeValue(typeof given === 'string' ? given : given instanceof URL ? given.href : given)}); set it to the origin your clients call`,
      );
    else origin = url.origin;
  }
  const algs = opts['algorithms'] ?? DEFAULT_DPOP_ALGORITHMS;
  let algorithms: string[] = [];
  if (!Array.isArray(algs) || algs.length === 0) {
    problems.push(
      `"dpop.algorithms" must be a non-empty array such as ["ES256"] (got ${describeValue(algs)}); e.g. ["ES256", "EdDSA"]`,
    );
  } else {
    for (const alg of algs as unknown[]) {
      if (typeof alg === 'string' && (alg.toLowerCase() === 'none' || HMAC_MIN_BYTES[alg] !== undefined))
        problems.push(`"dpop.algorithms" must not contain "${alg}": DPoP proofs are signed with an asymmetric key`);
      else if (typeof alg !== 'string' || !ASYMMETRIC.has(alg))
        problems.push(
          `"dpop.algorithms" contains unsupported ${describeValue(alg)}; use ES*, EdDSA, Ed25519, PS* or RS*`,
        );
    }
    algorithms = [...new Set(algs as string[])];
  }
  const proofMaxAgeSec = intOption(opts, 'proofMaxAgeSec', 60, 1, 300, 'seconds', problems, 'dpop.');
  const replay = opts['replay'];
  if (
    replay !== undefined &&
    (typeof replay !== 'object' || replay === null || typeof (replay as { seen?: unknown }).seen !== 'function')
  )
    problems.push(
      `"dpop.replay" must be a replay store { seen(jti, expiresAtSec): Promise<boolean> } such as redisReplayStore(redis) (got ${describeValue(replay)}); omit it for the in-memory store`,
    );
  const nonce = opts['nonce'];
  if (
    nonce !== undefined &&
    (typeof nonce !== 'object' ||
      nonce === null ||
      typeof (nonce as { current?: unknown }).current !== 'function' ||
      typeof (nonce as { accept?: unknown }).accept !== 'function')
  )
    problems.push(
      `"dpop.nonce" must be an object { current(): string, accept(nonce): boolean } (got ${describeValue(nonce)}); omit it to not require nonces`,
    );
  if (mode === 'off' || origin === undefined) return undefined;
  return Object.freeze({
    mode,
    origin,
    algorithms: Object.freeze(algorithms),
    proofMaxAgeSec,
    replay: (replay as DpopConfig['replay'] | undefined) ?? memoryReplayStore(),
    nonce: nonce as DpopConfig['nonce'],
  });
}

function mtlsOption(value: unknown, problems: string[]): CertificateSource | undefined {
  if (value === undefined) return undefined;
  const opts = checkedNested(value, MTLS_KEYS, 'mtls', problems);
  if (opts === undefined) return undefined;
  const certificate = opts['certificate'];
  if (typeof certificate !== 'function') {
    problems.push(
      `"mtls.certificate" must be a function (req) => Buffer | undefined returning the verified client certificate (DER) (got ${describeValue(certificate)}); e.g. (req) => req.socket.getPeerCertificate().raw`,
    );
    return undefined;
  }
  return certificate as CertificateSource;
}

/** verifiedTokenCache after validation and defaulting. */
export interface VerifiedTokenCacheConfig {
  readonly maxEntries: number;
  readonly maxAgeSec: number;
}

const CACHE_KEYS: OptionKeys<{ maxEntries: number; maxAgeSec?: number }> = { maxEntries: true, maxAgeSec: true };

// The one unknown-key line of @portcullis/errors/options, as one more problem of the list.
function unknownKey(option: string, key: string, value: unknown, known: object): string {
  const near = closestKey(key, Object.keys(known));
  const fix = near === undefined ? 'check the spelling against the options table' : `did you mean "${near}"?`;
  return optionError('auth', option.slice(0, 64), 'is not a known option', fix, value).message.replace(`${PKG}: `, '');
}

function cacheOption(value: unknown, problems: string[]): VerifiedTokenCacheConfig | undefined {
  // false: explicitly off (e.g. to override JWT_VERIFIED_TOKEN_CACHE_* coming through secureBaseline's config).
  if (value === undefined || value === false) return undefined;
  if (!isPlainObject(value)) {
    problems.push(
      `"verifiedTokenCache" must be an object { maxEntries, maxAgeSec? } or false (got ${describeValue(value)}); omit it or pass false to keep the cache off`,
    );
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(CACHE_KEYS, key))
      problems.push(unknownKey(`verifiedTokenCache.${key}`, key, value[key], CACHE_KEYS));
  }
  const maxEntries = value['maxEntries'];
  if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 1_000_000) {
    problems.push(
      `"verifiedTokenCache.maxEntries" must be an integer number of entries from 1 to 1000000 (got ${describeValue(maxEntries)}); e.g. 10000`,
    );
  }
  const maxAgeSec = intOption(value, 'maxAgeSec', 60, 1, 3600, 'seconds', problems, 'verifiedTokenCache.');
  return Object.freeze({ maxEntries: maxEntries as number, maxAgeSec });
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function isStringList(value: unknown): value is string | readonly string[] {
  if (typeof value === 'string') return value.length > 0;
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0);
}

/** Why a JWK is not acceptable as a verification key, or undefined when it is. */
export function publicJwkProblem(jwk: unknown): string | undefined {
  if (!isPlainObject(jwk)) return 'is not an object';
  const { kty } = jwk;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP')
    return `has unsupported "kty" ${describeValue(kty)} (use RSA, EC or OKP; symmetric keys go in "secret")`;
  if (jwk['d'] !== undefined || jwk['p'] !== undefined || jwk['q'] !== undefined || jwk['k'] !== undefined)
    return 'contains private key material';
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig')
    return `has "use" ${describeValue(jwk['use'])} (must be "sig" or absent)`;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return 'is not a valid public key';
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    return 'is an RSA key shorter than 2048 bits';
  return undefined;
}

/** Problems with a public KeyObject for the configured algorithms. */
function keyAlgProblems(key: KeyObject, algorithms: readonly string[]): string[] {
  const type = key.asymmetricKeyType;
  const problems: string[] = [];
  for (const alg of algorithms) {
    let ok: boolean;
    if (alg.startsWith('RS') || alg.startsWith('PS')) ok = type === 'rsa';
    else if (alg.startsWith('ES'))
      ok = type === 'ec' && EC_ALG_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''] === alg;
    else ok = type === 'ed25519';
    if (!ok)
      problems.push(
        `"publicKey" (a ${type ?? 'unknown'} key) cannot verify ${alg}; list only algorithms that match the key`,
      );
  }
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    problems.push('"publicKey" is an RSA key shorter than 2048 bits; use 2048 bits or more');
  return problems;
}

function toPublicKey(value: unknown, problems: string[]): KeyObject | undefined {
  try {
    if (value instanceof KeyObject) {
      if (value.type !== 'public') {
        problems.push(
          `"publicKey" must be a public key (got a ${value.type} KeyObject); pass createPublicKey(...) of it`,
        );
        return undefined;
      }
      return value;
    }
    if (typeof value === 'string') {
      // createPublicKey() would silently derive a public key from a private PEM: refuse, the private key must not be here.
      if (/PRIVATE KEY/.test(value)) {
        problems.push('"publicKey" is a private key PEM; pass the public key (SPKI PEM) instead');
        return undefined;
      }
      return createPublicKey(value.trim());
    }
    if (isPlainObject(value)) {
      const problem = publicJwkProblem(value);
      if (problem !== undefined) {
        problems.push(`"publicKey" JWK ${problem}`);
        return undefined;
      }
      return createPublicKey({ key: value as JsonWebKey, format: 'jwk' });
    }
  } catch {
    problems.push(
      '"publicKey" could not be parsed as a public key; pass a KeyObject, a public JWK or an SPKI/PKCS#1 PEM',
    );
    return undefined;
  }
  problems.push(
    `"publicKey" must be a KeyObject, a public JWK or a PEM string (got ${describeValue(value)}); pass createPublicKey(pem), a public JWK or an SPKI PEM`,
  );
  return undefined;
}

function toSecret(value: unknown, algorithms: readonly string[], problems: string[]): Uint8Array | undefined {
  let bytes: Uint8Array;
  if (typeof value === 'string') {
    if (value.includes('-----BEGIN')) {
      problems.push(
        '"secret" looks like a PEM key; an asymmetric key must be passed as "publicKey" (algorithm confusion)',
      );
      return undefined;
    }
    bytes = Buffer.from(value, 'utf8');
  } else if (value instanceof Uint8Array) {
    bytes = new Uint8Array(value);
  } else if (value instanceof KeyObject && value.type === 'secret') {
    bytes = new Uint8Array(value.export());
  } else {
    problems.push(
      `"secret" must be a string, a Uint8Array or a secret KeyObject (got ${describeValue(value)}); pass at least 32 random bytes`,
    );
    return undefined;
  }
  const need = Math.max(0, ...algorithms.map((a) => HMAC_MIN_BYTES[a] ?? 0));
  if (bytes.length < need) {
    problems.push(
      `"secret" must be at least ${need} bytes for ${algorithms.join(', ')} (got a ${bytes.length}-byte secret); generate one with crypto.randomBytes(${need})`,
    );
    return undefined;
  }
  return bytes;
}

function intOption(
  options: Readonly<Record<string, unknown>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  unit: string,
  problems: string[],
  prefix = '',
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(
      `"${prefix}${name}" must be an integer number of ${unit} from ${min} to ${max} (got ${describeValue(value)}); omit it for ${fallback}`,
    );
    return fallback;
  }
  return value;
}

/** Validates and compiles options; throws one TypeError listing every problem. */
export function compileOptions(input: unknown): Config {
  if (!isPlainObject(input)) {
    throw optionError(
      'auth',
      'options',
      'must be a plain object',
      'pass { issuer, audience, algorithms } and one key source',
      input,
    );
  }
  const options: Readonly<Record<string, unknown>> = input;
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(OPTION_KEYS, key)) problems.push(unknownKey(key, key, options[key], OPTION_KEYS));
  }

  const { issuer, audience, algorithms, jwksUri, jwks, publicKey, secret } = options;
  if (!isStringList(issuer))
    problems.push(
      `"issuer" must be a non-empty string or array of non-empty strings (got ${describeValue(issuer)}); e.g. "https://issuer.example"`,
    );
  if (!isStringList(audience))
    problems.push(
      `"audience" must be a non-empty string or array of non-empty strings (got ${describeValue(audience)}); e.g. "https://api.example"`,
    );

  let algs: JwsAlgorithm[] = [];
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    problems.push(
      `"algorithms" must be a non-empty array such as ["RS256"] (got ${describeValue(algorithms)}); e.g. ["RS256"]`,
    );
  } else {
    for (const alg of algorithms as unknown[]) {
      if (typeof alg === 'string' && alg.toLowerCase() === 'none')
        problems.push('"algorithms" must not contain "none": unsigned tokens are never accepted');
      else if (typeof alg !== 'string' || (!ASYMMETRIC.has(alg) && HMAC_MIN_BYTES[alg] === undefined))
        problems.push(
          `"algorithms" contains unsupported ${describeValue(alg)}; use RS*, PS*, ES*, EdDSA, Ed25519 or HS*`,
        );
    }
    algs = [...new Set(algorithms as JwsAlgorithm[])];
    const symmetric = algs.filter((a) => HMAC_MIN_BYTES[a] !== undefined).length;
    if (symmetric > 0 && symmetric < algs.length)
      problems.push(
        `"algorithms" mixes HS* with asymmetric algorithms (got ${JSON.stringify(algs)}); this enables key confusion, configure one family`,
      );
  }
  const isSymmetric = algs.length > 0 && algs.every((a) => HMAC_MIN_BYTES[a] !== undefined);

  const sources = (['jwksUri', 'jwks', 'publicKey', 'secret'] as const).filter((k) => options[k] !== undefined);
  let source: KeySource | undefined;
  if (sources.length !== 1) {
    problems.push(
      `exactly one of "jwksUri", "jwks", "publicKey" or "secret" is required (got ${sources.length === 0 ? 'none' : sources.join(', ')})`,
    );
  } else if (sources[0] === 'secret') {
    if (!isSymmetric) problems.push('"secret" can only be used with HS256/HS384/HS512 "algorithms"');
    const bytes = toSecret(secret, algs, problems);
    if (bytes !== undefined) source = { kind: 'secret', bytes };
  } else {
    if (isSymmetric) problems.push(`"${sources[0]}" holds public keys; HS* algorithms need "secret"`);
    if (sources[0] === 'jwksUri') {
      let url: URL | undefined;
      try {
        url = new URL(jwksUri instanceof URL ? jwksUri.href : String(jwksUri));
      } catch {
        problems.push(
          `"jwksUri" must be an absolute https URL (got ${describeValue(jwksUri)}); e.g. "https://issuer.example/.well-known/jwks.json"`,
        );
      }
      if (url !== undefined) {
        if (typeof jwksUri !== 'string' && !(jwksUri instanceof URL))
          problems.push(
            `"jwksUri" must be a string or URL (got ${describeValue(jwksUri)}); e.g. "https://issuer.example/.well-known/jwks.json"`,
          );
        else if (url.username !== '' || url.password !== '') problems.push('"jwksUri" must not carry credentials');
        else if (url.protocol === 'https:') source = { kind: 'remote', url };
        else if (
          url.protocol === 'http:' &&
          isLoopbackHost(url.hostname) &&
          options['dangerouslyAllowHttpJwks'] === true
        )
          source = { kind: 'remote', url };
        else if (url.protocol === 'http:' && isLoopbackHost(url.hostname))
          problems.push(
            `"jwksUri" uses http (got "${url.href}"); use https, or set dangerouslyAllowHttpJwks: true for a loopback test server`,
          );
        else
          problems.push(
            `"jwksUri" must use https (got ${describeValue(url.href)}); e.g. "https://issuer.example/.well-known/jwks.json"`,
          );
      }
    } else if (sources[0] === 'jwks') {
      if (!isPlainObject(jwks) || !Array.isArray(jwks['keys']) || jwks['keys'].length === 0) {
        problems.push(
          `"jwks" must be a JSON Web Key Set { keys: [...] } with at least one key (got ${describeValue(jwks)}); pass { keys: [publicJwk] }`,
        );
      } else {
        const keys = jwks['keys'] as unknown[];
        keys.forEach((jwk, i) => {
          const problem = publicJwkProblem(jwk);
          if (problem !== undefined) problems.push(`"jwks".keys[${i}] ${problem}`);
        });
        // A private copy: the caller's object is neither kept nor mutated.
        source = { kind: 'jwks', jwks: { keys: structuredClone(keys) as JWK[] } };
      }
    } else {
      const key = toPublicKey(publicKey, problems);
      if (key !== undefined) {
        const keyProblems = keyAlgProblems(key, algs);
        problems.push(...keyProblems);
        if (keyProblems.length === 0) source = { kind: 'public', key };
      }
    }
  }

  const allow = options['dangerouslyAllowHttpJwks'];
  if (allow !== undefined && typeof allow !== 'boolean')
    problems.push(`"dangerouslyAllowHttpJwks" must be a boolean (got ${describeValue(allow)}); pass true or false`);
  if (allow === true && jwksUri === undefined)
    problems.push('"dangerouslyAllowHttpJwks" only applies with "jwksUri"; remove it');
  if (jwksUri === undefined) {
    for (const k of ['cooldownMs', 'cacheMaxAgeMs', 'staleIfErrorSec']) {
      if (options[k] !== undefined) problems.push(`"${k}" only applies with "jwksUri"; remove it`);
    }
  }

  const profile = options['profile'] ?? 'rfc9068';
  if (profile !== 'rfc9068' && profile !== 'compat')
    problems.push(`"profile" must be "rfc9068" or "compat" (got ${describeValue(profile)}); omit it for "rfc9068"`);

  const tol = options['clockToleranceSec'];
  let clockToleranceSec = 5;
  if (tol !== undefined) {
    if (typeof tol !== 'number' || !Number.isFinite(tol) || tol < 0 || tol > 300)
      problems.push(
        `"clockToleranceSec" must be a number of seconds from 0 to 300 (got ${describeValue(tol)}); e.g. 5`,
      );
    else clockToleranceSec = tol;
  }
  const maxTokenLifetimeSec = intOption(options, 'maxTokenLifetimeSec', 86_400, 1, 31_536_000, 'seconds', problems);
  const maxTokenAgeSec =
    options['maxTokenAgeSec'] === undefined
      ? undefined
      : intOption(options, 'maxTokenAgeSec', 0, 1, 31_536_000, 'seconds', problems);
  const maxTokenBytes = intOption(options, 'maxTokenBytes', 8192, 64, 1_048_576, 'bytes', problems);
  const timeoutMs = intOption(options, 'timeoutMs', 5000, 1, 60_000, 'milliseconds', problems);
  const cooldownMs = intOption(options, 'cooldownMs', 30_000, 1, 86_400_000, 'milliseconds', problems);
  const cacheMaxAgeMs = intOption(options, 'cacheMaxAgeMs', 600_000, 1, 604_800_000, 'milliseconds', problems);
  const staleIfErrorSec = intOption(options, 'staleIfErrorSec', 3600, 0, 604_800, 'seconds', problems);

  const credentialsRequired = options['credentialsRequired'] ?? true;
  if (typeof credentialsRequired !== 'boolean')
    problems.push(
      `"credentialsRequired" must be a boolean (got ${describeValue(credentialsRequired)}); pass true or false`,
    );
  const isRevoked = options['isRevoked'];
  if (isRevoked !== undefined && typeof isRevoked !== 'function')
    problems.push(
      `"isRevoked" must be a function (claims) => Promise<boolean> (got ${describeValue(isRevoked)}); e.g. async (claims) => denylist.has(claims.jti)`,
    );
  const realm = options['realm'] ?? 'api';
  if (typeof realm !== 'string' || !REALM.test(realm))
    problems.push(
      `"realm" must be 1-128 printable ASCII characters without '"' or '\\' (got ${describeValue(realm)}); e.g. "api"`,
    );

  const verifiedTokenCache = cacheOption(options['verifiedTokenCache'], problems);
  const dpop = dpopOption(options['dpop'], problems);
  const mtls = mtlsOption(options['mtls'], problems);

  if (problems.length > 0 || source === undefined) {
    throw new TypeError(problems.map((p) => `${PKG}: ${p}`).join('\n'));
  }
  return Object.freeze({
    issuer: typeof issuer === 'string' ? issuer : [...(issuer as string[])],
    audience: typeof audience === 'string' ? audience : [...(audience as string[])],
    algorithms: algs,
    source,
    profile: profile as 'rfc9068' | 'compat',
    clockToleranceSec,
    maxTokenLifetimeSec,
    maxTokenAgeSec,
    maxTokenBytes,
    credentialsRequired: credentialsRequired as boolean,
    isRevoked: isRevoked as IsRevoked | undefined,
    timeoutMs,
    cooldownMs,
    cacheMaxAgeMs,
    staleIfErrorSec,
    realm: realm as string,
    verifiedTokenCache,
    dpop,
    mtls,
  });
}
