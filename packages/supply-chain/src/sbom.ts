// SC9: a CycloneDX SBOM from `npm sbom` (offline, from the lockfile), and its diff against a previous one.
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runNpm } from './npm.js';
import type { Finding, SbomDiff } from './types.js';

interface Component {
  readonly name?: unknown;
  readonly group?: unknown;
  readonly version?: unknown;
  readonly components?: readonly Component[];
}

/** name → version of every component (nested ones too) of a CycloneDX document. */
export function componentVersions(bom: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (list: readonly Component[] | undefined): void => {
    for (const c of list ?? []) {
      if (typeof c.name === 'string') {
        const name = typeof c.group === 'string' && c.group !== '' ? `${c.group}/${c.name}` : c.name;
        const version = typeof c.version === 'string' ? c.version : '';
        const prior = out.get(name);
        out.set(
          name,
          prior === undefined || prior === version
            ? version
            : [...new Set([...prior.split(', '), version])].sort().join(', '),
        );
      }
      walk(c.components);
    }
  };
  walk((bom as { components?: readonly Component[] } | null)?.components);
  return out;
}

/** Added, removed and changed packages from `before` to `after`. */
export function diffSboms(before: unknown, after: unknown): SbomDiff {
  const a = componentVersions(before);
  const b = componentVersions(after);
  const added = [...b.keys()]
    .filter((k) => !a.has(k))
    .sort()
    .map((k) => `${k}@${b.get(k) ?? ''}`);
  const removed = [...a.keys()]
    .filter((k) => !b.has(k))
    .sort()
    .map((k) => `${k}@${a.get(k) ?? ''}`);
  const changed = [...b.keys()]
    .filter((k) => a.has(k) && a.get(k) !== b.get(k))
    .sort()
    .map((name) => ({ name, from: a.get(name) ?? '', to: b.get(name) ?? '' }));
  return { added, removed, changed };
}

/** Writes the SBOM to `out`; a failure of npm sbom is an SC9 error (the SBOM is a CI deliverable). */
export async function writeSbom(
  dir: string,
  out: string,
  outLabel: string,
  previous: string | undefined,
  timeoutMs: number,
): Promise<{ findings: Finding[]; diff?: SbomDiff | undefined }> {
  const result = await runNpm(
    ['sbom', '--package-lock-only', '--omit', 'dev', '--sbom-format', 'cyclonedx'],
    dir,
    timeoutMs,
  );
  let bom: unknown;
  try {
    bom = JSON.parse(result.stdout) as unknown;
  } catch {
    bom = undefined;
  }
  if (
    result.error !== undefined ||
    typeof bom !== 'object' ||
    bom === null ||
    (bom as { bomFormat?: unknown }).bomFormat !== 'CycloneDX'
  ) {
    return {
      findings: [
        {
          rule: 'SC9',
          severity: 'error',
          file: outLabel,
          message: `npm sbom did not produce a CycloneDX document (${(result.error ?? 'unexpected output').slice(0, 120)})`,
        },
      ],
    };
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(bom, null, 2)}\n`);
  if (previous === undefined) return { findings: [] };
  let before: unknown;
  try {
    before = JSON.parse(readFileSync(previous, 'utf8')) as unknown;
  } catch {
    return {
      findings: [
        { rule: 'SC9', severity: 'error', file: previous, message: 'the previous SBOM cannot be read as JSON' },
      ],
    };
  }
  return { findings: [], diff: diffSboms(before, bom) };
}
