// Smoke test of the benchmark harness: every variant starts in its own process, answers the benchmark
// request with 200 and the expected JSON, and sustains a one-second autocannon load without a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, startServer, stopServer, type RunningServer } from '../src/harness.js';
import { CASE, PATH, TokenRotation, VARIANTS, makeKeys, requestHeaders, type Keys } from '../src/shared.js';

let server: RunningServer | undefined;
let keys: Keys;

// One child serves every variant, one port each (the benchmark forks one child per variant; starting
// eleven tsx children would take most of this file's time budget).
beforeAll(async () => {
  // A few users each: enough to prove the rotation, quick to sign.
  keys = await makeKeys({ es256: 20, hs256: 20 });
  server = await startServer(VARIANTS.map((v) => v.name).join(','), keys.material);
}, 60_000);

afterAll(async () => {
  if (server !== undefined) await stopServer(server);
});

function portOf(name: string): number {
  const port = server?.ports[name];
  if (port === undefined) throw new Error(`no server for ${name}`);
  return port;
}

describe('benchmark variants', () => {
  for (const variant of VARIANTS) {
    it(`(${variant.id}) ${variant.name} answers 200 with the case JSON under a 1 s load`, async () => {
      const port = portOf(variant.name);
      const tokens = keys.tokens[variant.token];
      const res = await fetch(`http://127.0.0.1:${port}${PATH}`, { headers: requestHeaders(tokens[0] ?? '') });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(CASE);

      const result = await load(port, new TokenRotation(tokens), 1);
      expect(result.failures).toBe(0);
      expect(result.total).toBeGreaterThan(0);
    });
  }

  it('(b) rejects the request without a token, so the benchmark measures a real check', async () => {
    const res = await fetch(`http://127.0.0.1:${portOf('portcullis')}${PATH}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
  });

  it.each(['portcullis-cache', 'portcullis-hs256-cache'])(
    '(%s) still rejects a tampered token after the valid one was cached',
    async (name) => {
      const token = (name === 'portcullis-cache' ? keys.tokens.es256[0] : keys.tokens.hs256[0]) ?? '';
      const port = portOf(name);
      expect((await fetch(`http://127.0.0.1:${port}${PATH}`, { headers: requestHeaders(token) })).status).toBe(200);
      const [h, p] = token.split('.') as [string, string, string];
      const forged = `${h}.${p}.${'A'.repeat(token.split('.')[2]?.length ?? 43)}`;
      const res = await fetch(`http://127.0.0.1:${port}${PATH}`, { headers: requestHeaders(forged) });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('invalid_token');
    },
  );

  it('(c) rejects the request without a token, so the benchmark measures a real check', async () => {
    const res = await fetch(`http://127.0.0.1:${portOf('peer')}${PATH}`);
    expect(res.status).toBe(401);
  });

  it('(b) answers with the allowed origin and the security headers', async () => {
    const res = await fetch(`http://127.0.0.1:${portOf('portcullis')}${PATH}`, {
      headers: requestHeaders(keys.tokens.es256[0] ?? ''),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
