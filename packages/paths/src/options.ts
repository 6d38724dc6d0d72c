// Option validation shared by resolveSafePath, openSafeFile and sendSafeFile: strict, with fix-it messages.
import path from 'node:path';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';

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

const PKG = 'paths';

/** Allowed keys of resolveSafePath's options: the compiler keeps the list complete. */
export const RESOLVE_KEYS: OptionKeys<ResolveSafePathOptions> = {
  allowSubdirectories: true,
  allowDotfiles: true,
  allowedExtensions: true,
  mustExist: true,
};

/** Allowed keys of openSafeFile's options. */
export const OPEN_KEYS: OptionKeys<OpenSafeFileOptions> = {
  allowSubdirectories: true,
  allowDotfiles: true,
  allowedExtensions: true,
  rejectHardlinks: true,
};

/** Checked options: a frozen copy without undefined values, unknown keys refused. */
export type Opts = Readonly<Record<string, unknown>>;

export function readBoolean(opts: Opts, key: string, fallback: boolean): boolean {
  const value = opts[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw optionError(PKG, key, 'must be true or false', `omit it for ${fallback}`, value);
  return value;
}

function readExtensions(opts: Opts): ReadonlySet<string> | undefined {
  const value = opts['allowedExtensions'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw optionError(
      PKG,
      'allowedExtensions',
      'must be a non-empty array of extensions such as [".csv"]',
      'omit it to allow any extension',
      value,
    );
  }
  const out = new Set<string>();
  for (const ext of value as unknown[]) {
    if (typeof ext !== 'string' || !EXTENSION.test(ext)) {
      throw optionError(
        PKG,
        'allowedExtensions',
        'entries must look like ".csv"',
        'one leading dot, then letters, digits, "_" or "-"',
        ext,
      );
    }
    out.add(ext.toLowerCase());
  }
  return out;
}

export function compileRules(opts: Opts): Rules {
  return {
    allowSubdirectories: readBoolean(opts, 'allowSubdirectories', false),
    allowDotfiles: readBoolean(opts, 'allowDotfiles', false),
    allowedExtensions: readExtensions(opts),
  };
}

export function compileResolveOptions(options: unknown): CompiledResolve {
  const opts = checkOptions(PKG, options, RESOLVE_KEYS);
  return { ...compileRules(opts), mustExist: readBoolean(opts, 'mustExist', true) };
}

export function compileOpenOptions(opts: Opts): CompiledOpen {
  return { ...compileRules(opts), rejectHardlinks: readBoolean(opts, 'rejectHardlinks', false) };
}

/** The base directory is the server's choice: an absolute path, never derived from the request. */
export function checkBaseDir(baseDir: unknown): string {
  if (typeof baseDir !== 'string' || baseDir.length === 0 || baseDir.includes('\0') || !path.isAbsolute(baseDir)) {
    throw optionError(
      PKG,
      'baseDir',
      'must be an absolute directory path',
      'use path.resolve() on a server-chosen directory',
      baseDir,
    );
  }
  return baseDir;
}
