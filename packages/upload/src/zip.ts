// inspectZip / extractZip on yauzl (lazy entries): names, links, encryption, overlaps, ZIP64 and bombs refused.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { generateFileName } from '@portcullis/paths';
import { UploadError } from './errors.js';
import { intOption } from './options.js';

/** Limits of {@link inspectZip} and {@link extractZip}. */
export interface ZipLimits {
  /** Most entries (files and directories), from the central directory, checked before any entry is read. @default 1000 */
  maxEntries?: number | undefined;
  /** Most inflated bytes over all entries (declared and counted while inflating). @default 104857600 (100 MiB) */
  maxTotalBytes?: number | undefined;
  /** Most inflated bytes of one entry. @default maxTotalBytes */
  maxEntryBytes?: number | undefined;
  /** Highest inflated : compressed ratio, per entry and over the archive, once past 64 KiB inflated. @default 100 */
  maxRatio?: number | undefined;
  /** Longest entry name, in bytes as stored. @default 255 */
  maxNameBytes?: number | undefined;
}

const LIMIT_KEYS: OptionKeys<ZipLimits> = {
  maxEntries: true,
  maxTotalBytes: true,
  maxEntryBytes: true,
  maxRatio: true,
  maxNameBytes: true,
};

/**
 * Why an archive was refused (the `reason` of the 422 `upload_rejected` UploadError):
 * `not_zip`, `tar`, `malformed` (yauzl refused it, including its name validation), `too_many_entries`,
 * `name_too_long`, `name_absolute`, `name_traversal`, `name_backslash`, `name_control`, `name_invalid`,
 * `name_collision`, `name_mismatch` (local and central names differ), `symlink`, `special_file` (hard links,
 * devices, FIFOs), `encrypted`, `unsupported_compression`, `overlap`, `zip64_inconsistent`, `size_mismatch` (local and central sizes differ, or the data disagrees with them),
 * `entry_too_large`, `total_too_large`, `ratio`.
 */
export type ZipRefusal =
  | 'not_zip'
  | 'tar'
  | 'malformed'
  | 'too_many_entries'
  | 'name_too_long'
  | 'name_absolute'
  | 'name_traversal'
  | 'name_backslash'
  | 'name_control'
  | 'name_invalid'
  | 'name_collision'
  | 'name_mismatch'
  | 'symlink'
  | 'special_file'
  | 'encrypted'
  | 'unsupported_compression'
  | 'overlap'
  | 'zip64_inconsistent'
  | 'size_mismatch'
  | 'entry_too_large'
  | 'total_too_large'
  | 'ratio';

/** One entry as inspected. */
export interface ZipEntryInfo {
  /** The entry name as stored (validated; never use it as a path). */
  readonly name: string;
  /** Inflated size in bytes (counted). */
  readonly size: number;
  /** Compressed size in bytes. */
  readonly compressedSize: number;
  /** A directory entry (name ends with "/"). */
  readonly directory: boolean;
  /** The entry is itself an archive (zip, gzip, tar, 7z, rar): listed, never expanded. */
  readonly archive: boolean;
  /** SHA-256 of the inflated content, lower-case hex ("" for directories). */
  readonly sha256: string;
}

/** The result of {@link inspectZip}. */
export interface ZipInspection {
  readonly entries: readonly ZipEntryInfo[];
  /** Inflated bytes over all entries. */
  readonly totalBytes: number;
}

/** One extracted entry: the inspected facts plus the generated name it was written under. */
export interface ExtractedEntry extends ZipEntryInfo {
  /** Generated file name in `destDir` (26 base32 characters); undefined for directories. */
  readonly storedName: string | undefined;
}

/** The result of {@link extractZip}: also written to `<destDir>/<generated>.manifest.json`. */
export interface ZipManifest {
  readonly entries: readonly ExtractedEntry[];
  readonly totalBytes: number;
  /** The manifest's file name in `destDir`. */
  readonly manifestName: string;
}

interface CompiledLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
  readonly maxEntryBytes: number;
  readonly maxRatio: number;
  readonly maxNameBytes: number;
}

const RATIO_FLOOR = 64 * 1024;
const ZIP64_SENTINEL = 0xffffffff;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0) | (constants.O_NOCTTY ?? 0);
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function compileLimits(value: unknown): CompiledLimits {
  const opts = checkOptions<ZipLimits>('upload', value, LIMIT_KEYS, 'limits');
  const maxTotalBytes = intOption(
    'limits.maxTotalBytes',
    opts.maxTotalBytes,
    100 * 1024 * 1024,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  return Object.freeze({
    maxEntries: intOption('limits.maxEntries', opts.maxEntries, 1000, 1, 1_000_000),
    maxTotalBytes,
    maxEntryBytes: intOption('limits.maxEntryBytes', opts.maxEntryBytes, maxTotalBytes, 1, maxTotalBytes),
    maxRatio: intOption('limits.maxRatio', opts.maxRatio, 100, 1, 1_000_000),
    maxNameBytes: intOption('limits.maxNameBytes', opts.maxNameBytes, 255, 1, 65_535),
  });
}

function refuse(reason: ZipRefusal, message?: string, cause?: unknown): UploadError {
  return new UploadError('upload_rejected', `zip_${reason}`, message ?? `Archive refused (${reason})`, { cause });
}

function checkName(name: string, raw: Buffer, limits: CompiledLimits): void {
  if (raw.length > limits.maxNameBytes) throw refuse('name_too_long');
  if (CONTROL.test(name)) throw refuse('name_control');
  if (name.includes('\\')) throw refuse('name_backslash');
  if (name.startsWith('/') || /^[A-Za-z]:/u.test(name)) throw refuse('name_absolute');
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (segments.includes('..')) throw refuse('name_traversal');
  // ":" (drive letters, NTFS streams), empty and "." segments have no meaning in an archive but a trick.
  if (name.includes(':') || segments.some((s) => s === '' || s === '.')) throw refuse('name_invalid');
}

function collisionKey(name: string): string {
  const bare = name.endsWith('/') ? name.slice(0, -1) : name;
  // NFC, then full case folding (toUpperCase then toLowerCase folds "ß"/"SS" and similar pairs together).
  return bare.normalize('NFC').toUpperCase().toLowerCase();
}

function hasZip64Field(extra: readonly { id: number }[]): boolean {
  return extra.some((f) => f.id === 0x0001);
}

function readLocalZip64(extra: Buffer): { uncompressed?: number; compressed?: number } | undefined {
  let fields;
  try {
    fields = yauzl.parseExtraFields(extra);
  } catch {
    return undefined;
  }
  const z = fields.find((f) => f.id === 0x0001);
  if (z === undefined) return undefined;
  const read = (at: number): number | undefined =>
    at + 8 <= z.data.length ? Number(z.data.readBigUInt64LE(at)) : undefined;
  const out: { uncompressed?: number; compressed?: number } = {};
  const u = read(0);
  const c = read(8);
  if (u !== undefined) out.uncompressed = u;
  if (c !== undefined) out.compressed = c;
  return out;
}

/** Sorted, non-overlapping [start, end) ranges of local records; insert refuses any overlap. */
class Ranges {
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  insert(start: number, end: number): void {
    let lo = 0;
    let hi = this.#starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#starts[mid] ?? 0) < start) lo = mid + 1;
      else hi = mid;
    }
    const prevEnd = lo > 0 ? (this.#ends[lo - 1] ?? 0) : -1;
    const nextStart = lo < this.#starts.length ? (this.#starts[lo] ?? Infinity) : Infinity;
    if (prevEnd > start || nextStart < end || nextStart === start) throw refuse('overlap');
    this.#starts.splice(lo, 0, start);
    this.#ends.splice(lo, 0, end);
  }
}

const ARCHIVE_MAGIC: readonly Buffer[] = [
  Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  Buffer.from([0x50, 0x4b, 0x05, 0x06]),
  Buffer.from([0x1f, 0x8b]),
  Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
  Buffer.from('Rar!\x1a\x07', 'latin1'),
  Buffer.from('BZh', 'latin1'),
  Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
];

function isArchive(head: Buffer): boolean {
  if (ARCHIVE_MAGIC.some((m) => head.length >= m.length && head.subarray(0, m.length).equals(m))) return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

async function sniffContainer(file: string): Promise<void> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the caller's own archive path
  const handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    if (bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') throw refuse('tar');
    if (bytesRead < 4 || head.readUInt32LE(0) !== 0x04034b50) {
      // An empty archive starts with its end record; anything else is not a zip file.
      if (!(bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50)) throw refuse('not_zip');
    }
  } finally {
    await handle.close();
  }
}

/** Where extraction writes one entry's inflated bytes. */
interface EntryWriter {
  write(chunk: Buffer): Promise<void>;
  close(): Promise<void>;
}
/** Opens a writer for the next file entry (extraction); undefined when only inspecting. */
type EntrySink = () => Promise<EntryWriter>;

interface Walk {
  readonly entries: ZipEntryInfo[];
  totalBytes: number;
}

async function walk(file: string, limits: CompiledLimits, onData: EntrySink | undefined): Promise<Walk> {
  if (typeof file !== 'string' || !path.isAbsolute(file)) {
    throw new TypeError('@portcullis/upload: the archive path must be absolute');
  }
  await sniffContainer(file);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    throw refuse('malformed', 'Archive could not be opened', error);
  }
  const result: Walk = { entries: [], totalBytes: 0 };
  try {
    if (zip.entryCount > limits.maxEntries) throw refuse('too_many_entries');
    const seen = new Set<string>();
    const ranges = new Ranges();
    let declaredTotal = 0;
    let compressedTotal = 0;
    const iterator = zip.eachEntry();
    for (;;) {
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw refuse('malformed', 'Archive entry refused by yauzl', error);
      }
      if (next.done === true) break;
      const entry = next.value;
      checkName(entry.fileName, entry.fileNameRaw, limits);
      const key = collisionKey(entry.fileName);
      if (seen.has(key)) throw refuse('name_collision');
      seen.add(key);
      const directory = entry.fileName.endsWith('/');
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) throw refuse('symlink');
      if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) throw refuse('special_file');
      if (entry.isEncrypted()) throw refuse('encrypted');
      if (!entry.canDecodeFileData()) throw refuse('unsupported_compression');
      if (
        !hasZip64Field(entry.extraFields) &&
        (entry.compressedSize === ZIP64_SENTINEL ||
          entry.uncompressedSize === ZIP64_SENTINEL ||
          entry.relativeOffsetOfLocalHeader === ZIP64_SENTINEL)
      ) {
        throw refuse('zip64_inconsistent');
      }
      if (directory && entry.uncompressedSize !== 0) throw refuse('size_mismatch');
      if (entry.uncompressedSize > limits.maxEntryBytes) throw refuse('entry_too_large');
      declaredTotal += entry.uncompressedSize;
      compressedTotal += entry.compressedSize;
      if (declaredTotal > limits.maxTotalBytes) throw refuse('total_too_large');
      if (
        (entry.uncompressedSize > RATIO_FLOOR &&
          entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxRatio) ||
        (declaredTotal > RATIO_FLOOR && declaredTotal / Math.max(1, compressedTotal) > limits.maxRatio)
      ) {
        throw refuse('ratio');
      }
      let local: yauzl.LocalFileHeader;
      try {
        local = await zip.readLocalFileHeaderPromise(entry);
      } catch (error) {
        throw refuse('malformed', 'Local header refused', error);
      }
      ranges.insert(entry.relativeOffsetOfLocalHeader, local.fileDataStart + entry.compressedSize);
      if (!local.fileName.equals(entry.fileNameRaw)) throw refuse('name_mismatch');
      // Without a data descriptor (bit 3) the local sizes must agree with the central ones (ZIP64 in either).
      if ((local.generalPurposeBitFlag & 0x8) === 0) {
        let u = local.uncompressedSize;
        let c = local.compressedSize;
        if (u === ZIP64_SENTINEL || c === ZIP64_SENTINEL) {
          const z = readLocalZip64(local.extraField);
          if (z === undefined) throw refuse('zip64_inconsistent');
          if (u === ZIP64_SENTINEL) u = z.uncompressed ?? -1;
          if (c === ZIP64_SENTINEL) c = z.compressed ?? -1;
        }
        if (u !== entry.uncompressedSize || c !== entry.compressedSize) throw refuse('size_mismatch');
      }
      const counted = directory
        ? { size: 0, sha256: '', archive: false }
        : await inflate(zip, entry, limits, result, onData);
      const info: ZipEntryInfo = Object.freeze({
        name: entry.fileName,
        size: counted.size,
        compressedSize: entry.compressedSize,
        directory,
        archive: counted.archive,
        sha256: counted.sha256,
      });
      result.entries.push(info);
    }
    return result;
  } finally {
    zip.close();
  }
}

async function inflate(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  limits: CompiledLimits,
  walkState: Walk,
  onData: EntrySink | undefined,
): Promise<{ size: number; sha256: string; archive: boolean }> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw refuse('malformed', 'Entry could not be read', error);
  }
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let writer: EntryWriter | undefined;
  try {
    writer = onData === undefined ? undefined : await onData();
    // Inflated bytes are counted as they come: a bomb lying in its header stops at the limit, not at its end.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      walkState.totalBytes += chunk.length;
      if (size > limits.maxEntryBytes) throw refuse('entry_too_large');
      if (walkState.totalBytes > limits.maxTotalBytes) throw refuse('total_too_large');
      if (size > RATIO_FLOOR && size / Math.max(1, entry.compressedSize) > limits.maxRatio) throw refuse('ratio');
      if (head.length < 512) head = Buffer.concat([head, chunk.subarray(0, 512 - head.length)]);
      hash.update(chunk);
      if (writer !== undefined) await writer.write(chunk);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof UploadError) throw error;
    throw refuse('size_mismatch', 'Entry data does not match its header', error);
  } finally {
    await writer?.close();
  }
  return { size, sha256: hash.digest('hex'), archive: isArchive(head) };
}

/**
 * Lists a zip archive without writing anything: every entry is checked (names, type, encryption, ZIP64, local
 * header, overlaps) and inflated to a counter, so sizes and bombs are proven, not read from the headers.
 * Nested archives are flagged `archive: true`, never opened.
 *
 * @param file - absolute path of the archive (e.g. an UploadedFile's `path`).
 * @param limits - see {@link ZipLimits}.
 * @throws UploadError 422 `upload_rejected` with `reason` `zip_<ZipRefusal>`; TypeError for a bad path or limits.
 */
export async function inspectZip(file: string, limits?: ZipLimits): Promise<ZipInspection> {
  const compiled = compileLimits(limits);
  const { entries, totalBytes } = await walk(file, compiled, undefined);
  return Object.freeze({ entries: Object.freeze(entries), totalBytes });
}

async function checkDestDir(dir: unknown): Promise<string> {
  if (typeof dir !== 'string' || !path.isAbsolute(dir)) {
    throw optionError('upload', 'destDir', 'must be an absolute path', 'pass a server-chosen directory', dir);
  }
  let st;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the caller's own directory
    st = await lstat(dir);
  } catch {
    throw optionError('upload', 'destDir', 'does not exist', 'create it (mode 0700) first', dir);
  }
  if (!st.isDirectory() || st.isSymbolicLink()) {
    throw optionError(
      'upload',
      'destDir',
      'must be a real directory (not a symlink)',
      'pass the directory itself',
      dir,
    );
  }
  return path.resolve(dir);
}

async function openWriter(target: string): Promise<EntryWriter> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated name inside the checked directory
  const handle: FileHandle = await open(target, WRITE_FLAGS, 0o600);
  return {
    async write(chunk: Buffer): Promise<void> {
      let offset = 0;
      while (offset < chunk.length) offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
    },
    close: () => handle.close().catch(() => undefined),
  };
}

/**
 * Extracts a zip archive into `destDir` under generated names (never the entry names: no path from the archive
 * reaches the file system), with the same checks as {@link inspectZip}, and writes a manifest
 * `<generated>.manifest.json` mapping each entry name to its stored name, size and SHA-256. Directories are listed,
 * not created; nested archives are written as opaque files, flagged `archive: true`. On any refusal every file
 * written so far is removed.
 *
 * @throws UploadError 422 `upload_rejected` (reason `zip_<ZipRefusal>`); TypeError for bad arguments.
 */
export async function extractZip(file: string, destDir: string, limits?: ZipLimits): Promise<ZipManifest> {
  const compiled = compileLimits(limits);
  const dest = await checkDestDir(destDir);
  const written: string[] = [];
  const names: string[] = [];
  try {
    const result = await walk(file, compiled, () => {
      const name = generateFileName('');
      const target = path.join(dest, name);
      written.push(target);
      names.push(name);
      return openWriter(target);
    });
    // File entries got writers in order; directories none.
    let next = 0;
    const entries: ExtractedEntry[] = result.entries.map((e) =>
      Object.freeze({ ...e, storedName: e.directory ? undefined : names[next++] }),
    );
    const manifestName = `${generateFileName('')}.manifest.json`;
    const manifestPath = path.join(dest, manifestName);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated name inside the checked directory
    const handle = await open(manifestPath, WRITE_FLAGS, 0o600);
    written.push(manifestPath);
    try {
      await handle.writeFile(JSON.stringify({ entries, totalBytes: result.totalBytes }, null, 2));
    } finally {
      await handle.close();
    }
    return Object.freeze({ entries: Object.freeze(entries), totalBytes: result.totalBytes, manifestName });
  } catch (error) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path this package generated or checked at creation
    await Promise.all(written.map((p) => unlink(p).catch(() => undefined)));
    throw error;
  }
}
