// Builds small npm projects (manifest, lockfile, .npmrc) in temp folders, each with one defect on top of a clean base.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHA512 = `sha512-${'A'.repeat(86)}==`;
const REGISTRY = 'https://registry.npmjs.org';

export interface FixtureSpec {
  root: Record<string, unknown>;
  workspaces: Record<string, Record<string, unknown>>;
  lock: Record<string, unknown> | undefined;
  npmrc: string | undefined;
  files: Record<string, string>;
}

/** The clean base: a private root with one dev tool, a publishable workspace with exact deps, and a linked sibling. */
export function baseSpec(): FixtureSpec {
  const lib = {
    name: '@portcullis/lib',
    version: '0.1.0',
    dependencies: { ms: '2.1.3', '@portcullis/core': '^0.1.0' },
  };
  const core = { name: '@portcullis/core', version: '0.1.0' };
  const root = {
    name: 'fixture',
    version: '0.0.0',
    private: true,
    workspaces: ['packages/*'],
    devDependencies: { typescript: '5.9.3', esbuild: '0.27.7' },
    allowScripts: { 'esbuild@0.27.7': true },
  };
  return {
    root,
    workspaces: { 'packages/lib': lib, 'packages/core': core },
    lock: {
      name: 'fixture',
      version: '0.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': {
          name: 'fixture',
          version: '0.0.0',
          workspaces: ['packages/*'],
          devDependencies: { ...root.devDependencies },
        },
        'packages/lib': { name: '@portcullis/lib', version: '0.1.0', dependencies: { ...lib.dependencies } },
        'packages/core': { name: '@portcullis/core', version: '0.1.0' },
        'node_modules/@portcullis/lib': { resolved: 'packages/lib', link: true },
        'node_modules/@portcullis/core': { resolved: 'packages/core', link: true },
        'node_modules/ms': { version: '2.1.3', integrity: SHA512, license: 'MIT' },
        'node_modules/typescript': { version: '5.9.3', integrity: SHA512, dev: true, license: 'Apache-2.0' },
        'node_modules/esbuild': {
          version: '0.27.7',
          integrity: SHA512,
          dev: true,
          hasInstallScript: true,
          license: 'MIT',
        },
      },
    },
    npmrc: 'strict-allow-scripts=true\nmin-release-age=3\n',
    files: {},
  };
}

/** Lock entries of a spec, for mutation. */
export function entries(spec: FixtureSpec): Record<string, Record<string, unknown>> {
  return (spec.lock as { packages: Record<string, Record<string, unknown>> }).packages;
}

export function tarball(name: string, version: string): string {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return `${REGISTRY}/${name}/-/${base}-${version}.tgz`;
}

const made: string[] = [];

/** Writes the spec to a fresh temp folder and returns its path. */
export function writeFixture(spec: FixtureSpec): string {
  const dir = mkdtempSync(join(tmpdir(), 'supply-fixture-'));
  made.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(spec.root, null, 2));
  for (const [folder, manifest] of Object.entries(spec.workspaces)) {
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, folder, 'package.json'), JSON.stringify(manifest, null, 2));
  }
  if (spec.lock !== undefined) writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(spec.lock, null, 2));
  if (spec.npmrc !== undefined) writeFileSync(join(dir, '.npmrc'), spec.npmrc);
  for (const [name, text] of Object.entries(spec.files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function cleanFixtures(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
