// createLogger: a pino logger whose every line passes three redaction layers.
import {
  pino,
  type DestinationStream,
  type LevelWithSilent,
  type LogFn,
  type Logger,
  type LoggerOptions as PinoOptions,
} from 'pino';
import { CENSOR, DEFAULT_REDACT_PATHS, normaliseKey } from './names.js';
import { checkOptions, isPlainObject, optionError, type OptionKeys } from '@portcullis/errors/options';
import { createKeyMatcher } from './keys.js';
import { createObjectScrubber } from './scrub-object.js';
import { scrubText } from './scrub-text.js';
import { serializeError } from './serialize-error.js';
import { serializeRequest, serializeResponse } from './serializers.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * Lowest level written: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.
   * @default 'info'
   */
  level?: LevelWithSilent | undefined;
  /**
   * Where lines go: a pino destination stream (an object with `write(line)`), e.g.
   * `pino.destination(1)` or a stream that captures output in tests.
   * @default standard output
   */
  destination?: DestinationStream | undefined;
  /**
   * More pino `redact` paths (pino path syntax, e.g. `"user.ssn"`, `"*.card"`), added to
   * {@link DEFAULT_REDACT_PATHS}.
   * @default []
   */
  extraRedactPaths?: readonly string[] | undefined;
  /**
   * More key names the key scrubber masks at any depth, compared case-insensitively and ignoring
   * `-`, `_`, spaces and other punctuation (`"X-Tenant-Secret"` matches `x_tenant_secret`).
   * @default []
   */
  extraSensitiveKeys?: readonly string[] | undefined;
  /**
   * Fields on every line (pino `base`); `null` drops pid and hostname. Scrubbed like logged objects.
   * @default { pid, hostname }
   */
  base?: Record<string, unknown> | null | undefined;
}

const PKG = 'logging';
const OPTION_KEYS: OptionKeys<LoggerOptions> = {
  level: true,
  destination: true,
  extraRedactPaths: true,
  extraSensitiveKeys: true,
  base: true,
};
const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
// Keys whose values go through an allowlist serializer instead of the key scrubber.
const SERIALIZED_KEYS: ReadonlySet<string> = new Set(['req', 'res', 'err']);
const MAX_PATH_LENGTH = 256;

// The message, including the one pino takes from an Error's message; numbers and the like pass.
function scrubMessage(msg: unknown): unknown {
  return typeof msg === 'string' ? scrubText(msg) : msg;
}

/** What requestLogger needs to know about a logger made here. */
export interface LoggerConfig {
  /**
   * Layer-1 paths for the request logger's child (pino-http lines and `req.log`): the top-level
   * names and the caller's extra paths. Left out, because they cannot match there: the header paths
   * (that child serializes `req`/`res` with allowlists that never read credential headers) and the
   * "*.name" paths (layer 2 masks those names at every depth before pino sees the object). pino's
   * redaction re-parses each path for every value it redacts, so dead paths cost on every line.
   */
  readonly requestRedactPaths: readonly string[];
}

// Loggers made here; children inherit from them, so membership is checked along the prototype chain.
const ROOTS = new WeakMap<object, LoggerConfig>();

/** The config of a logger returned by createLogger() or any of its children, else undefined. */
export function portcullisLoggerConfig(value: unknown): LoggerConfig | undefined {
  let current: unknown = value;
  for (let i = 0; i < 64 && typeof current === 'object' && current !== null; i++) {
    const config = ROOTS.get(current);
    if (config !== undefined) return config;
    current = Object.getPrototypeOf(current);
  }
  return undefined;
}

function stringList(name: string, value: unknown, fix: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw optionError(PKG, name, 'must be an array of strings', fix, value);
  return value.map((item: unknown) => {
    if (typeof item !== 'string' || item.trim() === '' || item.length > MAX_PATH_LENGTH) {
      throw optionError(PKG, name, `must hold non-empty strings of at most ${MAX_PATH_LENGTH} characters`, fix, item);
    }
    return item;
  });
}

function validate(options: unknown): {
  level: LevelWithSilent;
  destination: DestinationStream | undefined;
  extraRedactPaths: string[];
  extraSensitiveKeys: string[];
  base: Record<string, unknown> | null | undefined;
} {
  const o = checkOptions(PKG, options, OPTION_KEYS);
  const level = o.level ?? 'info';
  if (typeof level !== 'string' || !LEVELS.has(level)) {
    throw optionError(PKG, 'level', `must be one of ${[...LEVELS].join(', ')}`, 'e.g. "info"', level);
  }
  const destination = o.destination;
  if (
    destination !== undefined &&
    (typeof destination !== 'object' ||
      destination === null ||
      typeof (destination as DestinationStream).write !== 'function')
  ) {
    throw optionError(
      PKG,
      'destination',
      'must be a stream with a write(line) method',
      'use pino.destination(1) for stdout',
      destination,
    );
  }
  const base = o.base;
  if (base !== undefined && base !== null && !isPlainObject(base)) {
    throw optionError(PKG, 'base', 'must be an object or null', 'e.g. { service: "api" }, or null', base);
  }
  return {
    level: level as LevelWithSilent,
    destination: destination as DestinationStream | undefined,
    extraRedactPaths: stringList('extraRedactPaths', o.extraRedactPaths, 'use pino redact paths such as "user.ssn"'),
    extraSensitiveKeys: stringList('extraSensitiveKeys', o.extraSensitiveKeys, 'use key names such as "tenantSecret"'),
    base: base,
  };
}

/**
 * Creates a pino logger with layered redaction:
 * 1. pino `redact` for known shapes ({@link DEFAULT_REDACT_PATHS} + `extraRedactPaths`, censor `"[REDACTED]"`);
 * 2. a case-insensitive key-name scrub of logged objects, child bindings and `base` at any depth
 *    (bounded to 10 levels and 2000 values, cycle-safe, never mutating the logged object);
 * 3. {@link scrubText} on the message and on every string value.
 * `req`, `res` and `err` use allowlist serializers; Error values anywhere go through {@link serializeError}.
 *
 * @param options - See {@link LoggerOptions}; unknown keys throw a TypeError.
 * @returns A pino Logger (pass it to {@link requestLogger}).
 */
export function createLogger(options?: LoggerOptions): Logger {
  const opts = validate(options);
  const extraKeys = opts.extraSensitiveKeys.map((key) => {
    const normalised = normaliseKey(key);
    if (normalised === '') {
      throw optionError(
        PKG,
        'extraSensitiveKeys',
        'entries need at least one ASCII letter or digit',
        'use key names such as "tenantSecret"',
        key,
      );
    }
    return normalised;
  });
  const scrubber = createObjectScrubber(createKeyMatcher(extraKeys));

  const pinoOptions: PinoOptions = {
    level: opts.level,
    redact: { paths: [...DEFAULT_REDACT_PATHS, ...opts.extraRedactPaths], censor: CENSOR },
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError, msg: scrubMessage },
    formatters: {
      log: function scrubLogObject(obj) {
        return scrubber.record(obj, SERIALIZED_KEYS);
      },
      bindings: function scrubBase(bindings) {
        return scrubber.record(bindings, SERIALIZED_KEYS);
      },
    },
    hooks: {
      // Objects interpolated into the message (%j, %o, %O) are scrubbed by key like logged objects.
      logMethod: function scrubArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
        const list = args as unknown[];
        for (let i = 1; i < list.length; i++) {
          const arg = list[i];
          if (typeof arg === 'object' && arg !== null) list[i] = scrubber.value(arg);
        }
        method.apply(this, args);
      },
    },
  };
  if (opts.base !== undefined) pinoOptions.base = opts.base === null ? null : { ...opts.base };

  let logger: Logger;
  try {
    logger = opts.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, opts.destination);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'invalid option';
    throw new TypeError(
      `@portcullis/logging: "extraRedactPaths" was rejected by pino (${reason}); use pino path syntax such as "user.ssn"`,
      { cause },
    );
  }

  // Child bindings skip pino's bindings formatter, so they are scrubbed on the way in.
  type ChildFn = (this: Logger, bindings: Record<string, unknown>, options?: object) => Logger;
  type SetBindingsFn = (this: Logger, bindings: Record<string, unknown>) => void;
  const originalChild = Reflect.get(logger, 'child') as unknown as ChildFn;
  const originalSetBindings: SetBindingsFn = Reflect.get(logger, 'setBindings');
  Object.defineProperty(logger, 'child', {
    configurable: true,
    writable: true,
    value: function scrubbedChild(this: Logger, bindings: Record<string, unknown>, childOptions?: object): Logger {
      return originalChild.call(this, scrubber.record(bindings, SERIALIZED_KEYS), childOptions);
    },
  });
  Object.defineProperty(logger, 'setBindings', {
    configurable: true,
    writable: true,
    value: function scrubbedSetBindings(this: Logger, bindings: Record<string, unknown>): void {
      originalSetBindings.call(this, scrubber.record(bindings, SERIALIZED_KEYS));
    },
  });
  ROOTS.set(logger, {
    requestRedactPaths: Object.freeze([
      ...DEFAULT_REDACT_PATHS.filter((path) => !path.includes('.')),
      ...opts.extraRedactPaths,
    ]),
  });
  return logger;
}
