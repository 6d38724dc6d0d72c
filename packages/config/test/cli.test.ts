// portcullis-config check: exit codes and output, in-process and as a spawned process with a controlled environment.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { SAFE_HS, SENTINEL_DB, SENTINEL_JWT, SENTINEL_REDIS, withEnv } from './fixtures.js';
import type { Env } from '@portcullis/config';

function run(args: string[], env: Env): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, env, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

const root = resolve(import.meta.dirname, '../../..');

function spawnCli(args: string[], env: Env): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    join(root, 'node_modules/.bin/tsx'),
    ['--conditions=@portcullis/source', 'packages/config/src/cli.ts', ...args],
    {
      cwd: root,
      // Only PATH from the outside: the check must depend on nothing but the given variables.
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 15_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('runCli (in-process)', () => {
  it('prints the redacted summary and exits 0 for a safe production environment', () => {
    const { code, stdout, stderr } = run(['check'], SAFE_HS);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^portcullis-config: configuration OK\nprofile: production\n/);
    expect(stdout).toMatch(/JWT_SECRET\s+\[redacted\]/);
    for (const s of [SENTINEL_JWT, SENTINEL_DB, SENTINEL_REDIS]) expect(stdout).not.toContain(s);
  });

  it('prints every problem and exits 1 for an unsafe production environment', () => {
    const { code, stdout, stderr } = run(['check'], withEnv(SAFE_HS, { DEBUG: 'true', JWT_SECRET: 'changeme' }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('refusing to start: 3 configuration problems (profile "production")');
    expect(stderr).toContain('DEBUG [SEC_DEBUG_ON]');
    expect(stderr).toContain('JWT_SECRET [SEC_JWT_SECRET_WEAK]');
    expect(stderr).toContain('JWT_SECRET [SEC_SECRET_PUBLISHED]');
    expect(stderr).not.toContain('changeme');
  });

  it('exits 0 with warnings listed in development', () => {
    const { code, stdout } = run(['check'], withEnv(SAFE_HS, { NODE_ENV: 'development', DEBUG: 'true' }));
    expect(code).toBe(0);
    expect(stdout).toContain('warnings (1):');
    expect(stdout).toContain('[SEC_DEBUG_ON]');
  });

  it.each([
    [[], /missing command/],
    [['verify'], /unknown arguments/],
    [['check', '--extra'], /unknown arguments/],
  ])('exits 2 with usage for %j', (args, message) => {
    const { code, stderr } = run(args, SAFE_HS);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: portcullis-config check');
  });

  it('prints usage and exits 0 for --help', () => {
    const { code, stdout } = run(['--help'], {});
    expect(code).toBe(0);
    expect(stdout).toContain('usage: portcullis-config check');
  });

  it('exits 1 without echoing anything when loading fails unexpectedly', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error(`boom ${SENTINEL_JWT}`);
        },
      },
    );
    const { code, stderr } = run(['check'], hostile);
    expect(code).toBe(1);
    expect(stderr).toBe('portcullis-config: unexpected failure while checking the configuration\n');
  });
});

describe('portcullis-config (spawned)', () => {
  it('exits 0 and prints the summary for a safe environment', () => {
    const { code, stdout } = spawnCli(['check'], SAFE_HS);
    expect(code).toBe(0);
    expect(stdout).toContain('configuration OK');
    expect(stdout).not.toContain(SENTINEL_JWT);
    expect(stdout).not.toContain(SENTINEL_DB);
  });

  it('exits 1 and lists the problems when NODE_ENV is missing (production) and the config is empty', () => {
    const { code, stdout, stderr } = spawnCli(['check'], {});
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('(profile "production")');
    expect(stderr).toContain('[SEC_JWT_ISSUER_MISSING]');
    expect(stderr).toContain('[SEC_JWT_AUDIENCE_MISSING]');
    expect(stderr).toContain('[SEC_JWT_ALG_MISSING]');
  });
});
