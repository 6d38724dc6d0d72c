// resolveSafePath: lexical rules, then real paths: the base is realpath'd and the target's realpath must stay inside it.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { PathError } from './errors.js';
import { checkLexical, extensionOf } from './lexical.js';
import { checkBaseDir, compileResolveOptions, type ResolveSafePathOptions, type Rules } from './options.js';

/** True when `candidate` is strictly inside `realBase` (both real, absolute paths). Not a prefix test. */
export function isInside(realBase: string, candidate: string): boolean {
  const rel = path.relative(realBase, candidate);
  if (rel === '' || path.isAbsolute(rel)) return false;
  return rel !== '..' && !rel.startsWith(`..${path.sep}`);
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

// Missing, not a directory, a symlink loop, unreadable: to the client all of these are "not found".
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM']);

/** Maps a filesystem error on the target to a PathError; anything unexpected is rethrown (a 500). */
export function mapFsError(error: unknown): never {
  const code = errnoCode(error);
  if (code !== undefined && NOT_FOUND_CODES.has(code))
    throw new PathError('not_found', `File not usable (${code})`, { cause: error });
  if (code === 'ENAMETOOLONG') throw new PathError('invalid', 'Path too long for the filesystem', { cause: error });
  throw error;
}

/** realpath of the base directory; a missing base is a server fault, not the client's. */
export async function realBaseOf(baseDir: string): Promise<string> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
    return await realpath(baseDir);
  } catch (error) {
    throw new Error('@portcullis/paths: the base directory cannot be resolved', { cause: error });
  }
}

/**
 * A symlink inside the base may lead to another file inside it: that file must satisfy the
 * dotfile and extension rules too, or "report.csv" -> ".env" would serve the dotfile.
 */
function checkRealTarget(relative: string, rules: Rules): void {
  const segments = relative.split(path.sep);
  if (!rules.allowDotfiles && segments.some((s) => s.startsWith('.'))) {
    throw new PathError('dotfile', 'Real path has a dotfile segment');
  }
  if (
    rules.allowedExtensions !== undefined &&
    !rules.allowedExtensions.has(extensionOf(segments[segments.length - 1] ?? ''))
  ) {
    throw new PathError('extension', 'Real path extension is not allowed');
  }
}

/** The internal resolver once options are compiled. */
export async function resolveWithRules(
  baseDir: string,
  requested: unknown,
  rules: Rules,
  mustExist: boolean,
): Promise<string> {
  const segments = checkLexical(requested, rules);
  const realBase = await realBaseOf(baseDir);
  // Segments are validated (no "..", ".", empty, separators), so joining cannot climb.
  const target = path.join(realBase, ...segments);
  if (!isInside(realBase, target)) throw new PathError('traversal', 'Joined path left the base');

  if (mustExist) {
    let realTarget: string;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
      realTarget = await realpath(target);
    } catch (error) {
      mapFsError(error);
    }
    // A symlink inside the base (the file or any directory on the way) may point anywhere.
    if (!isInside(realBase, realTarget)) throw new PathError('symlink_escape', 'Real path is outside the base');
    checkRealTarget(path.relative(realBase, realTarget), rules);
    return realTarget;
  }

  let realParent: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
    realParent = await realpath(path.dirname(target));
  } catch (error) {
    mapFsError(error);
  }
  if (realParent !== realBase && !isInside(realBase, realParent)) {
    throw new PathError('symlink_escape', 'Real parent directory is outside the base');
  }
  const finalPath = path.join(realParent, path.basename(target));
  try {
    // lstat, not stat: a dangling symlink occupies the name too (writing through it would escape).
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is the validated, contained result of this package's own checks
    await lstat(finalPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return finalPath;
    mapFsError(error);
  }
  throw new PathError('invalid', 'The name is already in use (mustExist: false)');
}

/**
 * Resolves a user-supplied name to an absolute real path inside the real base directory, or rejects.
 *
 * Applies the lexical rules (see the README's rules table), then realpath's the base, checks
 * containment with `path.relative` on real paths, and realpath's the target again so a symlink
 * inside the base that points outside is refused. Never decodes: pass what Express decoded once.
 *
 * @param baseDir - absolute, server-chosen directory (never from the request).
 * @param requested - the name as received, e.g. `req.params.name`.
 * @param options - see {@link ResolveSafePathOptions}.
 * @returns the real, absolute path (for `mustExist: false`: the real parent joined with the name).
 * @throws TypeError (rejected promise) for a bad `baseDir` or options.
 * @throws PathError (rejected promise) for a refused name: 400 invalid_path, 403 forbidden_path, 404 not_found.
 */
export async function resolveSafePath(
  baseDir: string,
  requested: string,
  options?: ResolveSafePathOptions,
): Promise<string> {
  const base = checkBaseDir(baseDir);
  const compiled = compileResolveOptions(options);
  return resolveWithRules(base, requested, compiled, compiled.mustExist);
}
