// openSafeFile: resolve, open with O_NOFOLLOW, then prove the handle is the file that was checked.
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { checkOptions } from '@portcullis/errors/options';
import { PathError } from './errors.js';
import { compileOpenOptions, checkBaseDir, OPEN_KEYS, type CompiledOpen, type OpenSafeFileOptions } from './options.js';
import { mapFsError, resolveWithRules } from './resolve.js';

/** An opened file: close `handle` (or stream it with autoClose) when done. */
export interface SafeFile {
  /** Read-only handle on a regular file inside the base. */
  handle: FileHandle;
  /** Real absolute path that was opened. */
  path: string;
  /** Size in bytes at open time (from fstat). */
  size: number;
}

// O_NOFOLLOW: a final component swapped for a symlink fails with ELOOP instead of being followed.
// O_NONBLOCK: a FIFO swapped in cannot hang the open (fstat then rejects it as non-regular).
// Windows has neither; the fstat/lstat comparison below still runs there.
const OPEN_FLAGS =
  constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** A SafeFile plus the handle's fstat, for validators (ETag, Last-Modified). Internal. */
export interface OpenedFile extends SafeFile {
  /** fstat of the handle (bigint: inode numbers and nanosecond times without rounding). */
  readonly stat: BigIntStats;
}

/** Test seam: runs between open() and the identity checks, to simulate a swap in that window. */
export interface OpenHooks {
  afterOpen?: () => Promise<void>;
}

/** Closes a handle, ignoring a second close or a failing close. Internal. */
export async function closeQuietly(handle: FileHandle): Promise<void> {
  try {
    await handle.close();
  } catch {
    // Already closed or a failing close: nothing more to release.
  }
}

/** Opens an already-resolved real path and checks it is still that regular file. Internal. */
export async function openResolved(
  resolved: string,
  options: CompiledOpen,
  hooks: OpenHooks = {},
): Promise<OpenedFile> {
  let handle: FileHandle;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
    handle = await open(resolved, OPEN_FLAGS);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ELOOP') {
      throw new PathError('symlink_escape', 'File became a symlink between resolve and open', { cause: error });
    }
    mapFsError(error);
  }
  try {
    if (hooks.afterOpen) await hooks.afterOpen();
    const st = await handle.stat({ bigint: true });
    if (!st.isFile()) throw new PathError('not_found', 'Not a regular file');
    let linkStat;
    let realNow;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
      linkStat = await lstat(resolved, { bigint: true });
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
      realNow = await realpath(resolved);
    } catch (error) {
      throw new PathError('symlink_escape', 'File vanished or changed after open', { cause: error });
    }
    // The handle must be the very file at the resolved path, reached through the same real
    // directories: catches a swap of the file, or of a directory on the way, after resolution.
    if (!linkStat.isFile() || linkStat.dev !== st.dev || linkStat.ino !== st.ino || realNow !== resolved) {
      throw new PathError('symlink_escape', 'File changed between resolve and open');
    }
    if (options.rejectHardlinks && st.nlink > 1n) {
      throw new PathError('symlink_escape', 'File has more than one hard link');
    }
    return { handle, path: resolved, size: Number(st.size), stat: st };
  } catch (error) {
    await closeQuietly(handle);
    throw error;
  }
}

/**
 * Resolves like {@link resolveSafePath} (the file must exist), then opens it read-only with
 * O_NOFOLLOW and compares the handle's fstat dev/ino with the resolved path's lstat, so a file
 * swapped for a symlink or another file after resolution is refused. Directories, FIFOs, devices
 * and sockets are refused. The caller owns the returned handle and must close it.
 *
 * @param baseDir - absolute, server-chosen directory.
 * @param requested - the name as received, e.g. `req.params.name` (never decoded again).
 * @param options - see {@link OpenSafeFileOptions}.
 * @throws TypeError (rejected promise) for a bad `baseDir` or options.
 * @throws PathError (rejected promise): 400 invalid_path, 403 forbidden_path, 404 not_found.
 */
export async function openSafeFile(
  baseDir: string,
  requested: string,
  options?: OpenSafeFileOptions,
): Promise<SafeFile> {
  const base = checkBaseDir(baseDir);
  const compiled = compileOpenOptions(checkOptions('paths', options, OPEN_KEYS));
  const { handle, path, size } = await openCompiled(base, requested, compiled);
  return { handle, path, size };
}

/** openSafeFile with compiled options (used by sendSafeFile). Internal. */
export async function openCompiled(baseDir: string, requested: unknown, compiled: CompiledOpen): Promise<OpenedFile> {
  const resolved = await resolveWithRules(baseDir, requested, compiled, true);
  return openResolved(resolved, compiled);
}
