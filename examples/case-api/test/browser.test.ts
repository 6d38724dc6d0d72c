// A real browser (Debian's chromium via playwright-core): a page from an allowed origin reads GET /cases,
// a page from a disallowed origin is blocked by the browser's CORS check.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env['CI'] === 'true')
    throw new Error(`${CHROMIUM} is missing and CI=true: install it (apt-get install -y chromium)`);
  process.stdout.write(`[case-api] ${CHROMIUM} not found: skipping the real-browser CORS test\n`);
}

function pageServer(): Promise<{ server: Server; origin: string }> {
  return new Promise((done) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>origin page</title><p>test page</p>');
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      done({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

const close = (server: Server) =>
  new Promise<void>((done) => {
    server.close(() => {
      done();
    });
  });

describe.skipIf(!available)('CORS in a real browser [ASVS V3.4.2]', () => {
  const database = testDatabases[0]!;
  let browser: Browser;
  let h: Harness;
  let allowed: { server: Server; origin: string };
  let disallowed: { server: Server; origin: string };
  let api: string;
  let token: string;

  beforeAll(async () => {
    [allowed, disallowed] = await Promise.all([pageServer(), pageServer()]);
    h = await startHarness(database, { ALLOWED_ORIGINS: allowed.origin });
    api = `http://127.0.0.1:${(h.server.address() as { port: number }).port}`;
    token = await h.token('browser-user', 't1', ['admin']);
    await h.seed('t1', { title: 'visible to the allowed page' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await Promise.all([close(allowed.server), close(disallowed.server)]);
  });

  async function fetchFrom(
    origin: string,
  ): Promise<{ ok: true; status: number; body: unknown } | { ok: false; error: string }> {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      return await page.evaluate(
        async ({ url, bearer }) => {
          try {
            const res = await fetch(url, { headers: { Authorization: `Bearer ${bearer}` } });
            return { ok: true as const, status: res.status, body: (await res.json()) as unknown };
          } catch (error) {
            return { ok: false as const, error: String(error) };
          }
        },
        { url: `${api}/cases`, bearer: token },
      );
    } finally {
      await page.close();
    }
  }

  it('a page from the allowed origin reads the JSON', async () => {
    const result = await fetchFrom(allowed.origin);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.status).toBe(200);
      expect(JSON.stringify(result.body)).toContain('visible to the allowed page');
    }
  });

  it('a page from a disallowed origin is blocked by the browser (fetch rejects, nothing readable)', async () => {
    const result = await fetchFrom(disallowed.origin);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('TypeError');
    // The browser's preflight was refused, so the real request never reached the route.
    expect(h.logs()).toContain('"method":"OPTIONS"');
  });
});
