// Packaging check: build every library package, lint it with publint and attw, pack it, install the
// tarballs with express into a fresh temporary app, then require() and import() each package there,
// and type-check a consumer (ESM and CJS) against the installed .d.ts files with skipLibCheck off.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { dependencyDirectionProblems } from './dependency-direction.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (file, args, cwd = root) =>
  execFileSync(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const say = (line) => process.stdout.write(`[check:packages] ${line}\n`);

const all = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'packages', d.name, 'package.json')))
  .map((d) => {
    const dir = join(root, 'packages', d.name);
    return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
  })
  .filter((p) => p.manifest.private !== true);

// Dependency direction (DESIGN §2) over every manifest, first: it needs no build.
const direction = dependencyDirectionProblems(all.map((p) => p.manifest));
if (direction.length > 0) {
  for (const line of direction) process.stderr.write(`[check:packages] dependency direction: ${line}\n`);
  process.exit(1);
}
say(`dependency direction holds for ${all.length} packages`);

// `node scripts/check-packages.mjs cors` checks only those folders (and packs the workspace
// packages they depend on, so the install never asks the registry for an unpublished sibling).
const wanted = new Set(process.argv.slice(2).map((n) => `@portcullis/${n}`));
if (wanted.size > 0) {
  let grew = true;
  while (grew) {
    grew = false;
    for (const { manifest } of all) {
      if (!wanted.has(manifest.name)) continue;
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        if (dep.startsWith('@portcullis/') && !wanted.has(dep)) {
          wanted.add(dep);
          grew = true;
        }
      }
    }
  }
}
const packages = wanted.size === 0 ? all : all.filter((p) => wanted.has(p.manifest.name));

const failures = [];
const work = mkdtempSync(join(tmpdir(), 'portcullis-pack-'));
try {
  say(`building ${packages.length} packages`);
  for (const { dir } of packages) run('npm', ['run', 'build'], dir);

  const tarballs = [];
  for (const { dir, manifest } of packages) {
    try {
      const publint = run(bin('publint'), [dir, '--strict']);
      if (!/All good/.test(publint)) failures.push(`${manifest.name}: publint\n${publint}`);
    } catch (error) {
      failures.push(`${manifest.name}: publint failed\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
    try {
      run(bin('attw'), ['--pack', dir, '--format', 'ascii']);
    } catch (error) {
      failures.push(`${manifest.name}: attw reported problems\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], dir));
    tarballs.push(join(work, packed.filename));
    say(`${manifest.name}: packed ${packed.filename} (${packed.entryCount} files)`);
    const stray = packed.files
      .map((f) => f.path)
      .filter((p) => !/^(dist\/|package\.json$|README\.md$|LICENSE)/.test(p));
    if (stray.length > 0) failures.push(`${manifest.name}: tarball ships unexpected files: ${stray.join(', ')}`);
  }

  const app = join(work, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check-app', private: true, version: '0.0.0' }));
  say('installing the tarballs with express into a fresh app');
  // The type packages a TypeScript consumer has, at the versions this repository pins.
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const typesPins = ['@types/node', '@types/express'].map((name) => `${name}@${rootManifest.devDependencies[name]}`);
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', 'express@5.3.0', ...typesPins, ...tarballs],
    app,
  );

  for (const { manifest } of packages) {
    const probe = `
      const cjs = require(${JSON.stringify(manifest.name)});
      import(${JSON.stringify(manifest.name)}).then((esm) => {
        const a = Object.keys(cjs).sort().join(','), b = Object.keys(esm).filter((k) => k !== 'default').sort().join(',');
        if (a.length === 0) throw new Error('no exports');
        if (a !== b) throw new Error('CJS and ESM exports differ: ' + a + ' vs ' + b);
        process.stdout.write(a);
      });`;
    try {
      const exportsList = run('node', ['-e', probe], app);
      say(`${manifest.name}: require() and import() agree on ${exportsList.split(',').length} exports`);
    } catch (error) {
      failures.push(
        `${manifest.name}: could not be loaded from the installed tarball\n${error.stderr ?? error.message}`,
      );
    }
  }

  // A consumer project compiled strictly, skipLibCheck off: every declaration file we ship (and the
  // augmentations of Express's Request they bring: req.auth, req.id, req.log) must type-check, in
  // ESM (.mts) and CommonJS (.cts) resolution.
  const names = packages.map((p) => p.manifest.name);
  const imports = names.map((n, i) => `import * as p${i} from ${JSON.stringify(n)};`).join('\n');
  const uses = `export const loaded = [${names.map((_, i) => `p${i}`).join(', ')}].length;`;
  const handler =
    names.includes('@portcullis/auth') && names.includes('@portcullis/logging')
      ? `
// pino-http's own declarations of req.id / req.log must coexist with ours (apps often import it too).
import type {} from 'pino-http';
const app = express();
app.get('/', (req, res) => {
  const id: string | undefined = typeof req.id === 'string' ? req.id : undefined;
  req.log.info({ id, subject: req.auth?.subject }, 'handled');
  res.json({ id });
});
export { app };`
      : '';
  for (const ext of ['mts', 'cts'])
    writeFileSync(join(app, `consumer.${ext}`), `import express from 'express';\n${imports}\n${uses}\n${handler}\n`);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        esModuleInterop: true,
        exactOptionalPropertyTypes: true,
      },
      files: ['consumer.mts', 'consumer.cts'],
    }),
  );
  try {
    run(bin('tsc'), ['-p', join(app, 'tsconfig.json')], app);
    say(`a strict TypeScript consumer (ESM + CJS, skipLibCheck off) type-checks against ${names.length} packages`);
  } catch (error) {
    failures.push(
      `TypeScript consumer with skipLibCheck off does not type-check\n${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  for (const f of failures) process.stderr.write(`[check:packages] FAIL ${f}\n`);
  process.exit(1);
}
say(`ok: ${packages.length} packages`);
