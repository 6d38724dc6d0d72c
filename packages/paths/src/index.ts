// Public entry of @portcullis/paths: resolve, open and serve user-named files without leaving the base directory.
export {
  PathError,
  PreconditionFailedError,
  PATH_ERROR_REASONS,
  type PathErrorReason,
  type PathErrorCode,
} from './errors.js';
export { resolveSafePath } from './resolve.js';
export { openSafeFile, type SafeFile } from './open.js';
export { generateFileName } from './name.js';
export {
  sendSafeFile,
  DEFAULT_CONTENT_TYPES,
  type SendSafeFileOptions,
  type SafeFileHandler,
  type SafeFileRequest,
  type SafeFileNext,
} from './send.js';
export type { ResolveSafePathOptions, OpenSafeFileOptions } from './options.js';
