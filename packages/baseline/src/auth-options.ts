// authOptionsFromConfig: the one mapping from a loaded configuration to jwtAuth options.
import type { DpopOptions, JwsAlgorithm, JwtAuthOptions } from '@portcullis/auth';
import type { SecurityConfig } from '@portcullis/config';

// Kept complete by the compiler: a new JwsAlgorithm in @portcullis/auth fails to compile here until listed.
const JWS_ALGORITHMS: Readonly<Record<JwsAlgorithm, true>> = {
  RS256: true,
  RS384: true,
  RS512: true,
  PS256: true,
  PS384: true,
  PS512: true,
  ES256: true,
  ES384: true,
  ES512: true,
  EdDSA: true,
  Ed25519: true,
  HS256: true,
  HS384: true,
  HS512: true,
};

function isJwsAlgorithm(name: string): name is JwsAlgorithm {
  return Object.hasOwn(JWS_ALGORITHMS, name);
}

function fail(message: string): never {
  throw new TypeError(`@portcullis/baseline: authOptionsFromConfig: ${message}`);
}

/**
 * The jwtAuth options the configuration determines, possibly incomplete (no issuer when JWT_ISSUER is
 * unset, no key source when neither JWKS_URI nor JWT_SECRET is set). Internal: secureBaseline merges the
 * caller's `auth` over it; authOptionsFromConfig() completes it.
 */
export function configAuthOptions(config: SecurityConfig): Partial<JwtAuthOptions> {
  const options: Partial<JwtAuthOptions> = { maxTokenLifetimeSec: config.accessTokenMaxTtlSec };
  if (config.jwtIssuer !== undefined) options.issuer = config.jwtIssuer;
  if (config.jwtAudience !== undefined) options.audience = config.jwtAudience;
  if (config.jwtAlgorithms.length > 0) {
    options.algorithms = config.jwtAlgorithms.map((name) => {
      // @portcullis/config refuses "none" in every profile; anything else it accepts is a JWS name.
      if (!isJwsAlgorithm(name)) fail(`JWT_ALGORITHMS has ${JSON.stringify(name)}, which jwtAuth does not accept`);
      return name;
    });
  }
  // JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 0 (the default) leaves jwtAuth's cache off; jwtAuth validates any other value.
  if (config.jwtVerifiedTokenCacheMaxEntries !== 0) {
    options.verifiedTokenCache = {
      maxEntries: config.jwtVerifiedTokenCacheMaxEntries,
      maxAgeSec: config.jwtVerifiedTokenCacheMaxAgeSec,
    };
  }
  // JWT_DPOP = off (the default) leaves DPoP off; otherwise PUBLIC_ORIGIN (which the config requires then) is
  // what the proofs' htu is compared against. The replay store defaults to jwtAuth's memory store.
  if (config.jwtDpop !== 'off') {
    options.dpop = {
      mode: config.jwtDpop,
      ...(config.publicOrigin === undefined ? {} : { publicOrigin: config.publicOrigin }),
    };
  }
  if (config.jwksUri !== undefined) options.jwksUri = config.jwksUri;
  else if (config.jwtSecret !== undefined) options.secret = config.jwtSecret;
  return options;
}

/**
 * What a caller may pass over the configuration's jwtAuth options: any option, and for `dpop` any part of
 * it (e.g. only `replay: redisReplayStore(redis)`), merged over what JWT_DPOP / PUBLIC_ORIGIN give.
 */
export type AuthOverrides = Partial<Omit<JwtAuthOptions, 'dpop'>> & { dpop?: Partial<DpopOptions> | undefined };

const KEY_SOURCES = ['jwksUri', 'jwks', 'publicKey', 'secret'] as const;

function withoutKeySource(options: Partial<JwtAuthOptions>): Partial<JwtAuthOptions> {
  const { jwksUri: _jwksUri, jwks: _jwks, publicKey: _publicKey, secret: _secret, ...rest } = options;
  return rest;
}

/**
 * `given` over the configuration's options: every defined option the caller passes wins, and a key
 * source of the caller replaces the configuration's (jwtAuth takes exactly one). Then checked complete.
 */
export function mergeAuthOptions(config: SecurityConfig, given: AuthOverrides): JwtAuthOptions {
  const fromConfig = configAuthOptions(config);
  const merged = KEY_SOURCES.some((key) => given[key] !== undefined) ? withoutKeySource(fromConfig) : fromConfig;
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    // dpop one level deep: a replay store (or nonce) passed in code completes JWT_DPOP / PUBLIC_ORIGIN.
    const merge = key === 'dpop' && typeof value === 'object' && value !== null && fromConfig.dpop !== undefined;
    const set = merge ? { ...fromConfig.dpop, ...definedEntries(value as Record<string, unknown>) } : value;
    Object.defineProperty(merged, key, { value: set, enumerable: true, writable: true });
  }
  return completeAuthOptions(merged);
}

function definedEntries(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Narrows options to JwtAuthOptions, naming the variable that is missing. jwtAuth checks the rest. */
function completeAuthOptions(options: Partial<JwtAuthOptions>): JwtAuthOptions {
  const { issuer, audience, algorithms } = options;
  if (issuer === undefined) fail('no issuer: set JWT_ISSUER (or pass auth.issuer)');
  if (audience === undefined) fail('no audience: set JWT_AUDIENCE (or pass auth.audience)');
  if (algorithms === undefined) fail('no algorithms: set JWT_ALGORITHMS (or pass auth.algorithms)');
  return { ...options, issuer, audience, algorithms };
}

/**
 * The jwtAuth options a loaded configuration describes — the only place configuration becomes
 * authentication options (secureBaseline uses it too):
 *
 * | option | from |
 * | --- | --- |
 * | `issuer` | JWT_ISSUER |
 * | `audience` | JWT_AUDIENCE |
 * | `algorithms` | JWT_ALGORITHMS |
 * | `jwksUri` / `secret` | JWKS_URI, else JWT_SECRET (absent when neither is set) |
 * | `maxTokenLifetimeSec` | ACCESS_TOKEN_MAX_TTL_SEC (seconds) |
 * | `verifiedTokenCache` | `{ maxEntries: JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES, maxAgeSec: JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC }` when MAX_ENTRIES > 0 |
 * | `dpop` | `{ mode: JWT_DPOP, publicOrigin: PUBLIC_ORIGIN }` when JWT_DPOP is not off |
 *
 * @param config - the result of loadSecurityConfig() from @portcullis/config.
 * @returns options for jwtAuth(); add a key source (`jwks`, `publicKey`) when the configuration has none.
 * @throws TypeError when JWT_ISSUER, JWT_AUDIENCE or JWT_ALGORITHMS is not set.
 */
export function authOptionsFromConfig(config: SecurityConfig): JwtAuthOptions {
  return completeAuthOptions(configAuthOptions(config));
}
