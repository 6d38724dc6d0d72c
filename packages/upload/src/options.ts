// Validation and compilation of uploadGuard options: every refusal happens here, at creation, with a TypeError.
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { checkOptions, isPlainObject, optionError, type OptionKeys } from '@portcullis/errors/options';
import { KNOWN_TYPES, type KnownType } from './types.js';

const PKG = 'upload';

/** What the `scan` hook is given: the complete file, still in quarantine, after every content check passed. */
export interface QuarantinedFile {
  /** The form field the file came in. */
  readonly field: string;
  /** Absolute path of the quarantined file (read it; never move or delete it). */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256 of the content, lower-case hex. */
  readonly sha256: string;
  /** The sniffed media type, e.g. `"application/pdf"`. */
  readonly mime: string;
  /** The extension the stored file will get, without the dot, e.g. `"pdf"`. */
  readonly ext: string;
  /** The client's file name, sanitised for display only (never a path). */
  readonly clientName: string;
}

/**
 * A malware-scan (or any content policy) hook. Resolve `true` to accept the file; anything else refuses the
 * upload with 422 `upload_rejected`. A throw or rejection (scanner down) refuses it with 503 `unavailable`:
 * an unscanned file is never stored.
 */
export type UploadScan = (file: QuarantinedFile) => boolean | Promise<boolean>;

/** The rule of one file field. */
export interface UploadFieldRule {
  /** Sniffed media types accepted, e.g. `["application/pdf", "image/png"]`; each from {@link KNOWN_TYPES}. */
  types: readonly string[];
  /** Largest file, in bytes (positive integer). One byte more is 413 `upload_too_large`. */
  maxBytes: number;
  /** Most files in this field per request, 1..1000. @default 1 */
  maxFiles?: number | undefined;
}

/** Image limits. */
export interface UploadImageOptions {
  /** Most pixels (width × height, from the header, before any decode; ASVS V5.2.6). @default 50_000_000 */
  maxPixels?: number | undefined;
}

/** Options of {@link uploadGuard}. */
export interface UploadGuardOptions {
  /**
   * Storage directory: absolute, an existing directory (not a symlink) with mode 0700 owned by this process, and
   * not inside any of `publicDirs`. Files are quarantined in `<dir>/.quarantine` (created 0700) and stored as
   * `<dir>/<26 base32 characters>.<ext>`.
   */
  dir: string;
  /** Directories served to clients (static roots, web roots): `dir` must not be inside any of them. @default [] */
  publicDirs?: readonly string[] | undefined;
  /** File field name → rule. Any other field carrying a file is 400 `upload_unexpected_field`. */
  fields: Readonly<Record<string, UploadFieldRule>>;
  /**
   * Largest request body in bytes, delimiters and part headers included (checked against Content-Length first,
   * then counted). @default the sum of every field's maxBytes × maxFiles, plus maxFields × maxFieldBytes, plus 64 KiB
   */
  maxTotalBytes?: number | undefined;
  /** Most parts (files + fields). @default the sum of every field's maxFiles, plus maxFields */
  maxParts?: number | undefined;
  /** Most non-file fields. @default 10 */
  maxFields?: number | undefined;
  /** Largest non-file field value, in bytes. @default 8192 */
  maxFieldBytes?: number | undefined;
  /** Largest field name, in UTF-8 bytes. @default 100 */
  maxFieldNameBytes?: number | undefined;
  /** Most header lines per part. @default 8 */
  maxHeaderPairs?: number | undefined;
  /** Image limits. */
  image?: UploadImageOptions | undefined;
  /** Longest time for the whole body to arrive and be checked, in milliseconds, 100..600000. @default 60000 */
  timeoutMs?: number | undefined;
  /** Called for each file after the content checks, before it leaves quarantine. @default undefined */
  scan?: UploadScan | undefined;
  /**
   * Allow fields to accept script-capable types (SVG, HTML, XML, JavaScript). They are then stored and served
   * as attachments with a sandbox CSP, but a browser opening them elsewhere runs them. @default false
   */
  dangerouslyAllowActiveContent?: boolean | undefined;
}

const KEYS: OptionKeys<UploadGuardOptions> = {
  dir: true,
  publicDirs: true,
  fields: true,
  maxTotalBytes: true,
  maxParts: true,
  maxFields: true,
  maxFieldBytes: true,
  maxFieldNameBytes: true,
  maxHeaderPairs: true,
  image: true,
  timeoutMs: true,
  scan: true,
  dangerouslyAllowActiveContent: true,
};
const FIELD_KEYS: OptionKeys<UploadFieldRule> = { types: true, maxBytes: true, maxFiles: true };
const IMAGE_KEYS: OptionKeys<UploadImageOptions> = { maxPixels: true };

/** A compiled field rule. */
export interface CompiledField {
  readonly name: string;
  readonly types: ReadonlyMap<string, KnownType>;
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** The validated, precompiled options. */
export interface CompiledGuard {
  readonly dir: string;
  readonly quarantine: string;
  readonly fields: ReadonlyMap<string, CompiledField>;
  readonly maxTotalBytes: number;
  readonly maxParts: number;
  readonly maxFields: number;
  readonly maxFieldBytes: number;
  readonly maxFieldNameBytes: number;
  readonly maxHeaderPairs: number;
  readonly maxFileBytes: number;
  readonly maxFilesTotal: number;
  readonly maxPixels: number;
  readonly timeoutMs: number;
  readonly scan: UploadScan | undefined;
}

/** Checks a positive safe integer option in [min, max]; undefined gives the default. */
export function intOption(option: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw optionError(PKG, option, `must be an integer from ${min} to ${max}`, `pass a whole number in range`, value);
  }
  return value;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrResolved(p: string): string {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path this package generated or checked at creation
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function checkPrivateDir(option: string, dir: string, what: string): void {
  let st;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path this package generated or checked at creation
    st = lstatSync(dir);
  } catch (error) {
    throw optionError(
      PKG,
      option,
      `${what} does not exist or cannot be read (${errorCode(error)})`,
      'create it with mode 0700 first',
      dir,
    );
  }
  if (st.isSymbolicLink()) throw optionError(PKG, option, `${what} is a symlink`, 'use the real directory', dir);
  if (!st.isDirectory()) throw optionError(PKG, option, `${what} is not a directory`, 'pass a directory', dir);
  if ((st.mode & 0o777) !== 0o700) {
    throw optionError(
      PKG,
      option,
      `${what} must have mode 0700 (has 0${(st.mode & 0o777).toString(8)})`,
      'run chmod 700 on it: other users must not read or plant uploads',
      dir,
    );
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && st.uid !== uid) {
    throw optionError(PKG, option, `${what} is not owned by this process's user`, 'chown it to the service user', dir);
  }
}

function compileDirs(value: unknown, publicValue: unknown): { dir: string; quarantine: string } {
  if (typeof value !== 'string' || !path.isAbsolute(value)) {
    throw optionError(PKG, 'dir', 'must be an absolute path', 'pass a server-chosen absolute directory', value);
  }
  const dir = path.resolve(value);
  checkPrivateDir('dir', dir, 'the directory');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path this package generated or checked at creation
  const real = realpathSync(dir);
  if (real !== dir) throw optionError(PKG, 'dir', 'goes through a symlink', 'pass its real path', value);
  const publicDirs = publicValue ?? [];
  if (!Array.isArray(publicDirs)) {
    throw optionError(
      PKG,
      'publicDirs',
      'must be an array of absolute paths',
      'pass e.g. ["/srv/app/public"]',
      publicValue,
    );
  }
  for (const pub of publicDirs as unknown[]) {
    if (typeof pub !== 'string' || !path.isAbsolute(pub)) {
      throw optionError(PKG, 'publicDirs', 'must hold absolute paths only', 'pass e.g. ["/srv/app/public"]', pub);
    }
    if (isInside(realOrResolved(pub), real)) {
      throw optionError(
        PKG,
        'dir',
        'is inside a public directory',
        'store uploads outside every served directory',
        value,
      );
    }
  }
  const quarantine = path.join(real, '.quarantine');
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path this package generated or checked at creation
    mkdirSync(quarantine, { mode: 0o700 });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') {
      throw optionError(
        PKG,
        'dir',
        `has no usable .quarantine directory (${errorCode(error)})`,
        'make the directory writable',
        value,
      );
    }
  }
  checkPrivateDir('dir', quarantine, 'its .quarantine directory');
  return { dir: real, quarantine };
}

function compileField(name: string, value: unknown, maxNameBytes: number, allowActive: boolean): CompiledField {
  const label = `fields.${name.slice(0, 64)}`;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (name === '' || Buffer.byteLength(name, 'utf8') > maxNameBytes || /[\u0000-\u001f\u007f"\\]/u.test(name)) {
    throw optionError(PKG, 'fields', `has a bad field name`, `use a short printable name`, name);
  }
  if (!isPlainObject(value))
    throw optionError(PKG, label, 'must be an object', 'pass { types, maxBytes, maxFiles }', value);
  const rule = checkOptions<UploadFieldRule>(PKG, value, FIELD_KEYS, label);
  const types = rule.types;
  if (!Array.isArray(types) || types.length === 0) {
    throw optionError(
      PKG,
      `${label}.types`,
      'must be a non-empty array of media types',
      'pass e.g. ["application/pdf"]',
      types,
    );
  }
  const compiled = new Map<string, KnownType>();
  for (const t of types as unknown[]) {
    const type = typeof t === 'string' ? KNOWN_TYPES.get(t) : undefined;
    if (type === undefined) {
      throw optionError(
        PKG,
        `${label}.types`,
        'has an unknown media type',
        `use ${[...KNOWN_TYPES.keys()].join(', ')}`,
        t,
      );
    }
    if (compiled.has(type.mime)) throw optionError(PKG, `${label}.types`, 'lists a type twice', 'list each once', t);
    if (type.active && !allowActive) {
      throw optionError(
        PKG,
        `${label}.types`,
        'lists script-capable content',
        'remove it, or set dangerouslyAllowActiveContent: true and serve it only through sendStoredFile',
        t,
      );
    }
    compiled.set(type.mime, type);
  }
  const maxBytes = intOption(`${label}.maxBytes`, rule.maxBytes, Number.NaN, 1, Number.MAX_SAFE_INTEGER);
  if (Number.isNaN(maxBytes)) throw optionError(PKG, `${label}.maxBytes`, 'is required', 'pass a size in bytes');
  const maxFiles = intOption(`${label}.maxFiles`, rule.maxFiles, 1, 1, 1000);
  return Object.freeze({ name, types: compiled, maxBytes, maxFiles });
}

/** Validates and compiles the options of uploadGuard. */
export function compileGuard(value: unknown): CompiledGuard {
  if (value === undefined) throw optionError(PKG, 'options', 'are required', 'pass { dir, fields }');
  const opts = checkOptions<UploadGuardOptions>(PKG, value, KEYS);
  const allowActive = opts.dangerouslyAllowActiveContent;
  if (allowActive !== undefined && typeof allowActive !== 'boolean') {
    throw optionError(PKG, 'dangerouslyAllowActiveContent', 'must be a boolean', 'pass true or false', allowActive);
  }
  const maxFieldNameBytes = intOption('maxFieldNameBytes', opts.maxFieldNameBytes, 100, 1, 1024);
  const fieldsValue = opts.fields;
  if (!isPlainObject(fieldsValue) || Object.keys(fieldsValue).length === 0) {
    throw optionError(
      PKG,
      'fields',
      'must be a non-empty object of field rules',
      'pass e.g. { evidence: { types, maxBytes } }',
      fieldsValue,
    );
  }
  const fields = new Map<string, CompiledField>();
  for (const [name, rule] of Object.entries(fieldsValue)) {
    fields.set(name, compileField(name, rule, maxFieldNameBytes, allowActive === true));
  }
  let filesBytes = 0;
  let maxFilesTotal = 0;
  let maxFileBytes = 0;
  for (const f of fields.values()) {
    filesBytes += f.maxBytes * f.maxFiles;
    maxFilesTotal += f.maxFiles;
    maxFileBytes = Math.max(maxFileBytes, f.maxBytes);
  }
  const maxFields = intOption('maxFields', opts.maxFields, 10, 0, 1000);
  const maxFieldBytes = intOption('maxFieldBytes', opts.maxFieldBytes, 8192, 1, 1024 * 1024);
  const maxHeaderPairs = intOption('maxHeaderPairs', opts.maxHeaderPairs, 8, 1, 100);
  const maxParts = intOption('maxParts', opts.maxParts, maxFilesTotal + maxFields, 1, 10_000);
  const fallbackTotal = Math.min(filesBytes + maxFields * maxFieldBytes + 64 * 1024, Number.MAX_SAFE_INTEGER);
  const maxTotalBytes = intOption('maxTotalBytes', opts.maxTotalBytes, fallbackTotal, 1, Number.MAX_SAFE_INTEGER);
  if (maxTotalBytes < maxFileBytes) {
    throw optionError(
      PKG,
      'maxTotalBytes',
      "is smaller than a field's maxBytes",
      'raise it or lower the field limit',
      maxTotalBytes,
    );
  }
  let maxPixels = 50_000_000;
  if (opts.image !== undefined) {
    const image = checkOptions<UploadImageOptions>(PKG, opts.image, IMAGE_KEYS, 'image');
    maxPixels = intOption('image.maxPixels', image.maxPixels, maxPixels, 1, Number.MAX_SAFE_INTEGER);
  }
  const timeoutMs = intOption('timeoutMs', opts.timeoutMs, 60_000, 100, 600_000);
  const scan = opts.scan;
  if (scan !== undefined && typeof scan !== 'function') {
    throw optionError(PKG, 'scan', 'must be a function', 'pass (file) => Promise<boolean>', scan);
  }
  const { dir, quarantine } = compileDirs(opts.dir, opts.publicDirs);
  return Object.freeze({
    dir,
    quarantine,
    fields,
    maxTotalBytes,
    maxParts,
    maxFields,
    maxFieldBytes,
    maxFieldNameBytes,
    maxHeaderPairs,
    maxFileBytes,
    maxFilesTotal,
    maxPixels,
    timeoutMs,
    scan: scan as UploadScan | undefined,
  });
}
