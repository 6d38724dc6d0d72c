// Shared option validation for @portcullis/baseline: one message format, unknown keys refused.

/** Throws a TypeError naming the package, the function and the option. */
export function fail(fn: string, message: string): never {
  throw new TypeError(`@portcullis/baseline: ${fn}: ${message}`);
}

/** Describes a bad value for an error message without dumping large or sensitive input. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}

/** Validates that `options` is a plain object whose defined keys are all in `allowed`. */
export function checkKeys(fn: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail(fn, `options must be an object (got ${show(options)})`);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) fail(fn, `unknown option "${key}" (allowed: ${allowed.join(', ')})`);
  }
  return record;
}
