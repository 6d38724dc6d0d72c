// check:packages refuses a manifest whose @portcullis/* dependencies break the direction of DESIGN §2.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_DEPENDENCIES, dependencyDirectionProblems } from '../scripts/dependency-direction.mjs';

type Manifest = { name: string } & Record<string, unknown>;
const problems = dependencyDirectionProblems;
const table = ALLOWED_DEPENDENCIES as Readonly<Record<string, readonly string[]>>;

const root = resolve(import.meta.dirname, '..');
const manifests: Manifest[] = readdirSync(join(root, 'packages'))
  .filter((d) => existsSync(join(root, 'packages', d, 'package.json')))
  .map((d) => JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')) as Manifest);

describe('dependency direction (DESIGN §2)', () => {
  it('holds for every package of the repository', () => {
    expect(manifests.length).toBeGreaterThan(5);
    expect(problems(manifests)).toEqual([]);
  });

  it('lists every package of the repository and the planned ones', () => {
    for (const { name } of manifests) expect(Object.keys(table), name).toContain(name);
    for (const planned of ['eslint-plugin', 'supply-chain', 'testkit', 'asvs', 'secrets', 'egress', 'upload']) {
      expect(Object.keys(table)).toContain(`@portcullis/${planned}`);
    }
  });

  it.each([
    [
      'a package depending on baseline',
      { name: '@portcullis/auth', dependencies: { '@portcullis/baseline': '^0.1.0' } },
      '@portcullis/auth -> @portcullis/baseline (dependencies) is not allowed',
    ],
    [
      'errors depending on anything of ours',
      { name: '@portcullis/errors', dependencies: { '@portcullis/logging': '^0.1.0' } },
      '@portcullis/errors -> @portcullis/logging (dependencies) is not allowed: @portcullis/errors may depend on nothing of ours',
    ],
    [
      'a sideways edge between request-path packages',
      { name: '@portcullis/cors', peerDependencies: { '@portcullis/auth': '^0.1.0' } },
      '@portcullis/cors -> @portcullis/auth (peerDependencies) is not allowed',
    ],
    [
      'a dev tool depending on ours at run time',
      { name: '@portcullis/testkit', dependencies: { '@portcullis/errors': '^0.1.0' } },
      '@portcullis/testkit -> @portcullis/errors (dependencies) is not allowed: @portcullis/testkit may depend on nothing of ours',
    ],
    [
      'upload depending on egress',
      { name: '@portcullis/upload', dependencies: { '@portcullis/egress': '^0.1.0' } },
      '@portcullis/upload -> @portcullis/egress (dependencies) is not allowed',
    ],
    [
      'a package depending on an example',
      { name: '@portcullis/policy', optionalDependencies: { '@portcullis/case-api': '*' } },
      '@portcullis/policy -> @portcullis/case-api (optionalDependencies) is not allowed',
    ],
    [
      'a package missing from the table',
      { name: '@portcullis/newthing', dependencies: { '@portcullis/errors': '^0.1.0' } },
      '@portcullis/newthing is not in the dependency table',
    ],
  ])('fails naming the offending edge for %s', (_title, manifest, message) => {
    const found = problems([manifest]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it.each([
    { name: '@portcullis/upload', dependencies: { '@portcullis/errors': '^0.1.0', '@portcullis/paths': '^0.1.0' } },
    { name: '@portcullis/baseline', dependencies: { '@portcullis/auth': '^0.1.0', '@portcullis/egress': '^0.1.0' } },
    { name: '@portcullis/logging', dependencies: { '@portcullis/errors': '^0.1.0', pino: '10.4.0' } },
    {
      name: '@portcullis/testkit',
      dependencies: { jose: '6.2.18' },
      devDependencies: { '@portcullis/errors': '^0.1.0' },
    },
  ])('accepts the allowed edges of $name', (manifest) => {
    expect(problems([manifest as Manifest])).toEqual([]);
  });
});
