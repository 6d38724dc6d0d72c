// Opt-in bounded cache of tokens that passed full verification: SHA-256 of the token → deep-frozen claims.
// A hit only lets the caller skip the signature check; the caller re-runs every header, claim and time check.
import { hash } from 'node:crypto';
import type { JWSHeaderParameters, JWTPayload } from 'jose';
import type { VerifiedTokenCacheConfig } from './options.js';

/** What a cache hit gives back: the header, claims and scopes of the token as they were verified (deep-frozen). */
export interface CachedToken {
  readonly header: Readonly<JWSHeaderParameters>;
  readonly claims: Readonly<JWTPayload>;
  readonly scopes: readonly string[];
}

interface Entry extends CachedToken {
  /** Epoch ms after which the entry is dropped: min(exp, insertion + maxAgeSec). */
  readonly expiresAt: number;
}

/** Freezes a JSON value and everything inside it, so cached claims cannot be changed by one request for the next. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The cache key: SHA-256 of the exact token string; the token itself is never kept as a key.
 * crypto.hash (one-shot, Node ≥ 20.12) costs about half of createHash().update().digest() here.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64');
}

/** An LRU map bounded by maxEntries; entries expire at min(token exp, insertion + maxAgeSec). */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  #generation = 0;

  constructor(config: VerifiedTokenCacheConfig) {
    this.#maxEntries = config.maxEntries;
    this.#maxAgeMs = config.maxAgeSec * 1000;
  }

  /** Changes on every clear(): a verification that started before a flush must not insert after it. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The live entry for this digest, refreshed as most recently used; undefined (and dropped) when expired. */
  get(digest: string, nowMs: number): CachedToken | undefined {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return undefined;
    this.#entries.delete(digest);
    if (nowMs >= entry.expiresAt) return undefined;
    this.#entries.set(digest, entry);
    return entry;
  }

  /** Stores a fully verified token, unless the cache was flushed since `generation` was read. */
  set(digest: string, token: CachedToken, exp: number, nowMs: number, generation: number): void {
    if (generation !== this.#generation) return;
    const expiresAt = Math.min(exp * 1000, nowMs + this.#maxAgeMs);
    if (!(expiresAt > nowMs)) return;
    this.#entries.delete(digest);
    this.#entries.set(digest, { header: token.header, claims: token.claims, scopes: token.scopes, expiresAt });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(digest: string): void {
    this.#entries.delete(digest);
  }

  /** Drops every entry (the key set changed). */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
