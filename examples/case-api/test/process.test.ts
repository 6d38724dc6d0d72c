// The real entry points as child processes: production refusal, the development start, the token CLI.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { generateFileName } from '@portcullis/paths';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevKeys } from '../src/devkeys.js';

const root = resolve(import.meta.dirname, '..');
const tsx = resolve(root, '../../node_modules/.bin/tsx');

/** A clean environment: nothing inherited from vitest (which sets NODE_ENV=test). */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...extra };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  script: string,
  args: string[],
  env: Record<string, string>,
  until?: (stdout: string) => boolean,
): Promise<
  Run & {
    kill: () => void;
    output: () => string;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  }
> {
  return new Promise((done) => {
    const child = spawn(tsx, ['--conditions=@portcullis/source', script, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const kill = () => {
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    };
    const output = () => stdout;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
      child.on('exit', (code, signal) => {
        resolveExit({ code, signal });
      });
    });
    // A guard against a hung child, not a timing assertion: three tsx starts in parallel on a loaded
    // 2-core machine take 15 s and more.
    const timer = setTimeout(() => {
      kill();
    }, 40_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      if (!settled && until?.(stdout) === true) {
        settled = true;
        done({ code: null, stdout, stderr, kill, output, exited });
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        done({ code, stdout, stderr, kill, output, exited });
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => {
        done(port);
      });
    });
  });
}

const SAFE_PRODUCTION = {
  NODE_ENV: 'production',
  JWT_ISSUER: 'https://issuer.example',
  JWT_AUDIENCE: 'case-api',
  JWT_ALGORITHMS: 'ES256',
  // Loopback, nothing listening (port 9, discard): main() loads the key set at start, and a test must
  // never reach outside the machine. The fetch is refused at once.
  JWKS_URI: 'https://127.0.0.1:9/.well-known/jwks.json',
  ALLOWED_ORIGINS: 'https://app.example.com',
};

describe('process entry points', { timeout: 60_000 }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'case-api-proc-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to start in production with an unsafe configuration, listing the rule ids', async () => {
    const [wildcard, noJwks, unset] = await Promise.all([
      run('src/main.ts', [], cleanEnv({ ...SAFE_PRODUCTION, ALLOWED_ORIGINS: '*', DATA_DIR: dataDir })),
      // Without JWKS_URI; the development flag of `npm start` never overrides an explicit NODE_ENV=production.
      run('src/main.ts', ['--default-profile', 'development'], cleanEnv({ NODE_ENV: 'production', DATA_DIR: dataDir })),
      // Neither NODE_ENV nor APP_ENV: production (fail closed) even for the dev defaults.
      run('src/main.ts', [], cleanEnv({ DATA_DIR: dataDir })),
    ]);
    expect(wildcard.code).not.toBe(0);
    expect(wildcard.code).not.toBeNull();
    expect(wildcard.stderr).toContain('refusing to start');
    expect(wildcard.stderr).toContain('SEC_CORS_WILDCARD');
    for (const r of [noJwks, unset]) {
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      for (const id of [
        'CASE_API_JWKS_REQUIRED',
        'SEC_JWT_ISSUER_MISSING',
        'SEC_JWT_AUDIENCE_MISSING',
        'SEC_JWT_ALG_MISSING',
      ]) {
        expect(r.stderr).toContain(id);
      }
      expect(r.stdout).not.toContain('listening');
    }
  });

  it('starts in production with a safe configuration (JWKS_URI, https origins)', async () => {
    const port = await freePort();
    const r = await run(
      'src/main.ts',
      [],
      cleanEnv({ ...SAFE_PRODUCTION, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }),
      (out) => out.includes('case-api listening'),
    );
    try {
      expect(r.code).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const unauth = await fetch(`http://127.0.0.1:${port}/cases`);
      expect(unauth.status).toBe(401);
      expect(r.stdout).not.toContain('npm run token');
    } finally {
      r.kill();
    }
  });

  it('npm start (development profile by flag) generates a 0600 key, prints the URL and how to get a token', async () => {
    const port = await freePort();
    const dir = join(dataDir, 'fresh');
    const r = await run(
      'src/main.ts',
      ['--default-profile', 'development'],
      cleanEnv({ DATA_DIR: dir, PORT: String(port) }),
      (out) => out.includes('npm run token'),
    );
    try {
      expect(r.stdout).toContain(`http://127.0.0.1:${port}`);
      expect(r.stdout).toContain('npm run token -- --sub u1 --tenant t1 --role reviewer');
      const key = await stat(join(dir, 'dev-signing-key.json'));
      expect(key.mode & 0o777).toBe(0o600);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);

      const token = await run(
        'src/token.ts',
        ['--sub', 'u1', '--tenant', 't1', '--role', 'reviewer', '--ttl', '60'],
        cleanEnv({ DATA_DIR: dir }),
      );
      expect(token.code).toBe(0);
      const jwt = token.stdout.trim();
      const { keys } = await loadOrCreateDevKeys(dir);
      const verified = await jwtVerify(jwt, await importJWK(keys.jwks.keys[0]!, 'ES256'), {
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
        typ: 'at+jwt',
      });
      expect(verified.payload).toMatchObject({ sub: 'u1', tenant_id: 't1', roles: ['reviewer'] });
      expect((verified.payload.exp ?? 0) - (verified.payload.iat ?? 0)).toBe(60);

      const res = await fetch(`http://127.0.0.1:${port}/cases`, { headers: { Authorization: `Bearer ${jwt}` } });
      expect(res.status).toBe(200);
    } finally {
      r.kill();
    }
  });

  it("starts when the issuer's key set cannot be fetched, logs it, and fails closed (503 + Retry-After) for bearer requests", async () => {
    const port = await freePort();
    const r = await run(
      'src/main.ts',
      [],
      cleanEnv({ ...SAFE_PRODUCTION, DATA_DIR: join(dataDir, 'no-jwks'), PORT: String(port), HOST: '127.0.0.1' }),
      (out) => out.includes('case-api listening'),
    );
    try {
      expect(r.code).toBeNull();
      expect(r.stdout).toContain('"msg":"key set not loaded at start; requests get 503 until it loads"');
      const { privateKey } = await generateKeyPair('ES256');
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({ tenant_id: 't1', roles: ['reviewer'], client_id: 'c1' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
        .setIssuer(SAFE_PRODUCTION.JWT_ISSUER)
        .setAudience(SAFE_PRODUCTION.JWT_AUDIENCE)
        .setSubject('u1')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setJti('j1')
        .sign(privateKey);
      const res = await fetch(`http://127.0.0.1:${port}/cases`, { headers: { Authorization: `Bearer ${jwt}` } });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { code: string }).code).toBe('unavailable');
    } finally {
      r.kill();
    }
  });

  it('refuses to start with a retention setting out of range, naming the variable', async () => {
    const r = await run(
      'src/main.ts',
      ['--default-profile', 'development'],
      cleanEnv({ DATA_DIR: join(dataDir, 'ttl'), IDEMPOTENCY_TTL_SEC: '10', EXPORT_TTL_SEC: '999999999' }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CONFIG_INVALID (IDEMPOTENCY_TTL_SEC): must be at least 60');
    expect(r.stderr).toContain('CONFIG_INVALID (EXPORT_TTL_SEC): must be at most 604800');
    expect(r.stdout).not.toContain('listening');
  });

  it('the retention sweeper runs at start (an expired export file is deleted, a fresh one kept) and SIGTERM stops it: exit 0', async () => {
    const port = await freePort();
    const dir = join(dataDir, 'retention');
    await mkdir(join(dir, 'exports'), { recursive: true, mode: 0o700 });
    const stale = generateFileName('.csv');
    const fresh = generateFileName('.csv');
    await writeFile(join(dir, 'exports', stale), 'id\r\n', { mode: 0o600 });
    await writeFile(join(dir, 'exports', fresh), 'id\r\n', { mode: 0o600 });
    const old = (Date.now() - 120_000) / 1000;
    await utimes(join(dir, 'exports', stale), old, old);
    const r = await run(
      'src/main.ts',
      ['--default-profile', 'development'],
      cleanEnv({ DATA_DIR: dir, PORT: String(port), EXPORT_TTL_SEC: '60' }),
      (out) => out.includes('npm run token') && out.includes('"retention sweep"'),
    );
    try {
      expect(r.code).toBeNull();
      expect(r.stdout).toContain('"msg":"retention sweeper started"');
      expect(r.stdout).toContain('"intervalMs":15000');
      expect(await readdir(join(dir, 'exports'))).toEqual([fresh]);
      r.kill();
      const exit = await r.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(r.output()).toContain('"msg":"retention sweeper stopped"');
    } finally {
      r.kill();
    }
  });

  it('the token CLI refuses a token without a role (usage line, exit 2)', async () => {
    const r = await run(
      'src/token.ts',
      ['--sub', 'u1', '--tenant', 't1', '--ttl', '99999'],
      cleanEnv({ DATA_DIR: join(dataDir, 'cli') }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: npm run token');
    expect(r.stdout).toBe('');
  });
});
