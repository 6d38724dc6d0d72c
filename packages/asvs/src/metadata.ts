// Run metadata: git commit, lockfile SHA-256, Node and package versions, time.
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own report and project files */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMetadata } from './evidence.js';
import { sha256Hex } from './outputs.js';

/** Reads what can be read of the run's context from `root`; missing facts are left out, never guessed. */
export function runMetadata(root: string, now: Date = new Date()): RunMetadata {
  let gitCommit: string | undefined;
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
      timeout: 5000,
    }).trim();
  } catch {
    gitCommit = undefined;
  }
  const lock = join(root, 'package-lock.json');
  const lockfileSha256 = existsSync(lock) ? sha256Hex(readFileSync(lock)) : undefined;
  const packages: Record<string, string> = {};
  const manifest = join(root, 'package.json');
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof m.name === 'string' && typeof m.version === 'string') packages[m.name] = m.version;
  }
  packages['@portcullis/asvs'] = '0.1.0';
  return { time: now.toISOString(), gitCommit, lockfileSha256, node: process.version, packages };
}
