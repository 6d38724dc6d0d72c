// A Redis this test owns is hung (SIGSTOP), killed (SIGKILL) and started late: requests never hang and never pass unlimited in "deny" mode.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimit, redisStore } from '@portcullis/ratelimit';
import { expressFlavours } from '../../../test-support/express.js';
import { limitedApp, recordingLogger } from './helpers.js';

const [flavour] = expressFlavours;
const TIMEOUT_MS = 200;
const processes: ChildProcess[] = [];
const clients: Redis[] = [];
let available = true;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      done(data.toString().startsWith('+PONG'));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  // No shell: the arguments go to redis-server as they are.
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  // A missing binary is reported through 'error'; the ping loop below then gives up.
  child.once('error', () => undefined);
  processes.push(child);
  for (let i = 0; i < 100; i += 1) {
    if (await ping(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on ${port}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
}

function client(port: number): Redis {
  const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

/**
 * Polls until the app answers 200 (recovery), or gives up after `ms`. Each poll uses a fresh key:
 * a command queued by ioredis during the outage may still run (and count) once Redis is back.
 */
async function until200(app: Parameters<typeof request>[0], ms: number): Promise<request.Response> {
  const deadline = Date.now() + ms;
  let attempt = 0;
  let res = await request(app).get('/').set('X-Key', `poll-${attempt}`);
  while (res.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    attempt += 1;
    res = await request(app).get('/').set('X-Key', `poll-${attempt}`);
  }
  return res;
}

/** Buckets by the X-Key header, so each phase of a test can use a fresh counter. */
const byHeader = (req: { headers: Record<string, string | string[] | undefined> }): string => {
  const value = req.headers['x-key'];
  return typeof value === 'string' ? value : 'first';
};

let port = 0;
let server: ChildProcess | undefined;

beforeAll(async () => {
  try {
    port = await freePort();
    server = await startRedis(port);
  } catch {
    available = false;
    process.stdout.write('[portcullis] redis-server is not available: skipping the store failure tests\n');
  }
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(processes.map(stop));
});

describe(`redis store failure on ${flavour?.name ?? 'express'}`, () => {
  it('deny: a hung Redis (SIGSTOP) answers 503 within about storeTimeoutMs, and recovers on SIGCONT', async (ctx) => {
    if (!available || server === undefined || flavour === undefined) return ctx.skip();
    const app = limitedApp(
      flavour,
      rateLimit({
        name: 'deny',
        windowMs: 60_000,
        limit: 100,
        storeTimeoutMs: TIMEOUT_MS,
        store: redisStore(client(port)),
      }),
    );
    expect((await request(app).get('/')).status).toBe(200);
    server.kill('SIGSTOP');
    try {
      const started = Date.now();
      const res = await request(app).get('/');
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('unavailable');
      expect(res.headers['retry-after']).toBe('5');
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 600);
    } finally {
      server.kill('SIGCONT');
    }
    const recovered = await until200(app, 3000);
    expect(recovered.status).toBe(200);
    expect(recovered.headers['ratelimit']).toMatch(/^"deny"; r=\d+; t=\d+$/);
  });

  it('allow: a hung Redis lets requests pass, logged once, and limits again after SIGCONT', async (ctx) => {
    if (!available || server === undefined || flavour === undefined) return ctx.skip();
    const logger = recordingLogger();
    const app = limitedApp(
      flavour,
      rateLimit({
        name: 'allow',
        windowMs: 60_000,
        limit: 100,
        storeTimeoutMs: TIMEOUT_MS,
        dangerouslyAllowOnStoreError: true,
        logger,
        store: redisStore(client(port)),
      }),
    );
    expect((await request(app).get('/')).status).toBe(200);
    server.kill('SIGSTOP');
    try {
      for (let i = 0; i < 2; i += 1) {
        const started = Date.now();
        const res = await request(app).get('/');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ok: true });
        expect(res.headers['ratelimit']).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 600);
      }
    } finally {
      server.kill('SIGCONT');
    }
    expect(logger.lines.filter((l) => l.msg === 'rate limit store failed: requests pass without a limit')).toHaveLength(
      1,
    );
    const recovered = await until200(app, 3000);
    expect(recovered.headers['ratelimit']).toMatch(/^"allow"; r=\d+; t=\d+$/);
  });

  it('deny: a killed Redis (SIGKILL) answers 503; a new Redis on the port brings the limit back', async (ctx) => {
    if (!available || server === undefined || flavour === undefined) return ctx.skip();
    const app = limitedApp(
      flavour,
      rateLimit({
        name: 'killed',
        windowMs: 60_000,
        limit: 2,
        key: byHeader,
        storeTimeoutMs: TIMEOUT_MS,
        store: redisStore(client(port)),
      }),
    );
    expect((await request(app).get('/')).status).toBe(200);
    await stop(server);
    const started = Date.now();
    const res = await request(app).get('/');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 600);
    server = await startRedis(port);
    // The new server has neither the counts nor the Lua script: the store must load it again.
    const recovered = await until200(app, 6000);
    expect(recovered.status).toBe(200);
    expect((await request(app).get('/').set('X-Key', 'after')).status).toBe(200);
    expect((await request(app).get('/').set('X-Key', 'after')).status).toBe(200);
    const limited = await request(app).get('/').set('X-Key', 'after');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  });

  it('deny: a Redis that is down at startup denies until it comes up, then limits', async (ctx) => {
    if (!available || flavour === undefined) return ctx.skip();
    const latePort = await freePort();
    const app = limitedApp(
      flavour,
      rateLimit({
        name: 'late',
        windowMs: 60_000,
        limit: 1,
        key: byHeader,
        storeTimeoutMs: TIMEOUT_MS,
        store: redisStore(client(latePort)),
      }),
    );
    const res = await request(app).get('/');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('unavailable');
    // Let the startup script load fail for good before Redis appears.
    await new Promise((r) => setTimeout(r, 400));
    await startRedis(latePort);
    const recovered = await until200(app, 8000);
    expect(recovered.status).toBe(200);
    expect((await request(app).get('/').set('X-Key', 'after')).status).toBe(200);
    const limited = await request(app).get('/').set('X-Key', 'after');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  });
});
