// Install-script policy: SC6 (version-pinned allowScripts approvals), SC7 (strict-allow-scripts), SC8 (min-release-age).
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryName, isRegistryEntry, type Project } from './lockfile.js';
import type { Finding } from './types.js';

interface Approval {
  readonly key: string;
  readonly name: string;
  /** undefined for a name-only approval. */
  readonly version: string | undefined;
  readonly allowed: boolean;
}

function parseApproval(key: string, value: unknown): Approval | undefined {
  if (typeof value !== 'boolean') return undefined;
  const at = key.lastIndexOf('@');
  if (at > 0) return { key, name: key.slice(0, at), version: key.slice(at + 1), allowed: value };
  return { key, name: key, version: undefined, allowed: value };
}

/** SC6: each lock entry with an install script has a `name@version: true` approval; name-only and stale approvals warn. */
export function checkInstallScripts(project: Project): Finding[] {
  const findings: Finding[] = [];
  const approvals = Object.entries(project.manifest.allowScripts ?? {})
    .map(([k, v]) => parseApproval(k, v))
    .filter((a): a is Approval => a !== undefined);
  const used = new Set<string>();
  for (const [key, entry] of Object.entries(project.lock?.packages ?? {})) {
    if (!isRegistryEntry(key, entry) || entry.hasInstallScript !== true) continue;
    const name = entryName(key, entry);
    const version = entry.version ?? '';
    const pinned = approvals.find((a) => a.name === name && a.version === version);
    const byName = approvals.find((a) => a.name === name && a.version === undefined);
    if (pinned !== undefined) {
      used.add(pinned.key);
      continue;
    }
    if (byName !== undefined) {
      used.add(byName.key);
      if (byName.allowed) {
        findings.push({
          rule: 'SC6',
          severity: 'warning',
          file: 'package.json',
          where: `allowScripts.${byName.key}`,
          package: name,
          version,
          message: `the install script of ${name} is approved by name only: any future version runs its script unreviewed; pin it as "${name}@${version}": true`,
        });
      }
      continue;
    }
    findings.push({
      rule: 'SC6',
      severity: 'error',
      file: 'package-lock.json',
      where: key,
      package: name,
      version,
      message: `${name}@${version} (${key}) has an install script with no allowScripts approval; review it, then approve "${name}@${version}": true (or deny it with false)`,
    });
  }
  for (const approval of approvals) {
    if (!used.has(approval.key)) {
      findings.push({
        rule: 'SC6',
        severity: 'warning',
        file: 'package.json',
        where: `allowScripts.${approval.key}`,
        package: approval.name,
        message: `stale allowScripts entry "${approval.key}": no locked package with an install script matches it (npm install-scripts prune)`,
      });
    }
  }
  return findings;
}

/** Parses the `key=value` lines of an .npmrc (comments and sections ignored); keys lower-cased. */
export function readNpmrc(dir: string): ReadonlyMap<string, string> | undefined {
  const path = join(dir, '.npmrc');
  if (!existsSync(path)) return undefined;
  const out = new Map<string, string>();
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    out.set(
      line.slice(0, eq).trim().toLowerCase(),
      line
        .slice(eq + 1)
        .trim()
        .replace(/^["']|["']$/g, ''),
    );
  }
  return out;
}

/** SC7 (error) and SC8 (warning) on the project's .npmrc. */
export function checkNpmrc(project: Project): Finding[] {
  const npmrc = readNpmrc(project.dir);
  const findings: Finding[] = [];
  if (npmrc?.get('strict-allow-scripts') !== 'true') {
    findings.push({
      rule: 'SC7',
      severity: 'error',
      file: '.npmrc',
      where: 'strict-allow-scripts',
      message: `${npmrc === undefined ? 'there is no .npmrc' : '.npmrc does not set strict-allow-scripts=true'}: npm runs unreviewed dependency install scripts with only a warning`,
    });
  }
  const age = npmrc?.get('min-release-age');
  if (age === undefined || !/^\d+$/.test(age) || Number(age) < 1) {
    findings.push({
      rule: 'SC8',
      severity: 'warning',
      file: '.npmrc',
      where: 'min-release-age',
      message:
        'min-release-age is not set: a version published minutes ago (a hijacked release) can be installed at once; consider min-release-age=3 (days) for updates',
    });
  }
  return findings;
}
