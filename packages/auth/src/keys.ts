// Key resolution: static keys imported once, or a remote key set with a cooldown and stale-if-error.
import {
  createLocalJWKSet,
  errors,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type JWK,
} from 'jose';
import { fetchJwks } from './fetch-jwks.js';
import type { Config } from './options.js';

/** The key set endpoint could not give us keys: the request is denied with 503, never allowed, never 401. */
export class KeysUnavailable extends Error {
  readonly retryAfterSec: number;
  constructor(message: string, retryAfterSec: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KeysUnavailable';
    this.retryAfterSec = retryAfterSec;
  }
}

/** Receives key set events for logging. */
export type KeyEventSink = (level: 'warn' | 'info', obj: Record<string, unknown>, msg: string) => void;

/** Resolves the verification key of a token from its (already checked) protected header. */
export interface KeyResolver {
  resolve(header: JWSHeaderParameters, sink: KeyEventSink | undefined): Promise<CryptoKey> | CryptoKey;
  /**
   * The key resolve() would return for this header right now without any I/O, selection or import
   * (already selected, fresh); undefined otherwise, and then the caller goes through resolve().
   * Side-effect free. Only ever answers for algorithms resolve() has already served or warmed.
   */
  peek(header: JWSHeaderParameters): CryptoKey | undefined;
  ready(): Promise<void>;
  /** True when keys can be used now without a fetch (always, for static keys; a remote set younger than cacheMaxAgeMs). */
  fresh(nowMs: number): boolean;
  /** Registers a listener called when a refetch returns a key set different from the previous one. */
  onChange(listener: () => void): void;
}

const always = (): boolean => true;
const never = (): void => undefined;

/** A local key set: jose's selection rules, with the selected CryptoKey remembered per (alg, kid). */
interface LocalSet {
  (header: JWSHeaderParameters): Promise<CryptoKey> | CryptoKey;
  /** The key already selected for this (alg, kid), synchronously; undefined when not resolved yet. */
  cached(header: JWSHeaderParameters): CryptoKey | undefined;
  /** Selects and imports the key of every (alg, kid) pair the set can serve, so requests find them cached. */
  warm(algorithms: readonly string[]): Promise<void>;
}

/**
 * jose's createLocalJWKSet decides which key a header selects (kty, crv, alg, use, key_ops, kid) and
 * imports it; its answer depends only on the header's `alg` and `kid`. We keep jose's decision and
 * remember the CryptoKey it returned per (alg, kid), so later requests resolve synchronously without
 * re-running the selection and its promise. Only successful selections are remembered (misses and
 * ambiguous headers go to jose every time), so the memo holds at most algorithms × (keys + 1) entries:
 * jwtVerify checks the algorithm allowlist before asking for a key, and a kid must match a key.
 */
function localSet(jwks: JSONWebKeySet): LocalSet {
  const set = createLocalJWKSet(jwks);
  const memo = new Map<string, Map<string | undefined, CryptoKey>>();
  const cached = (header: JWSHeaderParameters): CryptoKey | undefined => memo.get(header.alg ?? '')?.get(header.kid);
  const select = (header: JWSHeaderParameters): Promise<CryptoKey> | CryptoKey => {
    const hit = cached(header);
    if (hit !== undefined) return hit;
    const { alg, kid } = header;
    return set(header).then((key) => {
      if (typeof alg === 'string' && (kid === undefined || typeof kid === 'string')) {
        let byKid = memo.get(alg);
        if (byKid === undefined) memo.set(alg, (byKid = new Map<string | undefined, CryptoKey>()));
        byKid.set(kid, key);
      }
      return key;
    });
  };
  return Object.assign(select, {
    cached,
    async warm(algorithms: readonly string[]) {
      const kids = new Set<string | undefined>([undefined, ...jwks.keys.map((jwk) => jwk.kid)]);
      await Promise.all(
        algorithms.flatMap((alg) =>
          [...kids].map(async (kid) => {
            try {
              await select(kid === undefined ? { alg } : { alg, kid });
            } catch {
              // No key (or several) for this pair: requests with it get jose's error.
            }
          }),
        ),
      );
    },
  });
}

const HMAC_HASH: Readonly<Record<string, string>> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

/** One pre-imported CryptoKey per allowed algorithm (jose would otherwise re-import a raw secret per call). */
function staticResolver(config: Config, importFor: (alg: string) => Promise<CryptoKey>): KeyResolver {
  const byAlg = new Map<string, Promise<CryptoKey>>();
  const resolved = new Map<string, CryptoKey>();
  for (const alg of config.algorithms) {
    const pending = importFor(alg).then((key) => {
      resolved.set(alg, key);
      return key;
    });
    pending.catch(() => undefined); // surfaced by ready() and by requests
    byAlg.set(alg, pending);
  }
  return {
    resolve(header) {
      const alg = header.alg ?? '';
      const key = resolved.get(alg);
      if (key !== undefined) return key;
      const pending = byAlg.get(alg);
      if (pending === undefined)
        throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
      return pending;
    },
    peek: (header) => resolved.get(header.alg ?? ''),
    async ready() {
      await Promise.all(byAlg.values());
    },
    fresh: always,
    onChange: never,
  };
}

/** A key set fetched from `jwksUri`, refreshed after cacheMaxAgeMs, refetched for an unknown kid at most once per cooldown. */
class RemoteKeySet implements KeyResolver {
  #local: LocalSet | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastFailure: unknown = undefined;
  #inflight: Promise<void> | undefined;
  /** The last fetched key list, serialised, to tell a changed key set from a refresh that returned the same keys. */
  #fingerprint: string | undefined;
  readonly #listeners: (() => void)[] = [];
  readonly #url: URL;
  readonly #config: Config;

  constructor(url: URL, config: Config) {
    this.#url = url;
    this.#config = config;
  }

  /** Fetches once (concurrent callers share the fetch); never rejects: the outcome is in the state. */
  #load(sink: KeyEventSink | undefined): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    this.#lastAttemptAt = Date.now();
    this.#inflight = fetchJwks(this.#url, this.#config.timeoutMs)
      .then(
        (jwks) => {
          const fingerprint = JSON.stringify(jwks.keys);
          const changed = this.#fingerprint !== undefined && fingerprint !== this.#fingerprint;
          this.#fingerprint = fingerprint;
          this.#local = localSet(jwks);
          if (changed) for (const listener of this.#listeners) listener();
          this.#fetchedAt = Date.now();
          this.#lastFailure = undefined;
          sink?.('info', { jwksUri: this.#url.href, keys: jwks.keys.length }, 'auth: key set fetched');
        },
        (err: unknown) => {
          this.#lastFailure = err;
          sink?.(
            'warn',
            { jwksUri: this.#url.href, reason: err instanceof Error ? err.message : 'unknown' },
            'auth: key set fetch failed',
          );
        },
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  #retryAfterSec(now: number): number {
    return Math.max(1, Math.ceil((this.#lastAttemptAt + this.#config.cooldownMs - now) / 1000));
  }

  #unavailable(now: number): KeysUnavailable {
    return new KeysUnavailable('key set unavailable', this.#retryAfterSec(now), this.#lastFailure);
  }

  #mayFetch(now: number): boolean {
    return this.#inflight !== undefined || now - this.#lastAttemptAt >= this.#config.cooldownMs;
  }

  /** The key set to use now: fresh, or stale within staleIfErrorSec while the endpoint fails. */
  async #current(sink: KeyEventSink | undefined): Promise<LocalSet> {
    let now = Date.now();
    if (this.#local !== undefined && now - this.#fetchedAt < this.#config.cacheMaxAgeMs) return this.#local;
    // Expired (or never fetched): refetch, but after a failure only once per cooldown.
    if (this.#lastFailure === undefined || this.#mayFetch(now)) {
      await this.#load(sink);
      now = Date.now();
    }
    const local = this.#local;
    if (local !== undefined && now - this.#fetchedAt < this.#config.cacheMaxAgeMs + this.#config.staleIfErrorSec * 1000)
      return local;
    throw this.#unavailable(now);
  }

  resolve(header: JWSHeaderParameters, sink: KeyEventSink | undefined): Promise<CryptoKey> | CryptoKey {
    return this.peek(header) ?? this.#resolve(header, sink);
  }

  /** Fast path: a fresh key set that already resolved this (alg, kid). */
  peek(header: JWSHeaderParameters): CryptoKey | undefined {
    const local = this.#local;
    if (local !== undefined && Date.now() - this.#fetchedAt < this.#config.cacheMaxAgeMs) return local.cached(header);
    return undefined;
  }

  async #resolve(header: JWSHeaderParameters, sink: KeyEventSink | undefined): Promise<CryptoKey> {
    const local = await this.#current(sink);
    try {
      return await local(header);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      const now = Date.now();
      if (!this.#mayFetch(now)) {
        // Inside the cooldown: an unknown kid causes no request. If the endpoint is failing we cannot tell a rotated key from a bogus one.
        if (this.#lastFailure !== undefined) throw this.#unavailable(now);
        throw err;
      }
      await this.#load(sink);
      if (this.#lastFailure !== undefined) throw this.#unavailable(Date.now());
      const refreshed = this.#local;
      if (refreshed === undefined) throw err;
      return refreshed(header);
    }
  }

  fresh(nowMs: number): boolean {
    return this.#local !== undefined && nowMs - this.#fetchedAt < this.#config.cacheMaxAgeMs;
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async ready(): Promise<void> {
    if (this.#local !== undefined && Date.now() - this.#fetchedAt < this.#config.cacheMaxAgeMs) return;
    await this.#load(undefined);
    if (this.#local === undefined) {
      const reason = this.#lastFailure instanceof Error ? this.#lastFailure.message : 'unknown error';
      throw new Error(`@portcullis/auth: could not load the key set from ${this.#url.href}: ${reason}`, {
        cause: this.#lastFailure,
      });
    }
  }
}

/** Builds the resolver for the configured key source. */
export function createKeyResolver(config: Config): KeyResolver {
  const source = config.source;
  switch (source.kind) {
    case 'remote':
      return new RemoteKeySet(source.url, config);
    case 'jwks': {
      const local = localSet(source.jwks);
      // Select and import every key now, so requests resolve synchronously; ready() waits for it.
      const warmed = local.warm(config.algorithms);
      return {
        resolve: (header) => local(header),
        peek: (header) => local.cached(header),
        ready: () => warmed,
        fresh: always,
        onChange: never,
      };
    }
    case 'public': {
      const jwk = source.key.export({ format: 'jwk' }) as JWK;
      return staticResolver(config, (alg) => importJWK({ ...jwk, alg }, alg) as Promise<CryptoKey>);
    }
    case 'secret': {
      const bytes = source.bytes;
      return staticResolver(config, (alg) =>
        crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: HMAC_HASH[alg] ?? 'SHA-256' }, false, ['verify']),
      );
    }
  }
}
