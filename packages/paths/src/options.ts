// Option validation shared by resolveSafePath, openSafeFile and sendSafeFile: strict, with fix-it messages.
import path from 'node:path';

const PKG = '@portcullis/paths';

/** Options of resolveSafePath. */
export interface ResolveSafePathOptions {
  /** Accept "a/b.csv" (segments separated by "/"). @default false (a single file name) */
  allowSubdirectories?: boolean | undefined;
  /** Accept segments that start with "." (".env", ".git"). @default false */
  allowDotfiles?: boolean | undefined;
  /** Extensions the last segment must end with, e.g. [".csv"]; compared case-insensitively. @default undefined (any) */
  allowedExtensions?: readonly string[] | undefined;
  /**
   * true: the file must exist (and its real location is checked). false: a file about to be
   * written; its parent must exist inside the base and the name must be free. @default true
   */
  mustExist?: boolean | undefined;
}

/** Options of openSafeFile: those of resolveSafePath (the file must exist) plus `rejectHardlinks`. */
export interface OpenSafeFileOptions {
  /** @see ResolveSafePathOptions.allowSubdirectories @default false */
  allowSubdirectories?: boolean | undefined;
  /** @see ResolveSafePathOptions.allowDotfiles @default false */
  allowDotfiles?: boolean | undefined;
  /** @see ResolveSafePathOptions.allowedExtensions @default undefined (any) */
  allowedExtensions?: readonly string[] | undefined;
  /** Refuse files with more than one hard link (a link to a file outside the base). @default false */
  rejectHardlinks?: boolean | undefined;
}

/** Compiled lexical rules. */
export interface Rules {
  readonly allowSubdirectories: boolean;
  readonly allowDotfiles: boolean;
  /** Lower-cased extensions, or undefined for any. */
  readonly allowedExtensions: ReadonlySet<string> | undefined;
}

export interface CompiledResolve extends Rules {
  readonly mustExist: boolean;
}

export interface CompiledOpen extends Rules {
  readonly rejectHardlinks: boolean;
}

/** ".csv", ".json", ".tar_gz": one dot, then 1..32 letters, digits, "_" or "-". */
export const EXTENSION = /^\.[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'symbol') return 'a symbol';
  return 'undefined';
}

export function typeError(fn: string, message: string): TypeError {
  return new TypeError(`${PKG}: ${fn}: ${message}`);
}

/** Reads a plain options object, refusing unknown keys; undefined values count as absent. */
export function readOptions(fn: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw typeError(fn, `options must be an object (got ${show(options)})`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw typeError(fn, `unknown option ${JSON.stringify(key)}; known options: ${known.join(', ')}`);
    }
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function readBoolean(fn: string, opts: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = opts[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(fn, `"${key}" must be true or false (got ${show(value)})`);
  return value;
}

function readExtensions(fn: string, opts: Record<string, unknown>): ReadonlySet<string> | undefined {
  const value = opts['allowedExtensions'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw typeError(
      fn,
      `"allowedExtensions" must be a non-empty array of extensions such as [".csv"] (got ${show(value)}); omit it to allow any extension`,
    );
  }
  const out = new Set<string>();
  for (const ext of value as unknown[]) {
    if (typeof ext !== 'string' || !EXTENSION.test(ext)) {
      throw typeError(
        fn,
        `"allowedExtensions" entries must look like ".csv" (one leading dot, letters/digits/_/-) (got ${show(ext)})`,
      );
    }
    out.add(ext.toLowerCase());
  }
  return out;
}

export const RULE_KEYS = ['allowSubdirectories', 'allowDotfiles', 'allowedExtensions'] as const;

export function compileRules(fn: string, opts: Record<string, unknown>): Rules {
  return {
    allowSubdirectories: readBoolean(fn, opts, 'allowSubdirectories', false),
    allowDotfiles: readBoolean(fn, opts, 'allowDotfiles', false),
    allowedExtensions: readExtensions(fn, opts),
  };
}

export function compileResolveOptions(options: unknown): CompiledResolve {
  const fn = 'resolveSafePath';
  const opts = readOptions(fn, options, [...RULE_KEYS, 'mustExist']);
  return { ...compileRules(fn, opts), mustExist: readBoolean(fn, opts, 'mustExist', true) };
}

export function compileOpenOptions(fn: string, opts: Record<string, unknown>): CompiledOpen {
  return { ...compileRules(fn, opts), rejectHardlinks: readBoolean(fn, opts, 'rejectHardlinks', false) };
}

/** The base directory is the server's choice: an absolute path, never derived from the request. */
export function checkBaseDir(fn: string, baseDir: unknown): string {
  if (typeof baseDir !== 'string' || baseDir.length === 0 || baseDir.includes('\0') || !path.isAbsolute(baseDir)) {
    throw typeError(
      fn,
      `"baseDir" must be an absolute directory path (got ${show(baseDir)}); use path.resolve() on a server-chosen directory`,
    );
  }
  return baseDir;
}

export { show };
