// Retention: idempotency records and exports expire, so that no Idempotency-Key replays forever and no
// export is served forever.

/** IDEMPOTENCY_TTL_SEC default: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_SEC = 86_400;
/** EXPORT_TTL_SEC default: 1 hour. */
export const DEFAULT_EXPORT_TTL_SEC = 3600;

/**
 * The ISO 8601 instant `ttlSec` seconds before `now`: a record created before it is expired. Stored
 * timestamps are `toISOString()` texts of fixed width, so the databases compare them as text.
 */
export function expiredBefore(now: Date, ttlSec: number): string {
  return new Date(now.getTime() - ttlSec * 1000).toISOString();
}

/** Throws unless `value` is a positive whole number (a TTL or a batch size). */
export function checkPositiveInteger(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    const shown = typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : typeof value;
    throw new TypeError(`case-api: ${owner} "${name}" must be a positive whole number (got ${shown})`);
  }
}
