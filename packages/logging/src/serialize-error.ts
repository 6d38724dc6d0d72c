// serializeError: an allowlist view of an error and its causes, scrubbed, that never calls toJSON.
import { scrubText } from './scrub-text.js';

/** What {@link serializeError} produces. */
export interface SerializedError {
  /** Constructor name (or `name`), e.g. `"TypeError"`; `typeof` for non-objects. */
  type: string;
  /** The scrubbed message; `""` when there is none. */
  message: string;
  /** The scrubbed stack trace, when it is a string. */
  stack?: string;
  /** `err.code` when it is a string (scrubbed, at most 100 characters) or a finite number. */
  code?: string | number;
  /** `err.status` or `err.statusCode` when it is a finite number. */
  status?: number;
  /** The serialized `err.cause`, at most 5 levels deep. */
  cause?: SerializedError;
  /** The first 10 entries of an AggregateError's `errors`. */
  errors?: SerializedError[];
}

const MAX_CAUSE_DEPTH = 5;
const MAX_AGGREGATE = 10;
const MAX_TYPE_LENGTH = 100;

function safeGet(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function typeOf(err: object): string {
  const ctor = safeGet(err, 'constructor');
  const ctorName = typeof ctor === 'function' ? safeGet(ctor, 'name') : undefined;
  if (typeof ctorName === 'string' && ctorName !== '') return ctorName.slice(0, MAX_TYPE_LENGTH);
  const name = safeGet(err, 'name');
  return typeof name === 'string' && name !== '' ? scrubText(name.slice(0, MAX_TYPE_LENGTH)) : 'Object';
}

function serialize(value: unknown, depth: number, seen: Set<object>): SerializedError {
  if (typeof value !== 'object' || value === null) {
    const type = value === null ? 'null' : typeof value;
    const message =
      typeof value === 'string'
        ? scrubText(value)
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : '';
    return { type, message };
  }
  seen.add(value);
  const message = safeGet(value, 'message');
  const out: SerializedError = { type: typeOf(value), message: typeof message === 'string' ? scrubText(message) : '' };
  const stack = safeGet(value, 'stack');
  if (typeof stack === 'string') out.stack = scrubText(stack);
  const code = safeGet(value, 'code');
  if (typeof code === 'string') out.code = scrubText(code.slice(0, MAX_TYPE_LENGTH));
  else if (typeof code === 'number' && Number.isFinite(code)) out.code = code;
  const status = safeGet(value, 'status') ?? safeGet(value, 'statusCode');
  if (typeof status === 'number' && Number.isFinite(status)) out.status = status;
  if (depth < MAX_CAUSE_DEPTH) {
    const cause = safeGet(value, 'cause');
    if (cause !== undefined && !(typeof cause === 'object' && cause !== null && seen.has(cause))) {
      out.cause = serialize(cause, depth + 1, seen);
    }
    const errors = value instanceof AggregateError ? safeGet(value, 'errors') : undefined;
    if (Array.isArray(errors)) {
      out.errors = errors
        .slice(0, MAX_AGGREGATE)
        .filter((e: unknown) => !(typeof e === 'object' && e !== null && seen.has(e)))
        .map((e: unknown) => serialize(e, depth + 1, seen));
    }
  }
  return out;
}

/**
 * Serializes an error for a log line from an allowlist: `type`, `code`, `status`, scrubbed
 * `message` and `stack`, the `cause` chain (at most 5 levels, cycle-safe) and an AggregateError's
 * first 10 `errors`. Everything else — `config`, `request`, `response`, `headers`, `body`,
 * `options`, `_header` (where axios-style errors carry the `Authorization` header) — is dropped.
 * Never calls `err.toJSON`; getters that throw are skipped.
 *
 * @param err - Any thrown value.
 * @returns A plain object safe to log.
 */
export function serializeError(err: unknown): SerializedError {
  return serialize(err, 0, new Set());
}
