// Reading package.json / package-lock.json and the lockfile rules SC1-SC5.
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './types.js';

/** The part of a lockfile v3 `packages` entry the checks read. */
export interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly inBundle?: boolean;
  readonly hasInstallScript?: boolean;
  readonly license?: unknown;
  readonly private?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

/** A package.json, as far as the checks read it. */
export interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly private?: boolean;
  readonly workspaces?: readonly string[] | { readonly packages?: readonly string[] };
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly allowScripts?: Readonly<Record<string, unknown>>;
}

/** A project as read from disk: its manifest, its lockfile and its workspaces. */
export interface Project {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly lock:
    { readonly lockfileVersion?: unknown; readonly packages: Readonly<Record<string, LockEntry>> } | undefined;
  /** Workspace folder (relative, e.g. "packages/auth") → its manifest. */
  readonly workspaces: ReadonlyMap<string, Manifest>;
  readonly lockProblem?: string | undefined;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the project in `dir`. Workspaces are the folders the lockfile lists as links' targets. */
export function readProject(dir: string): Project {
  const manifest = readJson(join(dir, 'package.json')) as Manifest;
  const lockPath = join(dir, 'package-lock.json');
  let lock: Project['lock'];
  let lockProblem: string | undefined;
  if (!existsSync(lockPath)) {
    lockProblem = 'package-lock.json is missing';
  } else {
    try {
      const parsed = readJson(lockPath);
      if (!isRecord(parsed) || !isRecord(parsed['packages'])) lockProblem = 'package-lock.json has no "packages" map';
      else lock = parsed as unknown as NonNullable<Project['lock']>;
    } catch {
      lockProblem = 'package-lock.json is not valid JSON';
    }
  }
  const workspaces = new Map<string, Manifest>();
  if (lock !== undefined) {
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (key === '' || key.includes('node_modules/') || entry.link === true) continue;
      const path = join(dir, key, 'package.json');
      if (existsSync(path)) workspaces.set(key, readJson(path) as Manifest);
    }
  }
  return { dir, manifest, lock, workspaces, lockProblem };
}

/** The package name a lockfile key installs: the real name for aliases (`name`), else the last path segment. */
export function entryName(key: string, entry: LockEntry): string {
  if (typeof entry.name === 'string') return entry.name;
  const at = key.lastIndexOf('node_modules/');
  return at === -1 ? key : key.slice(at + 'node_modules/'.length);
}

/** The folder name a key is installed under (an alias keeps its own folder name). */
export function installedName(key: string): string {
  const at = key.lastIndexOf('node_modules/');
  return at === -1 ? key : key.slice(at + 'node_modules/'.length);
}

/** True for entries fetched from a registry (not the root, a workspace folder, a link or a bundled file). */
export function isRegistryEntry(key: string, entry: LockEntry): boolean {
  return key.includes('node_modules/') && entry.link !== true && entry.inBundle !== true;
}

const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

function sameDeps(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): string[] {
  const left = a ?? {};
  const right = b ?? {};
  const out: string[] = [];
  for (const name of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (left[name] !== right[name])
      out.push(`${name} (package.json ${left[name] ?? 'absent'}, lock ${right[name] ?? 'absent'})`);
  }
  return out;
}

/** SC1: the lockfile exists, is version 3, and records the root's and every workspace's declared dependencies. */
export function checkLockPresent(project: Project): Finding[] {
  if (project.lock === undefined) {
    return [
      {
        rule: 'SC1',
        severity: 'error',
        file: 'package-lock.json',
        message: `${project.lockProblem ?? 'no lockfile'}: installs are not reproducible; run npm install and commit package-lock.json`,
      },
    ];
  }
  const findings: Finding[] = [];
  if (project.lock.lockfileVersion !== 3) {
    findings.push({
      rule: 'SC1',
      severity: 'error',
      file: 'package-lock.json',
      where: 'lockfileVersion',
      message: `lockfileVersion is ${JSON.stringify(project.lock.lockfileVersion)}, expected 3 (npm 9 or later)`,
    });
  }
  const places: [string, Manifest][] = [['', project.manifest], ...project.workspaces];
  for (const [key, manifest] of places) {
    const entry = project.lock.packages[key];
    const label = key === '' ? 'the root' : key;
    if (entry === undefined) {
      findings.push({
        rule: 'SC1',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        message: `the lockfile has no entry for ${label}; run npm install`,
      });
      continue;
    }
    for (const field of DEP_FIELDS) {
      const diff = sameDeps(manifest[field], entry[field]);
      if (diff.length > 0) {
        findings.push({
          rule: 'SC1',
          severity: 'error',
          file: 'package-lock.json',
          where: `${key === '' ? '(root)' : key} ${field}`,
          message: `${field} of ${label} differ from package.json: ${diff.slice(0, 5).join('; ')}${diff.length > 5 ? ` and ${diff.length - 5} more` : ''}; run npm install`,
        });
      }
    }
  }
  return findings;
}

/** SC2: every registry entry carries a sha512 integrity, whether or not `resolved` is recorded. */
export function checkIntegrity(project: Project): Finding[] {
  const findings: Finding[] = [];
  for (const [key, entry] of Object.entries(project.lock?.packages ?? {})) {
    if (!isRegistryEntry(key, entry)) continue;
    const name = entryName(key, entry);
    const integrity = entry.integrity;
    if (typeof integrity !== 'string' || integrity.length === 0) {
      findings.push({
        rule: 'SC2',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        package: name,
        version: entry.version,
        message: `${key} has no integrity hash: the tarball npm installs is not pinned`,
      });
    } else if (!integrity.split(/\s+/).some((part) => /^sha512-[A-Za-z0-9+/]{86}==$/.test(part))) {
      findings.push({
        rule: 'SC2',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        package: name,
        version: entry.version,
        message: `${key} has a ${integrity.split('-')[0] ?? 'malformed'} integrity; only sha512 resists collisions (reinstall with a current npm)`,
      });
    }
  }
  return findings;
}

/** SC3: a recorded `resolved` is an https tarball of that very package on the configured registry. */
export function checkResolved(project: Project, registry: URL): Finding[] {
  const findings: Finding[] = [];
  for (const [key, entry] of Object.entries(project.lock?.packages ?? {})) {
    if (!isRegistryEntry(key, entry) || entry.resolved === undefined) continue;
    const name = entryName(key, entry);
    const bad = (message: string): void => {
      findings.push({
        rule: 'SC3',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        package: name,
        version: entry.version,
        message: `${key}: ${message}`,
      });
    };
    const resolved = entry.resolved;
    if (/^git\+|^git:|^github:/i.test(resolved)) {
      bad(
        `resolved from git (${resolved.slice(0, 80)}): not a registry tarball, no integrity the registry vouches for`,
      );
      continue;
    }
    let url: URL;
    try {
      url = new URL(resolved);
    } catch {
      bad(`resolved is not a URL (${resolved.slice(0, 80)})`);
      continue;
    }
    if (url.protocol === 'file:') {
      bad('resolved from the local file system (file:)');
      continue;
    }
    if (url.protocol !== 'https:') {
      bad(`resolved over ${url.protocol.replace(':', '')}: anyone on the path can swap the tarball`);
      continue;
    }
    if (url.host !== registry.host) {
      bad(`resolved from ${url.host}, not the registry ${registry.host}`);
      continue;
    }
    const base = name.startsWith('@') ? (name.split('/')[1] ?? name) : name;
    const expected = `/${name}/-/${base}-${entry.version ?? ''}.tgz`;
    const path = decodeURIComponent(url.pathname.replace(/%2f/gi, '/'));
    if (!path.endsWith(expected)) {
      bad(
        `resolved URL ${url.pathname} is not the tarball of ${name}@${entry.version ?? '?'} (alias or name confusion)`,
      );
    }
  }
  return findings;
}

// eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested quantifiers; input is a manifest spec
const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** SC4: runtime dependencies of publishable (non-private) workspaces are exact versions; workspaces by name. */
export function checkExactRuntime(project: Project): Finding[] {
  const findings: Finding[] = [];
  const internal = new Set(
    [...project.workspaces.values()].map((m) => m.name).filter((n): n is string => n !== undefined),
  );
  const places: [string, Manifest][] = [
    ['package.json', project.manifest],
    ...[...project.workspaces].map(([k, m]): [string, Manifest] => [`${k}/package.json`, m]),
  ];
  for (const [file, manifest] of places) {
    if (manifest.private === true) continue;
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
        if (internal.has(name) && !/[:/]/.test(spec)) continue;
        if (!EXACT.test(spec)) {
          findings.push({
            rule: 'SC4',
            severity: 'error',
            file,
            where: `${field}.${name}`,
            package: name,
            message: `${manifest.name ?? file}: ${field} "${name}": "${spec}" is not an exact version (ranges, tags, git, URL, file and link specs let an install pick something nobody reviewed)`,
          });
        }
      }
    }
  }
  return findings;
}

/** SC5: every package of the internal scope is a workspace link; a registry copy is dependency confusion. */
export function checkInternalScope(project: Project, scope: string): Finding[] {
  const findings: Finding[] = [];
  const prefix = scope.endsWith('/') ? scope : `${scope}/`;
  for (const [key, entry] of Object.entries(project.lock?.packages ?? {})) {
    if (!key.includes('node_modules/')) continue;
    const name = entryName(key, entry);
    if (!name.startsWith(prefix) && !installedName(key).startsWith(prefix)) continue;
    const target = entry.resolved;
    const isWorkspaceLink =
      entry.link === true &&
      typeof target === 'string' &&
      !/^[a-z+]+:/i.test(target) &&
      project.lock?.packages[target] !== undefined;
    if (!isWorkspaceLink) {
      findings.push({
        rule: 'SC5',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        package: name,
        version: entry.version,
        message: `${key} is ${entry.link === true ? 'a link outside the workspaces' : `installed from ${target ?? 'the registry'}`}, not a workspace link: a public package with an internal name (dependency confusion)`,
      });
    }
  }
  return findings;
}
