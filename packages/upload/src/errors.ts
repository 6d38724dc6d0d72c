// UploadError: the one error every @portcullis/upload check reports through, mapped onto the HttpError family.
import { HttpError } from '@portcullis/errors';

/**
 * Client-facing codes of {@link UploadError}:
 * - 400 `upload_malformed`: not a well-formed multipart body (bad boundary, body ending mid-part, empty field name…).
 * - 400 `upload_unexpected_field`: a file in a field the guard does not list.
 * - 408 `upload_timeout`: the body did not arrive within `timeoutMs`.
 * - 413 `upload_too_large`: a file over its field's `maxBytes`, a field value over `maxFieldBytes`, or a body over `maxTotalBytes`.
 * - 413 `upload_too_many`: more files than a field's `maxFiles`, or more parts / fields than allowed.
 * - 415 `upload_type`: the sniffed type is not allowed (or is active content, or cannot be recognised).
 * - 415 `upload_type_mismatch`: the part's Content-Type or the file name's extension contradicts the sniffed type.
 * - 422 `upload_rejected`: the content is refused (image over `maxPixels`, unreadable image header, the scan hook,
 *   a refused archive or CSV).
 */
export type UploadErrorCode =
  | 'upload_malformed'
  | 'upload_unexpected_field'
  | 'upload_timeout'
  | 'upload_too_large'
  | 'upload_too_many'
  | 'upload_type'
  | 'upload_type_mismatch'
  | 'upload_rejected';

const STATUS: Readonly<Record<UploadErrorCode, 400 | 408 | 413 | 415 | 422>> = {
  upload_malformed: 400,
  upload_unexpected_field: 400,
  upload_timeout: 408,
  upload_too_large: 413,
  upload_too_many: 413,
  upload_type: 415,
  upload_type_mismatch: 415,
  upload_rejected: 422,
};

// Fixed client details: they never echo a file name, a field value or a path.
const DETAIL: Readonly<Record<UploadErrorCode, string>> = {
  upload_malformed: 'The upload is not a well-formed multipart/form-data body.',
  upload_unexpected_field: 'The upload has a file in a field that does not accept files.',
  upload_timeout: 'The upload did not complete in time.',
  upload_too_large: 'The upload is too large.',
  upload_too_many: 'The upload has too many files or fields.',
  upload_type: 'The type of the uploaded file is not accepted.',
  upload_type_mismatch: 'The declared type or the file name of the upload does not match its content.',
  upload_rejected: 'The uploaded content was refused.',
};

/** Every code, in a stable order. */
export const UPLOAD_ERROR_CODES: readonly UploadErrorCode[] = Object.freeze(Object.keys(STATUS) as UploadErrorCode[]);

/**
 * A refused upload. `status` follows from `code`; `reason` and `message` are for logs only (they may say which
 * limit was hit, never the file's name or content); the client sees a fixed `detail`.
 */
export class UploadError extends HttpError<UploadErrorCode> {
  /** A short machine-readable reason for logs and metrics (e.g. `"zip_symlink"`, `"pixels"`); not rendered. */
  readonly reason: string;

  /**
   * @param code - fixes the status (see {@link UploadErrorCode}).
   * @param reason - log-only reason, e.g. `"file_too_large"`.
   * @param message - log-only text. @default "Upload refused (<reason>)"
   */
  constructor(code: UploadErrorCode, reason: string, message?: string, options: { cause?: unknown } = {}) {
    const safe: UploadErrorCode = Object.hasOwn(STATUS, code) ? code : 'upload_malformed';
    super(STATUS[safe], safe, message ?? `Upload refused (${reason})`, {
      detail: DETAIL[safe],
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.reason = reason;
  }
}
