// DPoP proof replay stores (RFC 9449 §11.1): a bounded in-process map, or Redis SET NX EX shared by every instance.
import { hash } from 'node:crypto';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import type { DpopReplayStore } from './types.js';

/** Options of memoryReplayStore(). */
export interface MemoryReplayStoreOptions {
  /** Most proof ids remembered at once, 1..10000000. When full of live ids, seen() rejects (503). @default 100000 */
  maxEntries?: number | undefined;
}

/** The in-process store, with its size for tests and monitoring. */
export interface MemoryReplayStore extends DpopReplayStore {
  /** Live entries held now. */
  readonly size: number;
}

const MEMORY_KEYS: OptionKeys<MemoryReplayStoreOptions> = { maxEntries: true };

/**
 * A replay store in this process's memory: right for one instance. Entries expire when a proof with that
 * `jti` could no longer pass the `iat` window; at most `maxEntries` are kept, and a store full of live
 * entries answers with an error (the request gets 503) rather than forgetting one (which would allow a replay).
 */
export function memoryReplayStore(options?: MemoryReplayStoreOptions): MemoryReplayStore {
  const opts = checkOptions('auth', options, MEMORY_KEYS, 'memoryReplayStore options');
  const maxEntries = opts.maxEntries ?? 100_000;
  if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000)
    throw optionError('auth', 'maxEntries', 'must be an integer from 1 to 10000000', 'omit it for 100000', maxEntries);
  const entries = new Map<string, number>();
  const sweep = (now: number, all: boolean): void => {
    for (const [jti, expiresAt] of entries) {
      if (expiresAt <= now) entries.delete(jti);
      else if (!all) return; // insertion order is close to expiry order: stop at the first live entry
    }
  };
  return {
    get size() {
      return entries.size;
    },
    seen(jti, expiresAtSec) {
      const now = Date.now() / 1000;
      const known = entries.get(jti);
      if (known !== undefined && known > now) return Promise.resolve(true);
      sweep(now, false);
      if (entries.size >= maxEntries) sweep(now, true);
      if (entries.size >= maxEntries)
        return Promise.reject(new Error(`DPoP replay store holds ${maxEntries} live proof ids`));
      entries.delete(jti);
      entries.set(jti, expiresAtSec);
      return Promise.resolve(false);
    },
  };
}

/** The least of an ioredis client redisReplayStore() uses: `call(command, ...args)`. */
export interface RedisCallClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** Options of redisReplayStore(). */
export interface RedisReplayStoreOptions {
  /** Prefix of every key. Letters, digits, `:_.-`, 1 to 64 characters. @default "dpop:jti:" */
  prefix?: string | undefined;
}

const REDIS_KEYS: OptionKeys<RedisReplayStoreOptions> = { prefix: true };
const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/**
 * A replay store in Redis, shared by every instance: `SET <prefix><sha256(jti)> 1 EX <ttl> NX` is atomic, so
 * of two instances receiving the same proof exactly one accepts it. A Redis error rejects (the request gets 503).
 * @param client an ioredis client (anything with `call(command, ...args)`).
 */
export function redisReplayStore(client: RedisCallClient, options?: RedisReplayStoreOptions): DpopReplayStore {
  if (typeof client !== 'object' || client === null || typeof (client as { call?: unknown }).call !== 'function')
    throw optionError(
      'auth',
      'client',
      'must be an ioredis client with a call(command, ...args) method',
      'pass new Redis(url)',
      client,
    );
  const opts = checkOptions('auth', options, REDIS_KEYS, 'redisReplayStore options');
  const prefix = opts.prefix ?? 'dpop:jti:';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix))
    throw optionError('auth', 'prefix', 'must be 1-64 letters, digits or :_.-', 'omit it for "dpop:jti:"', prefix);
  return {
    async seen(jti, expiresAtSec) {
      const ttl = Math.max(1, Math.ceil(expiresAtSec - Date.now() / 1000));
      // The jti is client-chosen: hash it so a key never carries its characters or its length.
      const key = `${prefix}${hash('sha256', jti, 'base64url')}`;
      const reply = await client.call('SET', key, '1', 'EX', String(ttl), 'NX');
      if (reply === 'OK') return false;
      if (reply === null) return true;
      throw new Error('unexpected reply to SET NX');
    },
  };
}
