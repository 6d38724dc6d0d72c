// The one grammar and the one bound of a request-body size: BODY_LIMIT here and jsonBody's "limit" in @portcullis/baseline.

/** Largest body size limit accepted anywhere: 10 MiB. Bigger JSON bodies are a denial-of-service lever, not a feature. */
export const MAX_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** Multipliers of the accepted units (1024-based, as the `bytes` package that body-parser uses reads them). */
const UNITS: Readonly<Record<string, number>> = Object.freeze({ b: 1, kb: 1024, mb: 1024 * 1024 });

// Digits and an optional unit, nothing else: no fraction ("1.5mb"), no space ("1 mb"), no gb/tb.
const SIZE = /^(\d{1,9})(b|kb|mb)?$/i;

/** The verdict of {@link checkBodyLimit}. */
export type BodyLimitVerdict =
  { readonly ok: true; readonly bytes: number } | { readonly ok: false; readonly problem: string };

/**
 * The one check of a body size limit. Accepts a whole number of bytes, or a string of digits with an
 * optional unit `b`, `kb` or `mb` (any case, 1024-based; surrounding whitespace is trimmed), from 1 byte
 * to {@link MAX_BODY_LIMIT_BYTES}. Returns the limit in bytes, or the problem in words that follow the
 * setting's name ("must be …"), without the value.
 *
 * @example checkBodyLimit('100kb') // { ok: true, bytes: 102400 }
 */
export function checkBodyLimit(value: unknown): BodyLimitVerdict {
  let bytes: number | undefined;
  if (typeof value === 'number') {
    bytes = Number.isInteger(value) ? value : undefined;
  } else if (typeof value === 'string') {
    const match = SIZE.exec(value.trim());
    if (match !== null) bytes = Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? Number.NaN);
  }
  if (bytes === undefined || !Number.isSafeInteger(bytes)) {
    return {
      ok: false,
      problem: 'must be a whole number of bytes or a size like 100kb or 1mb (units b, kb, mb; no fractions or spaces)',
    };
  }
  if (bytes < 1 || bytes > MAX_BODY_LIMIT_BYTES) {
    return { ok: false, problem: `must be between 1 byte and ${MAX_BODY_LIMIT_BYTES / (1024 * 1024)}mb` };
  }
  return { ok: true, bytes };
}
