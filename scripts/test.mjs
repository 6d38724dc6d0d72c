// `npm test`: formatting, lint, typecheck, every vitest project (JSON report for CI), then the packaging check.
// Runs every step even after a failure, and ends with the plain "N passed, N failed, N skipped" line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';

const root = resolve(import.meta.dirname, '..');
const report = resolve(root, 'reports/vitest.json');
mkdirSync(resolve(root, 'reports'), { recursive: true });
rmSync(report, { force: true });

const steps = [
  ['format', 'npx', ['prettier', '--check', '.']],
  ['lint', 'npx', ['eslint', '.']],
  ['typecheck', 'npx', ['tsc', '-b', 'tsconfig.json']],
  [
    'tests',
    'npx',
    [
      'vitest',
      'run',
      '--coverage',
      '--reporter=default',
      '--reporter=json',
      '--reporter=./scripts/asvs-reporter.mjs',
      `--outputFile.json=${report}`,
    ],
  ],
  ['packages', 'node', ['scripts/check-packages.mjs']],
];
const failed = [];
for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
}

process.stdout.write(`\n${failed.length === 0 ? 'all steps passed' : `failed steps: ${failed.join(', ')}`}\n`);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  process.stdout.write(
    `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`,
  );
} else {
  process.stdout.write('0 passed, 1 failed, 0 skipped\n');
}
process.exit(failed.length === 0 ? 0 : 1);
