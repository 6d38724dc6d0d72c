// PathError: the one error every @portcullis/paths check reports through, mapped onto the HttpError family.
import { HttpError } from '@portcullis/errors';

/**
 * Why a path was refused, for logs and for `switch`:
 * - `invalid`: malformed (type, length, control or invisible characters, non-NFC, backslash, ":",
 *   empty/"." segments, reserved Windows names, trailing dots or spaces, a name already taken).
 * - `absolute`: a POSIX, Windows drive, UNC, device or URL absolute form.
 * - `traversal`: a ".." segment or a Unicode look-alike of ".", "/", "\" or ":".
 * - `symlink_escape`: the real location is outside the base (symlink, swapped file, hard link).
 * - `dotfile`: a segment starts with "." and dotfiles are not allowed.
 * - `extension`: the extension is not in `allowedExtensions`.
 * - `not_found`: nothing usable at that name (missing, a directory, a device, unreadable).
 */
export type PathErrorReason =
  'invalid' | 'absolute' | 'traversal' | 'symlink_escape' | 'dotfile' | 'extension' | 'not_found';

/** Client-facing codes of PathError: 400 `invalid_path`, 403 `forbidden_path`, 404 `not_found`. */
export type PathErrorCode = 'invalid_path' | 'forbidden_path' | 'not_found';

interface Mapping {
  readonly status: 400 | 403 | 404;
  readonly code: PathErrorCode;
  readonly detail: string;
}

// The details are fixed strings: they never echo the requested path or the base directory.
const INVALID: Mapping = { status: 400, code: 'invalid_path', detail: 'The requested file name is not valid.' };
const FORBIDDEN: Mapping = { status: 403, code: 'forbidden_path', detail: 'The requested file name is not allowed.' };
const NOT_FOUND: Mapping = { status: 404, code: 'not_found', detail: 'The requested file was not found.' };

const MAPPINGS: Readonly<Record<PathErrorReason, Mapping>> = {
  invalid: INVALID,
  absolute: FORBIDDEN,
  traversal: FORBIDDEN,
  symlink_escape: FORBIDDEN,
  dotfile: FORBIDDEN,
  extension: FORBIDDEN,
  not_found: NOT_FOUND,
};

/** All reasons, in a stable order. */
export const PATH_ERROR_REASONS: readonly PathErrorReason[] = Object.freeze(Object.keys(MAPPINGS) as PathErrorReason[]);

/**
 * A refused path: 400 `invalid_path` (malformed), 403 `forbidden_path` (absolute, traversal,
 * symlink escape, dotfile, extension) or 404 `not_found`. Pass it to `next(err)`; the
 * `@portcullis/errors` errorHandler renders it. `reason` and `message` are for logs; the client
 * only sees a fixed `detail` that never contains the requested path or the base directory.
 */
export class PathError extends HttpError {
  /** Why the path was refused (for logs and metrics; not rendered). */
  readonly reason: PathErrorReason;
  declare readonly code: PathErrorCode;

  /**
   * @param reason - why the path is refused; fixes status and code.
   * @param message - log-only text; must not contain the requested path. @default "Path refused (<reason>)"
   * @param options - `cause`: an underlying error, kept for logs only.
   */
  constructor(reason: PathErrorReason, message?: string, options: { cause?: unknown } = {}) {
    const mapping = Object.hasOwn(MAPPINGS, reason) ? MAPPINGS[reason] : INVALID;
    super(mapping.status, mapping.code, message ?? `Path refused (${reason})`, {
      detail: mapping.detail,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.reason = Object.hasOwn(MAPPINGS, reason) ? reason : 'invalid';
  }
}

/**
 * 412 `precondition_failed`: an `If-Match` or `If-Unmodified-Since` of the request does not hold
 * for the file (RFC 9110 §13.1.1, §13.1.4), e.g. a client resuming a download of a file that has
 * since been replaced. Passed to `next(err)` by sendSafeFile; the detail is a fixed string.
 */
export class PreconditionFailedError extends HttpError<'precondition_failed'> {
  /** @param message - log-only text. @default "Precondition failed" */
  constructor(message?: string) {
    super(412, 'precondition_failed', message ?? 'Precondition failed', {
      detail: 'The file does not match the preconditions of the request.',
    });
  }
}
