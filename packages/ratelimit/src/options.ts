// Shared option checks of the limiter factories, in the one format of @portcullis/errors/options.
import { optionError } from '@portcullis/errors/options';

/** Package prefix of every setup error. */
export const PKG = 'ratelimit';

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
    throw optionError(
      PKG,
      name,
      `must be an integer number of ${unit} from ${min} to ${max}`,
      `e.g. ${fallback > 0 ? fallback : min}`,
      value,
    );
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
    throw optionError(
      PKG,
      'logger',
      'must have warn(obj, msg) and error(obj, msg) methods',
      'pass a pino logger or leave it out',
      value,
    );
  }
  return value as RateLimitLogger;
}
