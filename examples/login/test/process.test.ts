// The real entry point as a child process: the development start on embedded defaults, the production refusal.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const tsx = resolve(root, '../../node_modules/.bin/tsx');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        done(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

/** Runs src/main.ts with a clean environment (nothing from vitest) until `until` matches stdout or it exits. */
function start(env: Record<string, string>, until: RegExp) {
  const child = spawn(tsx, ['--conditions=@portcullis/source', 'src/main.ts', '--default-profile', 'development'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      done(code);
    }),
  );
  const ready = new Promise<void>((done) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      if (until.test(stdout)) done();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    void exited.then(() => {
      done();
    });
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
  void exited.then(() => {
    clearTimeout(timer);
  });
  return { ready, exited, stop: () => child.kill('SIGTERM'), output: () => ({ stdout, stderr }) };
}

describe('src/main.ts', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'login-process-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on embedded defaults (development profile, SQLite) and serves a login end to end', async () => {
    const port = await freePort();
    const run = start({ DATA_DIR: dataDir, PORT: String(port) }, /listening on/);
    try {
      await run.ready;
      expect(run.output().stdout).toContain(
        `login (development profile, sqlite) listening on http://localhost:${port}`,
      );
      const base = `http://127.0.0.1:${port}`;
      const body = JSON.stringify({ email: 'ada@example.com', password: 'a long passphrase' });
      const headers = { 'content-type': 'application/json' };
      expect((await fetch(`${base}/register`, { method: 'POST', headers, body })).status).toBe(202);
      const login = await fetch(`${base}/login`, { method: 'POST', headers, body });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^__Host-session=/);
      expect((await fetch(`${base}/me`, { headers: { cookie } })).status).toBe(200);
      expect((await stat(join(dataDir, 'login.sqlite'))).mode & 0o777).toBe(0o600);
    } finally {
      run.stop();
      expect(await run.exited).toBe(0);
    }
  });

  it('refuses to start in production without the required settings, listing them', async () => {
    const run = start({ NODE_ENV: 'production', DATA_DIR: dataDir }, /never/);
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toMatch(/login: refusing to start \(\d+ problem\(s\)\)/);
    expect(run.output().stderr).toContain('JWT_ISSUER');
  });
});
