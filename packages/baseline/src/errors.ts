// The stable codes of the request failures @portcullis/baseline reports (switch on these, never on messages).

/**
 * Codes of the errors the baseline's own middleware passes to `next(err)`: CORS preflights refused
 * for want of allowed origins, cross-site requests refused by the CSRF guard, JSON bodies refused
 * by `jsonBody` (prototype keys, duplicate keys, nesting, malformed or non-object bodies) and
 * bodies refused by `requireJson` / `jsonBody` for their media type or charset.
 */
export type BaselineErrorCode =
  | 'cors_rejected'
  | 'csrf_rejected'
  | 'prototype_pollution'
  | 'duplicate_key'
  | 'too_deep'
  | 'bad_request'
  | 'unsupported_media_type';
