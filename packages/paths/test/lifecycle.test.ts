// sendSafeFile never crashes the process and never leaks a handle: responses taken over or abandoned while a file is open.
import { existsSync, readdirSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { rename, truncate, unlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import type { Express, NextFunction, Request, Response } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { sendSafeFile } from '@portcullis/paths';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { makeTree, REPORT_CSV, type Tree } from './fixture.js';

// Every handle sendSafeFile opens goes through this open(), so the test can see it and hold it.
const probe = vi.hoisted(() => ({
  handles: [] as FileHandle[],
  /** When set, open() waits for it after opening: the window in which the response is taken over. */
  hold: undefined as (() => Promise<void>) | undefined,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof actual.open>): Promise<FileHandle> => {
    const handle = await actual.open(...args);
    probe.handles.push(handle);
    const hold = probe.hold;
    if (hold !== undefined) await hold();
    return handle;
  };
  return { ...actual, default: { ...actual, open }, open };
});

const BIG_SIZE = 1024 * 1024; // several read-stream chunks: a stream into a dead response stalls instead of ending
let tree: Tree;
let big: Buffer;
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason);
};

beforeAll(async () => {
  tree = await makeTree();
  big = Buffer.alloc(BIG_SIZE, 'x');
  await writeFile(path.join(tree.base, 'big.csv'), big);
  process.on('unhandledRejection', onRejection);
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await tree.cleanup();
});
afterEach(() => {
  probe.hold = undefined;
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request on its own connection (no agent: no keep-alive socket survives the test). */
function get(port: number, url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(app: Express): Promise<{ server: http.Server; port: number; sockets: net.Socket[] }> {
  const server = http.createServer(app);
  // Long enough that a response left hanging shows as a test timeout, not as a keep-alive close.
  server.keepAliveTimeout = 60_000;
  const sockets: net.Socket[] = [];
  server.on('connection', (s: net.Socket) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

interface Streamed {
  status: number;
  announced: number;
  body: Buffer;
  /** Whether the whole message arrived (false: the connection was cut). */
  complete: boolean;
}

/**
 * GETs a file, pauses as soon as the headers are in (the server is then mid-stream, held back by
 * the socket), runs `meanwhile`, then reads to the end or to the cut.
 */
function getWhile(port: number, url: string, meanwhile: () => Promise<void>): Promise<Streamed> {
  // Keep-alive: a response that ends short of its Content-Length would leave this client waiting
  // for the rest, so only a cut connection lets the test finish.
  const agent = new http.Agent({ keepAlive: true });
  return new Promise<Streamed>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, agent }, (res) => {
      res.pause();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('close', () => {
        resolve({
          status: res.statusCode ?? 0,
          announced: Number(res.headers['content-length']),
          body: Buffer.concat(chunks),
          complete: res.complete,
        });
      });
      meanwhile().then(() => res.resume(), reject);
    });
    req.on('error', reject);
    req.end();
  }).finally(() => {
    agent.destroy();
  });
}

/** Polls (no fixed sleep) until `check` holds or `ms` have passed; returns whether it held. */
async function eventually(check: () => boolean, ms = 1000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

const allClosed = (): boolean => probe.handles.every((h) => h.fd === -1);
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe.each(expressFlavours)('sendSafeFile lifecycle on $name [ASVS V16.5.3]', (flavour) => {
  let server: http.Server;
  let port: number;
  let sockets: net.Socket[];
  // The deadline's timer, cut short by the test at the moment open() is in progress.
  let expireDeadline: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    const app = buildApp(flavour, (a) => {
      // A request deadline that answers 503 itself while the file is still being opened.
      a.get('/deadline/:name', (_req: Request, res: Response, next: NextFunction) => {
        const answer = (): void => {
          clearTimeout(timer);
          if (!res.headersSent) res.status(503).json({ code: 'deadline' });
        };
        const timer = setTimeout(answer, 10_000);
        expireDeadline = () =>
          new Promise((resolve) => {
            res.once('finish', () => {
              resolve();
            });
            answer();
          });
        next();
      });
      a.get('/deadline/:name', sendSafeFile(tree.base));
      // A handler that has already responded and still calls next().
      a.get(
        '/early/:name',
        (_req: Request, res: Response, next: NextFunction) => {
          res.status(204).end();
          next();
        },
        sendSafeFile(tree.base),
      );
      a.get('/files/:name', sendSafeFile(tree.base));
      a.use(errorHandler());
    });
    ({ server, port, sockets } = await listen(app));
  });
  afterAll(async () => {
    await close(server);
  });

  async function expectStillServing(): Promise<void> {
    const again = await get(port, '/files/report.csv');
    expect(again.status).toBe(200);
    expect(again.body.toString()).toBe(REPORT_CSV);
    expect(await eventually(allClosed)).toBe(true);
  }

  it('survives a deadline middleware that answers while the file is being opened, and closes the handle', async () => {
    probe.handles.length = 0;
    probe.hold = () => expireDeadline();
    const res = await get(port, '/deadline/big.csv');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 'deadline' });
    expect(probe.handles).toHaveLength(1);
    expect(await eventually(allClosed)).toBe(true);
    probe.hold = undefined;
    await expectStillServing();
    expect(rejections).toEqual([]);
  });

  it('survives a handler that called res.end() before sendSafeFile, opening nothing', async () => {
    probe.handles.length = 0;
    const res = await get(port, '/early/big.csv');
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expect(probe.handles).toHaveLength(0);
    await expectStillServing();
    expect(rejections).toEqual([]);
  });

  it('survives a client that resets the connection while the file is being opened, and closes the handle', async () => {
    probe.handles.length = 0;
    const before = sockets.length;
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise<void>((resolve) =>
      client.once('connect', () => {
        resolve();
      }),
    );
    probe.hold = async () => {
      // Reset from the client side, then let open() return only once the server saw the connection die.
      const serverSide = sockets[before];
      client.resetAndDestroy();
      if (serverSide !== undefined && !serverSide.destroyed) {
        await new Promise<void>((resolve) =>
          serverSide.once('close', () => {
            resolve();
          }),
        );
      }
    };
    client.write('GET /files/big.csv HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(await eventually(() => probe.handles.length === 1)).toBe(true);
    expect(await eventually(allClosed)).toBe(true);
    probe.hold = undefined;
    await expectStillServing();
    expect(rejections).toEqual([]);
  });

  it('closes the handle of every answer without a body: HEAD, 304, 412, 416', async () => {
    probe.handles.length = 0;
    const head = await new Promise<number>((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port, path: '/files/big.csv', method: 'HEAD', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject)
        .end();
    });
    expect(head).toBe(200);
    const etag = String((await get(port, '/files/report.csv')).headers['etag']);
    const conditional = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        http
          .request({ host: '127.0.0.1', port, path: '/files/report.csv', headers, agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject)
          .end();
      });
    expect(await conditional({ 'If-None-Match': etag })).toBe(304);
    expect(await conditional({ 'If-Match': '"stale"' })).toBe(412);
    expect(await conditional({ Range: 'bytes=999-' })).toBe(416);
    expect(probe.handles).toHaveLength(5);
    expect(await eventually(allClosed)).toBe(true);
  });

  it('cuts the connection, without a 500 or a hang, when the file is truncated while streaming', async () => {
    const file = path.join(tree.base, 'shrinking.csv');
    await writeFile(file, '');
    await truncate(file, 64 * 1024 * 1024); // sparse: far more than the socket buffers hold
    const res = await getWhile(port, '/files/shrinking.csv', () => truncate(file, 1000));
    expect(res.status).toBe(200);
    expect(res.announced).toBe(64 * 1024 * 1024);
    expect(res.complete).toBe(false);
    expect(res.body.length).toBeLessThan(res.announced);
    await expectStillServing();
    expect(rejections).toEqual([]);
  });

  it.each([
    [
      'replaced (renamed over)',
      (file: string) => writeFile(`${file}.new`, 'y'.repeat(BIG_SIZE * 8)).then(() => rename(`${file}.new`, file)),
    ],
    ['deleted', (file: string) => unlink(file)],
  ])('finishes the download from the open handle when the file is %s while streaming', async (_title, mutate) => {
    const file = path.join(tree.base, 'moving.csv');
    const original = Buffer.alloc(BIG_SIZE * 8, 'm');
    await writeFile(file, original);
    const res = await getWhile(port, '/files/moving.csv', () => mutate(file));
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.body.equals(original)).toBe(true);
    await expectStillServing();
  });

  it.skipIf(!existsSync('/proc/self/fd'))(
    'leaks no descriptor when 500 clients reset right after the request line',
    async () => {
      // Warm up: the first request may open lazily created descriptors that then stay.
      expect((await get(port, '/files/big.csv')).body.equals(big)).toBe(true);
      expect(await eventually(allClosed)).toBe(true);
      const baseline = openFds();
      probe.handles.length = 0;
      const head = 'GET /files/big.csv HTTP/1.1\r\nHost: localhost\r\n\r\n';
      const one = (): Promise<void> =>
        new Promise((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.write(head, () => {
              socket.resetAndDestroy();
              resolve();
            });
          });
          socket.on('error', () => {
            resolve();
          });
        });
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(Array.from({ length: 25 }, one));
        // Pace the load to what the server accepts (it has seen every reset so far), so the final
        // one-second bound measures cleanup, not a backlog of unaccepted connections.
        await eventually(() => sockets.every((s) => s.destroyed), 10_000);
      }
      const settled = await eventually(() => openFds() <= baseline && allClosed(), 1000);
      expect({ settled, open: openFds(), baseline }).toEqual({ settled: true, open: expect.any(Number), baseline });
      expect(openFds()).toBeLessThanOrEqual(baseline);
      // Proof the attack reached the handler: handles were opened, and every one of them is closed.
      expect(probe.handles.length).toBeGreaterThan(0);
      expect(probe.handles.filter((h) => h.fd !== -1)).toHaveLength(0);
      await expectStillServing();
      expect(rejections).toEqual([]);
    },
  );
});
