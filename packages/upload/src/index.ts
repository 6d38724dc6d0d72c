// Public entry of @portcullis/upload: upload guard, stored-file sender, zip inspection/extraction, strict CSV.
export { UploadError, UPLOAD_ERROR_CODES, type UploadErrorCode } from './errors.js';
export {
  uploadGuard,
  type UploadGuard,
  type UploadedFile,
  type UploadMiddleware,
  type UploadNext,
  type BufferFile,
  type ValidatedBuffer,
} from './guard.js';
export type {
  UploadGuardOptions,
  UploadFieldRule,
  UploadImageOptions,
  UploadScan,
  QuarantinedFile,
} from './options.js';
export { KNOWN_TYPES, type KnownType } from './types.js';
export { sendStoredFile, STORED_FILE_HEADERS, type StoredFileRef, type SendStoredFileOptions } from './send.js';
export { displayName } from './names.js';
export {
  inspectZip,
  extractZip,
  type ZipLimits,
  type ZipRefusal,
  type ZipEntryInfo,
  type ZipInspection,
  type ExtractedEntry,
  type ZipManifest,
} from './zip.js';
export {
  parseCsvStrict,
  toCsvSafe,
  neutraliseCell,
  CsvError,
  type ParseCsvOptions,
  type CsvRow,
  type CsvTable,
  type CsvRefusal,
  type CsvCell,
} from './csv.js';
