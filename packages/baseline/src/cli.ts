#!/usr/bin/env node
// portcullis-check <module>: loads a module exporting an Express app and prints checkDeploy's findings; exit 1 on errors.
import { resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadSecurityConfig, type SecurityConfig } from '@portcullis/config';
import { checkDeploy } from './deploy.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function appFrom(mod: Record<string, unknown>): Promise<unknown> {
  const candidate = mod['app'] ?? mod['default'];
  if (typeof candidate === 'function' && typeof (candidate as { get?: unknown }).get === 'function') return candidate;
  const factory = mod['createApp'] ?? candidate;
  if (typeof factory === 'function') return await (factory as () => unknown)();
  return candidate;
}

/** Runs the check; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const target = argv[0];
  if (target === undefined || target === '--help' || target === '-h') {
    err('usage: portcullis-check <module exporting an Express app (default, app or createApp)>');
    return 2;
  }
  let config: SecurityConfig;
  try {
    config = loadSecurityConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      out('portcullis-check: the configuration is refused:');
      for (const p of error.problems) out(`  error  ${p.rule}  ${p.key}: ${p.message} (${p.hint})`);
      return 1;
    }
    throw error;
  }
  const mod = (await import(pathToFileURL(resolve(target)).href)) as Record<string, unknown>;
  const app = await appFrom(mod);
  const findings = checkDeploy(app, config);
  if (findings.length === 0) out('portcullis-check: no findings');
  for (const f of findings) {
    out(`  ${f.severity.padEnd(7)}${f.id}${f.asvs === undefined ? '' : ` [ASVS ${f.asvs}]`}: ${f.message}`);
    out(`         fix: ${f.fix}`);
    if (f.acknowledged !== undefined) out(`         acknowledged: ${f.acknowledged}`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`portcullis-check: ${error instanceof Error ? error.message : 'failed'}`);
    process.exitCode = 1;
  },
);
