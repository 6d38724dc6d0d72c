// Stores: redisStore() over rate-limit-redis, and the guard that bounds every store call in time and fails closed.
import { MemoryStore, type IncrementResponse, type Options as ErlOptions, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { ServiceUnavailableError } from '@portcullis/errors';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { PKG } from './options.js';

/** A rate-limit store: the express-rate-limit `Store` interface (increment, decrement, resetKey, optional init/get/resetAll/shutdown). */
export type RateLimitStore = Store;

/** What a deploy check needs to know about a store: `memory` counts per process, `redis` is shared. */
export type StoreKind = 'memory' | 'redis' | 'custom';

/** The least of an ioredis client that redisStore() uses: `call(command, ...args)`. */
export interface RedisCallClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** Options of redisStore(). */
export interface RedisStoreOptions {
  /** Prefix of every Redis key (the limiter adds its `name` after it). Letters, digits, `:_.-`, 1 to 64 characters. @default "rl:" */
  prefix?: string;
}

const REDIS_STORE_KEYS: OptionKeys<RedisStoreOptions> = { prefix: true };
const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;
const redisStores = new WeakSet<object>();
const rejectedScripts = new WeakSet<Promise<string>>();

function watchScript(script: Promise<string>): Promise<string> {
  // Handled here so a failed load is never an unhandled rejection; remembered so it can be retried.
  script.catch(() => {
    rejectedScripts.add(script);
  });
  return script;
}

/**
 * rate-limit-redis keeps the promise of its script load: when Redis is down at startup that
 * promise stays rejected and every later increment fails, even after Redis is back. This
 * subclass loads the script again after such a failure.
 */
class PortcullisRedisStore extends RedisStore {
  override init(options: ErlOptions): Promise<void> {
    const ready = super.init(options);
    void watchScript(this.incrementScriptSha);
    void watchScript(this.getScriptSha);
    return ready;
  }

  override async increment(key: string): Promise<IncrementResponse> {
    try {
      return await super.increment(key);
    } catch (error) {
      if (rejectedScripts.has(this.incrementScriptSha))
        this.incrementScriptSha = watchScript(this.loadIncrementScript());
      throw error;
    }
  }
}

/**
 * A store over rate-limit-redis (one atomic Lua script per hit) with an ioredis client, so every
 * instance of the app sharing one Redis sees one counter per key. The client stays yours: connect
 * it, set `maxRetriesPerRequest`, and `quit()` it at shutdown. Use one store per limiter.
 *
 * @param client - an ioredis client (anything with `call(command, ...args)`).
 * @param options - `{ prefix }`, see RedisStoreOptions.
 */
export function redisStore(client: RedisCallClient, options?: RedisStoreOptions): RateLimitStore {
  if (typeof client !== 'object' || client === null || typeof (client as { call?: unknown }).call !== 'function') {
    throw optionError(
      PKG,
      'client',
      'must be an ioredis client with a call(command, ...args) method',
      'pass `new Redis(url)` from ioredis',
      client,
    );
  }
  const opts = checkOptions(PKG, options, REDIS_STORE_KEYS);
  const prefix = opts['prefix'] ?? 'rl:';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw optionError(PKG, 'prefix', 'must be 1 to 64 letters, digits or ":_.-"', 'e.g. "rl:myapp:"', prefix);
  }
  const store = new PortcullisRedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<RedisReply>,
  });
  redisStores.add(store);
  return store;
}

/** The kind of a store, for describeLimiter(). */
export function storeKind(store: Store): StoreKind {
  if (store instanceof MemoryStore) return 'memory';
  if (redisStores.has(store) || store instanceof RedisStore) return 'redis';
  return 'custom';
}

/** The minimal check that a value implements the Store interface. */
export function isStore(value: unknown): value is Store {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const optional = (name: string): boolean => s[name] === undefined || typeof s[name] === 'function';
  return (
    typeof s['increment'] === 'function' &&
    typeof s['decrement'] === 'function' &&
    typeof s['resetKey'] === 'function' &&
    optional('init') &&
    optional('get') &&
    optional('resetAll') &&
    optional('shutdown')
  );
}

/** A store call that took longer than storeTimeoutMs. */
export class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`rate limit store did not answer within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/** Seconds a client is told to wait after a 503 caused by the store. */
export const STORE_RETRY_AFTER_SEC = 5;

/** 503s raised by the guard, so the express-rate-limit logger adapter knows they are already reported. */
export const storeFailures = new WeakSet<object>();

function withTimeout<T>(call: () => Promise<T> | T, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new StoreTimeoutError(ms));
    }, ms);
    timer.unref();
    let pending: Promise<T> | T;
    try {
      pending = call();
    } catch (error) {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error('store call threw a non-Error value'));
      return;
    }
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error('store call rejected with a non-Error value'));
      },
    );
  });
}

function checkIncrement(result: unknown): IncrementResponse {
  // A store that answers garbage (NaN hits) would let every request through: treat it as a failure.
  if (typeof result !== 'object' || result === null) throw new TypeError('store returned no increment result');
  const { totalHits, resetTime } = result as { totalHits?: unknown; resetTime?: unknown };
  if (typeof totalHits !== 'number' || !Number.isSafeInteger(totalHits) || totalHits < 1) {
    throw new TypeError('store returned an invalid totalHits');
  }
  if (resetTime !== undefined && !(resetTime instanceof Date && Number.isFinite(resetTime.getTime()))) {
    throw new TypeError('store returned an invalid resetTime');
  }
  return { totalHits, resetTime };
}

/**
 * Wraps a store so that every call is bounded by `timeoutMs`, every key carries the limiter's
 * name, and every failure (error, timeout, nonsense answer) becomes a 503 ServiceUnavailableError.
 * Whether that 503 denies the request or is passed over is decided by the limiter.
 */
export class GuardedStore implements Store {
  /** Counters are shared with other processes (or at least not known to be local). */
  readonly localKeys = false;
  /** The key prefix express-rate-limit uses to tell limiters apart. */
  readonly prefix: string;

  constructor(
    private readonly inner: Store,
    keyPrefix: string,
    private readonly timeoutMs: number,
    private readonly report: (cause: unknown) => void,
  ) {
    this.prefix = `${inner.prefix ?? ''}${keyPrefix}`;
    this.keyPrefix = keyPrefix;
  }

  private readonly keyPrefix: string;

  private failure(cause: unknown): ServiceUnavailableError {
    this.report(cause);
    const error = new ServiceUnavailableError('rate limit store failed', {
      retryAfterSec: STORE_RETRY_AFTER_SEC,
      cause,
    });
    storeFailures.add(error);
    return error;
  }

  private async guard<T>(call: () => Promise<T> | T): Promise<T> {
    try {
      return await withTimeout(call, this.timeoutMs);
    } catch (error) {
      throw this.failure(error);
    }
  }

  init(options: ErlOptions): Promise<void> | void {
    return this.inner.init?.(options);
  }

  async increment(key: string): Promise<IncrementResponse> {
    const result = await this.guard(() => this.inner.increment(this.keyPrefix + key));
    try {
      return checkIncrement(result);
    } catch (error) {
      throw this.failure(error);
    }
  }

  async decrement(key: string): Promise<void> {
    await this.guard(() => this.inner.decrement(this.keyPrefix + key));
  }

  async resetKey(key: string): Promise<void> {
    await this.guard(() => this.inner.resetKey(this.keyPrefix + key));
  }

  async shutdown(): Promise<void> {
    await this.inner.shutdown?.();
  }
}
