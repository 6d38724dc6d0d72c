// uploadGuard: multipart parsing with finite limits, quarantine while streaming, content checks, generated names.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, unlink, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import { HttpError, ServiceUnavailableError, isHttpError } from '@portcullis/errors';
import { generateFileName } from '@portcullis/paths';
import { checkContent } from './check.js';
import { UploadError } from './errors.js';
import { displayName } from './names.js';
import { compileGuard, type CompiledField, type CompiledGuard, type UploadGuardOptions } from './options.js';
import { loadFileType, SNIFF_BYTES, TextCheck } from './sniff.js';
import type { KnownType } from './types.js';

/** One stored upload, as found in `req.uploads`. */
export interface UploadedFile {
  /** The form field it came in. */
  readonly field: string;
  /** The generated id: 26 lower-case base32 characters (128 random bits). */
  readonly id: string;
  /** The stored file name: `<id>.<ext>`. */
  readonly storedName: string;
  /** Absolute path of the stored file. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256 of the content, lower-case hex. */
  readonly sha256: string;
  /** The sniffed media type (never the client's claim). */
  readonly mime: string;
  /** The stored extension, without the dot. */
  readonly ext: string;
  /** The client's file name, sanitised, for display only: never use it as a path. */
  readonly clientName: string;
}

/** A file held in memory, for {@link UploadGuard.validateBuffer}. */
export interface BufferFile {
  /** The field whose rule applies. */
  readonly field: string;
  /** The whole content. */
  readonly buffer: Uint8Array;
  /** The client's file name, if any (checked for contradictions like a part's filename). */
  readonly clientName?: string | undefined;
  /** The claimed Content-Type, if any. @default "application/octet-stream" */
  readonly contentType?: string | undefined;
}

/** The result of {@link UploadGuard.validateBuffer}. */
export interface ValidatedBuffer {
  readonly field: string;
  readonly size: number;
  readonly sha256: string;
  readonly mime: string;
  readonly ext: string;
  readonly clientName: string;
}

/** Express's next(). */
export type UploadNext = (err?: unknown) => void;
/** The middleware returned by {@link UploadGuard.middleware}. */
export type UploadMiddleware = (req: IncomingMessage, res: ServerResponse, next: UploadNext) => void;

/** What {@link uploadGuard} returns. */
export interface UploadGuard {
  /** The Express middleware: parses the multipart body, stores the accepted files, sets `req.uploads`. */
  middleware(): UploadMiddleware;
  /** Runs the same content checks on a file held in memory (nothing is stored; `scan` is not called). */
  validateBuffer(file: BufferFile): Promise<ValidatedBuffer>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's documented augmentation point.
  namespace Express {
    interface Request {
      /** Set by @portcullis/upload's middleware: the stored files of this request, in arrival order. */
      uploads?: readonly UploadedFile[] | undefined;
    }
  }
}

// O_NOFOLLOW: a planted symlink at the quarantine name fails the open instead of being followed; O_EXCL: never
// reuse an existing file.
const QUARANTINE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0) | (constants.O_NOCTTY ?? 0);
const MULTIPART = /^multipart\/form-data\s*;/iu;
const IDENTITY_ENCODINGS = new Set(['7bit', '8bit', 'binary']);
// Busboy's part header size limit (bytes): one Content-Disposition with a long file name fits.
const MAX_PART_HEADER_BYTES = 16 * 1024;
// After a refusal the rest of the body is read and discarded for at most this long / this much, then the socket is
// cut. Closing at once would reset a client still sending, and it would lose the error response (lingering close).
const LINGER_MS = 2000;
const LINGER_BYTES = 256 * 1024 * 1024;

/** Discards the rest of a refused request's body, bounded in time and bytes; the connection is reused if it ends. */
function linger(req: IncomingMessage): void {
  if (req.complete) return;
  let discarded = 0;
  const cut = (): void => {
    if (!req.complete) req.socket.destroy();
  };
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) cut();
  });
  req.on('end', () => {
    clearTimeout(timer);
  });
  req.on('close', () => {
    clearTimeout(timer);
  });
  req.on('error', () => undefined);
  req.resume();
}

async function removeQuietly(file: string): Promise<void> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path this package generated or checked at creation
    await unlink(file);
  } catch {
    // Already gone.
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

async function readStart(file: string, bytes: number): Promise<Uint8Array> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a quarantine path this module generated
  const handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function asHttpError(error: unknown): HttpError {
  if (isHttpError(error)) return error;
  return new UploadError('upload_malformed', 'stream_error', 'Upload stream failed', { cause: error });
}

/**
 * Creates the upload guard. Options are checked now (a bad `dir` or rule throws TypeError); the middleware
 * only parses and checks.
 *
 * @example const guard = uploadGuard({ dir: '/srv/app/uploads', fields: { evidence: { types: ['application/pdf'], maxBytes: 10 * 1024 * 1024, maxFiles: 5 } } });
 * app.post('/evidence', guard.middleware(), (req, res) => res.json(req.uploads));
 */
export function uploadGuard(options: UploadGuardOptions): UploadGuard {
  const c = compileGuard(options);
  // Load file-type now, not on the first upload (a failure resurfaces, and is refused, when a file is sniffed).
  loadFileType().catch(() => undefined);
  const middleware = createMiddleware(c);
  return Object.freeze({
    middleware: () => middleware,
    validateBuffer: (file: BufferFile) => validateBuffer(c, file),
  });
}

async function validateBuffer(c: CompiledGuard, file: BufferFile): Promise<ValidatedBuffer> {
  if (typeof file !== 'object' || file === null || !(file.buffer instanceof Uint8Array)) {
    throw new TypeError(
      '@portcullis/upload: validateBuffer needs { field, buffer: Uint8Array, clientName?, contentType? }',
    );
  }
  const rule = typeof file.field === 'string' ? c.fields.get(file.field) : undefined;
  if (rule === undefined) throw new UploadError('upload_unexpected_field', 'unknown_field');
  if (file.buffer.length > rule.maxBytes) throw new UploadError('upload_too_large', 'file_too_large');
  const text = new TextCheck();
  text.update(file.buffer);
  const type = await checkContent(
    {
      rule,
      head: file.buffer.subarray(0, SNIFF_BYTES),
      isText: text.finish(),
      declared: file.contentType ?? 'application/octet-stream',
      clientName: file.clientName,
      readStart: (bytes) => Promise.resolve(file.buffer.subarray(0, bytes)),
    },
    c.maxPixels,
  );
  return Object.freeze({
    field: rule.name,
    size: file.buffer.length,
    sha256: createHash('sha256').update(file.buffer).digest('hex'),
    mime: type.mime,
    ext: type.ext,
    clientName: displayName(file.clientName),
  });
}

function createMiddleware(c: CompiledGuard): UploadMiddleware {
  const limits = {
    fieldNameSize: c.maxFieldNameBytes,
    fieldSize: c.maxFieldBytes,
    fields: c.maxFields,
    fileSize: c.maxFileBytes,
    files: c.maxFilesTotal,
    parts: c.maxParts,
    headerPairs: c.maxHeaderPairs,
    headerSize: MAX_PART_HEADER_BYTES,
  };
  const isPartAFile = (field: string | undefined, _type: string | undefined, filename: string | undefined): boolean =>
    filename !== undefined || (field !== undefined && c.fields.has(field));

  return function uploadGuardMiddleware(req: IncomingMessage, res: ServerResponse, next: UploadNext): void {
    const contentType = req.headers['content-type'];
    if (typeof contentType !== 'string' || !MULTIPART.test(contentType)) {
      next(new UploadError('upload_type', 'not_multipart'));
      return;
    }
    const declaredLength = req.headers['content-length'];
    if (declaredLength !== undefined && Number(declaredLength) > c.maxTotalBytes) {
      linger(req);
      next(new UploadError('upload_too_large', 'content_length_over_limit'));
      return;
    }
    let busboy: BusboyInstance;
    try {
      busboy = Busboy({ headers: req.headers as BusboyHeaders, limits, isPartAFile, preservePath: false });
    } catch (error) {
      next(new UploadError('upload_malformed', 'no_boundary', 'Multipart header refused', { cause: error }));
      return;
    }
    new UploadRequest(c, req, res, next, busboy).start();
  };
}

/** The state of one multipart request: every file it wrote is tracked until it succeeds or is cleaned up. */
class UploadRequest {
  readonly #c: CompiledGuard;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #next: UploadNext;
  readonly #busboy: BusboyInstance;
  /** Paths on disk written by this request (quarantine and stored): all removed on failure. */
  readonly #written = new Set<string>();
  readonly #pending: Promise<UploadedFile>[] = [];
  readonly #streams = new Set<Readable>();
  readonly #perField = new Map<string, number>();
  readonly #fields: Record<string, string> = Object.create(null) as Record<string, string>;
  #received = 0;
  #failed: HttpError | undefined;
  #done = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(c: CompiledGuard, req: IncomingMessage, res: ServerResponse, next: UploadNext, busboy: BusboyInstance) {
    this.#c = c;
    this.#req = req;
    this.#res = res;
    this.#next = next;
    this.#busboy = busboy;
  }

  start(): void {
    const req = this.#req;
    this.#timer = setTimeout(() => {
      this.fail(new UploadError('upload_timeout', 'timeout'));
    }, this.#c.timeoutMs);
    this.#timer.unref();
    const busboy = this.#busboy;
    busboy.on('file', (field, stream, filename, encoding, mime) => {
      this.#onFile(field, stream, filename, encoding, mime);
    });
    busboy.on('field', (field, value, _nameTruncated, valueTruncated) => {
      this.#onField(field, value, valueTruncated);
    });
    busboy.on('partsLimit', () => {
      this.fail(new UploadError('upload_too_many', 'parts_limit'));
    });
    busboy.on('filesLimit', () => {
      this.fail(new UploadError('upload_too_many', 'files_limit'));
    });
    busboy.on('fieldsLimit', () => {
      this.fail(new UploadError('upload_too_many', 'fields_limit'));
    });
    busboy.on('error', (error: unknown) => {
      this.fail(new UploadError('upload_malformed', 'multipart_syntax', 'Malformed multipart body', { cause: error }));
    });
    busboy.on('finish', () => void this.#finish());
    req.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (this.#received > this.#c.maxTotalBytes) this.fail(new UploadError('upload_too_large', 'body_too_large'));
    });
    req.on('error', (error) => {
      this.fail(new UploadError('upload_malformed', 'request_error', 'Request stream failed', { cause: error }));
    });
    req.on('close', () => {
      // Closed before the body was complete: the client went away (or the socket broke).
      if (!req.complete) this.fail(new UploadError('upload_malformed', 'client_aborted'), true);
    });
    this.#res.on('close', () => {
      if (!this.#res.writableFinished && !this.#done)
        this.fail(new UploadError('upload_malformed', 'client_aborted'), true);
    });
    req.pipe(busboy);
  }

  #throwIfFailed(): void {
    const failed = this.#failed;
    if (failed !== undefined) throw failed;
  }

  #onField(field: string, value: string, valueTruncated: boolean): void {
    if (this.#failed !== undefined) return;
    if (!this.#checkName(field)) return;
    if (valueTruncated) {
      this.fail(new UploadError('upload_too_large', 'field_too_large'));
      return;
    }
    if (Object.hasOwn(this.#fields, field)) {
      this.fail(new UploadError('upload_malformed', 'duplicate_field'));
      return;
    }
    this.#fields[field] = value;
  }

  #checkName(field: string | undefined): field is string {
    if (typeof field !== 'string' || field === '') {
      this.fail(new UploadError('upload_malformed', 'empty_field_name'));
      return false;
    }
    // Busboy does not enforce fieldNameSize; this does.
    if (Buffer.byteLength(field, 'utf8') > this.#c.maxFieldNameBytes) {
      this.fail(new UploadError('upload_malformed', 'field_name_too_long'));
      return false;
    }
    return true;
  }

  #onFile(field: string, stream: BusboyFileStream, filename: string | undefined, encoding: string, mime: string): void {
    stream.on('error', () => undefined);
    if (this.#failed !== undefined || !this.#checkName(field)) {
      stream.resume();
      return;
    }
    const rule = this.#c.fields.get(field);
    if (rule === undefined) {
      stream.resume();
      this.fail(new UploadError('upload_unexpected_field', 'unexpected_field'));
      return;
    }
    const count = (this.#perField.get(field) ?? 0) + 1;
    this.#perField.set(field, count);
    if (count > rule.maxFiles) {
      stream.resume();
      this.fail(new UploadError('upload_too_many', 'field_max_files'));
      return;
    }
    if (!IDENTITY_ENCODINGS.has(encoding)) {
      stream.resume();
      this.fail(new UploadError('upload_malformed', 'content_transfer_encoding'));
      return;
    }
    this.#streams.add(stream);
    const task = this.#store(rule, stream, filename, mime);
    this.#pending.push(task);
    task.catch((error: unknown) => {
      this.fail(asHttpError(error));
    });
  }

  async #store(
    rule: CompiledField,
    stream: BusboyFileStream,
    filename: string | undefined,
    mime: string,
  ): Promise<UploadedFile> {
    const quarantined = path.join(this.#c.quarantine, generateFileName(''));
    let handle: FileHandle | undefined;
    const hash = createHash('sha256');
    const text = new TextCheck();
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated name inside the checked quarantine
      handle = await open(quarantined, QUARANTINE_FLAGS, 0o600);
      this.#written.add(quarantined);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.#throwIfFailed();
        size += chunk.length;
        if (size > rule.maxBytes) throw new UploadError('upload_too_large', 'file_too_large');
        hash.update(chunk);
        text.update(chunk);
        if (headBytes < SNIFF_BYTES) {
          const part = chunk.subarray(0, SNIFF_BYTES - headBytes);
          head.push(part);
          headBytes += part.length;
        }
        await writeAll(handle, chunk);
      }
      // Busboy stops at limits.fileSize silently: a truncated stream is an oversize file, never a short one.
      if (stream.truncated) throw new UploadError('upload_too_large', 'file_too_large');
      await handle.close();
      handle = undefined;
    } finally {
      this.#streams.delete(stream);
      if (handle !== undefined) await handle.close().catch(() => undefined);
    }
    this.#throwIfFailed();
    const type: KnownType = await checkContent(
      {
        rule,
        head: Buffer.concat(head),
        isText: text.finish(),
        declared: mime,
        clientName: filename,
        readStart: (bytes) => readStart(quarantined, bytes),
      },
      this.#c.maxPixels,
    );
    const sha256 = hash.digest('hex');
    const clientName = displayName(filename);
    if (this.#c.scan !== undefined) {
      let verdict: unknown;
      try {
        verdict = await this.#c.scan(
          Object.freeze({
            field: rule.name,
            path: quarantined,
            size,
            sha256,
            mime: type.mime,
            ext: type.ext,
            clientName,
          }),
        );
      } catch (error) {
        throw new ServiceUnavailableError('Upload scan failed', {
          cause: error,
          detail: 'The upload could not be checked.',
        });
      }
      if (verdict !== true) throw new UploadError('upload_rejected', 'scan_refused');
    }
    this.#throwIfFailed();
    const storedName = generateFileName(`.${type.ext}`);
    const stored = path.join(this.#c.dir, storedName);
    // link() fails on an existing name (never replaces a file, never follows a planted symlink); then the
    // quarantine name goes.
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated names inside the checked directory
    await link(quarantined, stored);
    this.#written.add(stored);
    await removeQuietly(quarantined);
    this.#written.delete(quarantined);
    return Object.freeze({
      field: rule.name,
      id: storedName.slice(0, storedName.indexOf('.')),
      storedName,
      path: stored,
      size,
      sha256,
      mime: type.mime,
      ext: type.ext,
      clientName,
    });
  }

  async #finish(): Promise<void> {
    if (this.#failed !== undefined) return;
    const settled = await Promise.allSettled(this.#pending);
    if (this.#failed !== undefined) return;
    const files: UploadedFile[] = [];
    for (const result of settled) {
      if (result.status === 'rejected') {
        this.fail(asHttpError(result.reason));
        return;
      }
      files.push(result.value);
    }
    this.#done = true;
    clearTimeout(this.#timer);
    const req = this.#req as IncomingMessage & { uploads?: readonly UploadedFile[]; body?: unknown };
    req.uploads = Object.freeze(files);
    if (req.body === undefined) req.body = Object.freeze(this.#fields);
    this.#next();
  }

  /** Stops the request: no more parsing, every written file removed, then the error (unless the client is gone). */
  fail(error: HttpError, aborted = false): void {
    if (this.#failed !== undefined || this.#done) return;
    this.#failed = error;
    clearTimeout(this.#timer);
    const req = this.#req;
    req.unpipe(this.#busboy);
    this.#busboy.removeAllListeners('file');
    this.#busboy.removeAllListeners('field');
    this.#busboy.on('error', () => undefined);
    for (const stream of this.#streams) stream.destroy();
    linger(req);
    void Promise.allSettled(this.#pending)
      .then(() => Promise.all([...this.#written].map(removeQuietly)))
      .then(() => {
        const res = this.#res;
        if (aborted || res.headersSent || res.writableEnded || res.destroyed) return;
        this.#next(error);
      });
  }
}
