// Shared option checks: every factory validates at creation and names the package, the option, the bad value and the fix.

/** Package prefix of every setup error. */
export const PKG = '@portcullis/ratelimit';

/** A short, log-safe rendering of a bad option value for error messages. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value);
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return 'an object';
  }
}

/** Throws the standard setup TypeError. */
export function fail(option: string, expectation: string, value: unknown, fix?: string): never {
  throw new TypeError(`${PKG}: "${option}" ${expectation} (got ${show(value)})${fix === undefined ? '' : `; ${fix}`}`);
}

/**
 * Copies the caller's options without `undefined` values, after checking that it is a plain
 * object whose keys are all known. The caller's object is never mutated.
 */
export function readOptions(
  factory: string,
  options: unknown,
  known: ReadonlySet<string>,
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${PKG}: ${factory} options must be an object (got ${show(options)})`);
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    if (!known.has(key)) {
      throw new TypeError(
        `${PKG}: unknown option "${key}" for ${factory}; known options are ${[...known].map((k) => `"${k}"`).join(', ')}`,
      );
    }
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** An integer option within [min, max], or the default when absent. */
export function intOption(
  options: Readonly<Record<string, unknown>>,
  name: string,
  min: number,
  max: number,
  fallback: number,
  unit: string,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, `must be an integer number of ${unit} from ${min} to ${max}`, value);
  }
  return value;
}

/** The least a logger must offer; pino loggers qualify. */
export interface RateLimitLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The optional `logger` option, checked structurally. */
export function loggerOption(options: Readonly<Record<string, unknown>>): RateLimitLogger | undefined {
  const value = options['logger'];
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as RateLimitLogger).warn !== 'function' ||
    typeof (value as RateLimitLogger).error !== 'function'
  ) {
    fail('logger', 'must have warn(obj, msg) and error(obj, msg) methods', value, 'pass a pino logger or leave it out');
  }
  return value as RateLimitLogger;
}
