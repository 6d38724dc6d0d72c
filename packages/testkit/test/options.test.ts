// Options are checked at creation: unknown keys, wrong types and non-loopback targets throw the one option-error format.
import { describe, expect, it } from 'vitest';
import { createTestIssuer, isLoopbackHost, runAttacks, startTarget, type Target } from '../src/index.js';
import { describeAttacks } from '../src/vitest.js';

const fakeTarget = {
  baseUrl: 'http://127.0.0.1:1',
  request: () => Promise.reject(new Error('x')),
  close: () => Promise.resolve(),
} as Target;

describe('startTarget', () => {
  it.each(['http://example.com', 'http://10.0.0.1:3000', 'http://[2001:db8::1]/', 'http://127.0.0.1.nip.io'])(
    'refuses the non-loopback target %s without dangerouslyAllowRemoteTarget',
    async (url) => {
      await expect(startTarget(url)).rejects.toThrow(/@portcullis\/testkit: "target" is not a loopback address/);
    },
  );
  it.each(['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9/api'])(
    'accepts the loopback target %s',
    async (url) => {
      const target = await startTarget(url);
      expect(target.baseUrl.startsWith('http://')).toBe(true);
      await target.close();
    },
  );
  it('accepts a remote target only with dangerouslyAllowRemoteTarget: true', async () => {
    const target = await startTarget('http://example.com', Object.freeze({ dangerouslyAllowRemoteTarget: true }));
    expect(target.baseUrl).toBe('http://example.com');
  });
  it.each([
    [{ timeoutMs: 0 }, /"timeoutMs"/],
    [{ timeoutMs: '10' }, /"timeoutMs"/],
    [{ dangerouslyAllowRemoteTarget: 'yes' }, /"dangerouslyAllowRemoteTarget"/],
    [{ timeout: 5 }, /unknown|timeoutMs/],
  ])('refuses the options %j', async (options, message) => {
    await expect(startTarget('http://127.0.0.1:9', options as never)).rejects.toThrow(message);
  });
  it.each([null, 42, {}, 'ftp://127.0.0.1/', 'not a url'])('refuses %j as a target', async (value) => {
    await expect(startTarget(value as never)).rejects.toThrow(/@portcullis\/testkit: "target"/);
  });
  it('sends duplicate headers and raw paths exactly as given', async () => {
    const { createServer } = await import('node:http');
    let seen: { url: string | undefined; raw: string[] } = { url: undefined, raw: [] };
    const server = createServer((req, res) => {
      seen = { url: req.url, raw: req.rawHeaders };
      res.end('ok');
    });
    const target = await startTarget(server);
    try {
      const res = await target.request({
        path: '/a/..%2f..\\b/%2e%2e',
        headers: [
          ['X-Dup', '1'],
          ['X-Dup', '2'],
          ['Origin', 'https://\u00e9.example'],
        ],
      });
      expect(res.status).toBe(200);
      expect(seen.url).toBe('/a/..%2f..\\b/%2e%2e');
      expect(seen.raw.filter((v, i) => seen.raw[i - 1] === 'X-Dup')).toEqual(['1', '2']);
      expect(seen.raw).toContain(Buffer.from('https://\u00e9.example', 'latin1').toString('latin1'));
    } finally {
      await target.close();
    }
  });
  it('tells loopback hosts apart', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['10.0.0.1', 'example.com', '::2', '128.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});

describe('createTestIssuer', () => {
  it.each([
    [{ issuer: '', audience: 'a' }, /"issuer"/],
    [{ issuer: 'i', audience: 3 }, /"audience"/],
    [{ issuer: 'i', audience: 'a', algorithms: ['HS256'] }, /"algorithms"/],
    [{ issuer: 'i', audience: 'a', algorithms: [] }, /"algorithms"/],
    [{ issuer: 'i', audience: 'a', slowMs: -1 }, /"slowMs"/],
    [{ issuer: 'i', audience: 'a', audiance: 'x' }, /audiance/],
  ])('refuses %j', async (options, message) => {
    await expect(createTestIssuer(options as never)).rejects.toThrow(message);
  });
  it('refuses an unknown mode', async () => {
    const issuer = await createTestIssuer(
      Object.freeze({ issuer: 'i', audience: 'a', algorithms: ['RS256'] as const }),
    );
    try {
      expect(() => {
        issuer.setMode('down' as never);
      }).toThrow(/"mode"/);
      expect(issuer.publicKeyForms()[0]?.pkcs1Pem).toMatch(/BEGIN RSA PUBLIC KEY/);
    } finally {
      await issuer.close();
    }
  });
});

describe('suite settings', () => {
  it.each([
    [{ jwt: { target: fakeTarget, path: '/x' } }, /"jwt.issuer" is required/],
    [{ cors: { target: fakeTarget, path: '/x', allowedOrigins: [] } }, /"cors.allowedOrigins"/],
    [{ cors: { target: fakeTarget, path: 'x', allowedOrigins: ['https://a.example'] } }, /"cors.path"/],
    [{ traversal: { target: fakeTarget, prefix: '/f/', root: 'relative' } }, /"traversal.root"/],
    [{ leaks: { target: fakeTarget, path: '/x', headers: 'Authorization' } }, /"leaks.headers"/],
    [{ leaks: { path: '/x' } }, /"leaks.target" is required/],
    [{ sqli: {} }, /sqli/],
  ])('refuses %j', async (settings, message) => {
    await expect(runAttacks(settings as never)).rejects.toThrow(message);
  });
  it('treats { x: undefined } like {}', async () => {
    expect(await runAttacks({ jwt: undefined, cors: undefined })).toEqual(await runAttacks({}));
  });
  it('refuses bad knownFailures', () => {
    expect(() => {
      describeAttacks({}, { knownFailures: ['not an id'] });
    }).toThrow(/"knownFailures"/);
  });
});
