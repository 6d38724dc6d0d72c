// The request-time errors of @portcullis/secrets: a refused password input (422) and a busy hasher (503).
import { HttpError, ServiceUnavailableError } from '@portcullis/errors';

/** Stable codes of the errors this package raises at request time. */
export type SecretsErrorCode = 'password_too_long' | 'password_invalid' | 'hasher_busy';

/**
 * 422: the password cannot be hashed or verified as given. `password_too_long`: above
 * `maxPasswordBytes` UTF-8 bytes (never truncated); `password_invalid`: not a string, empty, or a
 * string with a lone surrogate (it has no UTF-8 form, so two different inputs would hash alike).
 */
export class PasswordInputError extends HttpError<'password_too_long' | 'password_invalid'> {
  constructor(code: 'password_too_long' | 'password_invalid', detail: string) {
    super(422, code, `password refused: ${code}`, { detail });
  }
}

/** 503 `hasher_busy` with Retry-After: every hashing slot is taken and the queue is full, or the wait timed out. */
export class HasherBusyError extends ServiceUnavailableError<'hasher_busy'> {
  constructor(reason: 'queue_full' | 'queue_timeout', retryAfterSec: number) {
    super(`password hasher busy (${reason})`, {
      code: 'hasher_busy',
      retryAfterSec,
      detail: 'The server is busy. Retry after the number of seconds in Retry-After.',
    });
  }
}
