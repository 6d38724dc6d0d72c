// Scenarios beyond single URLs: TLS names, redirects hop by hop, rebinding, slow DNS, slow upstreams, bombs, proxies, sockets.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fetch as undiciFetch, getGlobalDispatcher, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEgressPolicy,
  createSafeAgents,
  createSafeDispatcher,
  EgressError,
  EGRESS_ERROR_CODES,
  installGlobalEgressGuard,
  safeFetch,
  type EgressDecisionEvent,
  type EgressPolicy,
  type EgressPolicyOptions,
  type SafeAgents,
} from '../src/index.js';
import {
  generateCert,
  startDns,
  startHttp,
  startHttps,
  startTrio,
  type StandIn,
  type TestCert,
  type TestDns,
} from './support.js';

let trio: { publicServer: StandIn; internal: StandIn; loopback6: StandIn };
let tls: StandIn;
let dns: TestDns;
let cert: TestCert;
let unixServer: http.Server;
let unixHits = 0;
let socketDir: string;
let P: number;
let Q: number;
const events: EgressDecisionEvent[] = [];
let base: EgressPolicyOptions;
let policy: EgressPolicy;
let dispatcher: Dispatcher;
let agents: SafeAgents;

const internalHits = (): number => trio.internal.hits() + trio.loopback6.hits();

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'allowed';
  } catch (error) {
    let e: unknown = error;
    for (let i = 0; i < 5 && typeof e === 'object' && e !== null; i++) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('egress_')) return code;
      e = (e as { cause?: unknown }).cause;
    }
    return `unexpected: ${String(error)}`;
  }
}

function viaAgent(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const req = client.get(
      u,
      { agent: u.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent, ...options },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
  });
}

beforeAll(async () => {
  trio = await startTrio();
  P = trio.publicServer.port;
  cert = await generateCert(['api.partner.test']);
  tls = await startHttps('127.0.0.3', cert);
  Q = tls.port;
  dns = await startDns();
  dns.set('public.test', { a: ['127.0.0.3'] });
  dns.set('api.partner.test', { a: ['127.0.0.3'] });
  dns.set('other.partner.test', { a: ['127.0.0.3'] });
  dns.set('internal.test', { a: ['127.0.0.2'] });
  dns.set('slow.test', 'drop');
  let rebinds = 0;
  // DNS rebinding: the first answer is public, every later one internal, TTL 0.
  dns.set('rebind.test', (type) => (type === 'AAAA' ? {} : { a: [rebinds++ === 0 ? '127.0.0.3' : '127.0.0.2'] }));
  socketDir = await mkdtemp(join(tmpdir(), 'egress-sock-'));
  unixServer = http.createServer((_req, res) => {
    unixHits++;
    res.end('unix');
  });
  await new Promise<void>((resolve) =>
    unixServer.listen(join(socketDir, 'internal.sock'), () => {
      resolve();
    }),
  );
  base = {
    hosts: 'public',
    protocols: ['http:', 'https:'],
    ports: [P, Q],
    allowAddresses: ['127.0.0.3'],
    resolver: dns.resolver(),
    ca: cert.cert,
    maxRedirects: 3,
    maxResponseBytes: 1024 * 1024,
    timeouts: { dnsMs: 3000, connectMs: 3000, headersMs: 1500, bodyMs: 1500, totalMs: 8000 },
    onDecision: (e) => events.push(e),
  };
  policy = createEgressPolicy(base);
  dispatcher = createSafeDispatcher(policy);
  agents = createSafeAgents(policy);
});

afterAll(async () => {
  await dispatcher?.close();
  agents?.httpAgent.destroy();
  agents?.httpsAgent.destroy();
  await Promise.all([
    trio?.publicServer.close(),
    trio?.internal.close(),
    trio?.loopback6.close(),
    tls?.close(),
    dns?.close(),
  ]);
  await new Promise<void>((resolve) =>
    unixServer?.close(() => {
      resolve();
    }),
  );
  await rm(socketDir, { recursive: true, force: true });
  expect(internalHits()).toBe(0);
});

describe('allowed requests (the controls that prove the refusals could fail)', () => {
  it('safeFetch reaches the allowed stand-in by address and by name', async () => {
    const before = trio.publicServer.hits();
    expect(await (await safeFetch(policy, `http://127.0.0.3:${P}/ok`)).text()).toBe('ok');
    expect(await (await safeFetch(policy, `http://public.test:${P}/ok`)).text()).toBe('ok');
    expect(trio.publicServer.hits()).toBe(before + 2);
  });

  it.each([
    ['safeFetch', (u: string) => safeFetch(policy, u).then((r) => r.text())],
    ['dispatcher', (u: string) => undiciFetch(u, { dispatcher }).then((r) => r.text())],
    ['agents', (u: string) => viaAgent(u).then((r) => r.body)],
  ] as const)(
    'verifies TLS against api.partner.test while connecting to its checked address (%s)',
    async (_name, get) => {
      expect(await get(`https://api.partner.test:${Q}/ok`)).toBe('ok');
    },
  );

  it("the global guard covers Node's own fetch and http.get without an agent, and restores both", async () => {
    const before = { dispatcher: getGlobalDispatcher(), http: http.globalAgent, https: https.globalAgent };
    const restore = installGlobalEgressGuard(policy);
    try {
      expect(await (await globalThis.fetch(`https://api.partner.test:${Q}/ok`)).text()).toBe('ok');
      expect(await codeOf(() => globalThis.fetch(`http://internal.test:${P}/ok`))).toBe('egress_address');
      const code = await new Promise<string>((resolve) => {
        http
          .get(`http://internal.test:${P}/ok`, () => {
            resolve('allowed');
          })
          .on('error', (e: EgressError) => {
            resolve(e.code);
          });
      });
      expect(code).toBe('egress_address');
    } finally {
      restore();
      restore();
    }
    expect(getGlobalDispatcher()).toBe(before.dispatcher);
    expect(http.globalAgent).toBe(before.http);
    expect(https.globalAgent).toBe(before.https);
  });
});

describe('TLS stays verified [ASVS V12.3.2]', () => {
  it('refuses a name whose certificate does not match (other.partner.test)', async () => {
    expect(await codeOf(() => safeFetch(policy, `https://other.partner.test:${Q}/ok`))).toBe('egress_connect');
    expect(await codeOf(() => viaAgent(`https://other.partner.test:${Q}/ok`))).toBe('egress_connect');
  });

  it('refuses the address literal of a server whose certificate names a host', async () => {
    expect(await codeOf(() => safeFetch(policy, `https://127.0.0.3:${Q}/ok`))).toBe('egress_connect');
  });
});

describe('redirects are re-checked per hop [ASVS V15.3.2, V1.3.6]', () => {
  const redirect = (to: string, status = 302, from = `http://127.0.0.3:${P}`): string =>
    `${from}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

  it('refuses https→http (safeFetch)', async () => {
    const before = trio.publicServer.hits();
    expect(
      await codeOf(() => safeFetch(policy, redirect(`http://127.0.0.3:${P}/ok`, 302, `https://api.partner.test:${Q}`))),
    ).toBe('egress_redirect');
    expect(trio.publicServer.hits()).toBe(before);
  });

  it('refuses every redirect by default (maxRedirects 0)', async () => {
    const strict = createEgressPolicy({ ...base, maxRedirects: undefined });
    expect(await codeOf(() => safeFetch(strict, redirect(`http://127.0.0.3:${P}/ok`)))).toBe('egress_redirect');
  });

  it('refuses more hops than maxRedirects', async () => {
    const four = redirect(redirect(redirect(redirect(`http://127.0.0.3:${P}/ok`))));
    expect(await codeOf(() => safeFetch(policy, four))).toBe('egress_redirect');
    const three = redirect(redirect(redirect(`http://127.0.0.3:${P}/ok`)));
    const r = await safeFetch(policy, three);
    expect(r.status).toBe(200);
    expect(r.redirected).toBe(true);
  });

  it('returns the 3xx with redirect: "manual" and refuses it with redirect: "error"', async () => {
    const r = await safeFetch(policy, redirect(`http://127.0.0.2:${P}/ok`), { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(await codeOf(() => safeFetch(policy, redirect(`http://127.0.0.3:${P}/ok`), { redirect: 'error' }))).toBe(
      'egress_redirect',
    );
  });

  it('refuses a redirect without a usable Location', async () => {
    expect(await codeOf(() => safeFetch(policy, redirect('http://[bad/')))).toBe('egress_redirect');
  });

  it('drops Authorization, Cookie and Proxy-Authorization across origins, keeps them on the same origin', async () => {
    const headers = {
      authorization: 'Bearer s3cret',
      cookie: 'sid=s3cret',
      'proxy-authorization': 'Basic s3cret',
      'x-trace': 'kept',
    };
    const cross = await safeFetch(policy, redirect(`http://public.test:${P}/echo`), { headers });
    const seen = ((await cross.json()) as { headers: Record<string, string> }).headers;
    expect(seen['x-trace']).toBe('kept');
    expect(seen['authorization']).toBeUndefined();
    expect(seen['cookie']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    const same = await safeFetch(policy, redirect(`http://127.0.0.3:${P}/echo`), { headers });
    expect(((await same.json()) as { headers: Record<string, string> }).headers['authorization']).toBe('Bearer s3cret');
  });

  it.each([
    [302, 'POST', 'GET', ''],
    [301, 'POST', 'GET', ''],
    [303, 'PUT', 'GET', ''],
    [307, 'POST', 'POST', 'a=1'],
    [308, 'PUT', 'PUT', 'a=1'],
  ])('rewrites the method per Fetch: %i after %s is %s', async (status, method, expected, body) => {
    const r = await safeFetch(policy, redirect(`http://127.0.0.3:${P}/echo`, status), {
      method,
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const echo = (await r.json()) as { method: string; body: string; headers: Record<string, string> };
    expect(echo.method).toBe(expected);
    expect(echo.body).toBe(body);
    if (expected === 'GET') expect(echo.headers['content-type']).toBeUndefined();
  });

  it('refuses a 307 that would resend a streamed body', async () => {
    const body = Readable.toWeb(Readable.from([Buffer.from('a=1')])) as ReadableStream<Uint8Array>;
    expect(
      await codeOf(() =>
        safeFetch(policy, redirect(`http://127.0.0.3:${P}/echo`, 307), { method: 'POST', body, duplex: 'half' }),
      ),
    ).toBe('egress_redirect');
  });

  it('the dispatcher re-checks a redirect fetch follows by itself', async () => {
    expect(await codeOf(() => undiciFetch(redirect(`http://internal.test:${P}/ok`), { dispatcher }))).toBe(
      'egress_address',
    );
  });
});

describe('DNS', () => {
  it('resolves once and connects to the checked address: rebinding to 127.0.0.2 (TTL 0) never reaches it', async () => {
    const fresh = createEgressPolicy(base);
    const r = await safeFetch(fresh, `http://rebind.test:${P}/ok`);
    expect(await r.text()).toBe('ok');
    // One A question for the one connection: no second lookup between check and connect.
    expect(dns.queries('rebind.test')).toBe(2);
    const again = createEgressPolicy(base);
    expect(await codeOf(() => safeFetch(again, `http://rebind.test:${P}/ok`))).toBe('egress_address');
    expect(internalHits()).toBe(0);
  });

  it('refuses a name whose server never answers with egress_timeout, off the threadpool (a parallel readFile is not delayed)', async () => {
    let settled = 0;
    // Seconds of silence, so that even a loaded machine reads the file before any lookup gives up.
    const patient = createEgressPolicy({ ...base, resolver: dns.resolver(3000), timeouts: { dnsMs: 3000 } });
    const slow = Array.from({ length: 8 }, () =>
      codeOf(() => safeFetch(patient, `http://slow.test:${P}/ok`)).finally(() => {
        settled++;
      }),
    );
    await readFile(new URL(import.meta.url));
    expect(settled).toBe(0);
    expect(new Set(await Promise.all(slow))).toEqual(new Set(['egress_timeout']));
  });

  it('refuses a resolver that hangs past dnsMs', async () => {
    const hanging = createEgressPolicy({
      ...base,
      timeouts: { dnsMs: 50 },
      resolver: {
        resolve4: () => new Promise<string[]>(() => undefined),
        resolve6: () => new Promise<string[]>(() => undefined),
      },
    });
    expect(await codeOf(() => safeFetch(hanging, `http://public.test:${P}/ok`))).toBe('egress_timeout');
  });

  it('refuses when the resolver fails', async () => {
    const failing = createEgressPolicy({
      ...base,
      resolver: { resolve4: () => Promise.reject(new Error('SERVFAIL')), resolve6: () => Promise.resolve([]) },
    });
    expect(await codeOf(() => safeFetch(failing, `http://public.test:${P}/ok`))).toBe('egress_dns');
  });

  it('with mixedAnswers "filter" connects to the allowed answer only', async () => {
    dns.set('mixed-filter.test', { a: ['127.0.0.2', '127.0.0.3'] });
    const filter = createEgressPolicy({ ...base, mixedAnswers: 'filter' });
    expect(await (await safeFetch(filter, `http://mixed-filter.test:${P}/ok`)).text()).toBe('ok');
    expect(await codeOf(() => safeFetch(filter, `http://internal.test:${P}/ok`))).toBe('egress_address');
  });
});

describe('slow and hostile upstreams [ASVS V16.5.2]', () => {
  it('refuses slow headers with egress_timeout (safeFetch and dispatcher)', async () => {
    expect(await codeOf(() => safeFetch(policy, `http://127.0.0.3:${P}/slow-headers`))).toBe('egress_timeout');
    events.length = 0;
    expect(await codeOf(() => undiciFetch(`http://127.0.0.3:${P}/slow-headers?token=q-s3cret`, { dispatcher }))).toBe(
      'egress_timeout',
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        decision: 'refuse',
        code: 'egress_timeout',
        url: `http://127.0.0.3:${P}/slow-headers`,
      }),
    );
    expect(JSON.stringify(events)).not.toContain('s3cret');
  });

  it('refuses a slowloris body (one byte every 20 ms) at bodyMs', async () => {
    expect(await codeOf(() => safeFetch(policy, `http://127.0.0.3:${P}/slowloris`))).toBe('egress_timeout');
  });

  it('refuses the whole call at totalMs', async () => {
    const short = createEgressPolicy({ ...base, timeouts: { totalMs: 100, headersMs: 5000 } });
    expect(await codeOf(() => safeFetch(short, `http://127.0.0.3:${P}/slow-headers`))).toBe('egress_timeout');
  });

  it('refuses a 19 KB gzip that inflates to 20 MB against a 1 MiB cap, counting decoded bytes', async () => {
    expect(await codeOf(() => safeFetch(policy, `http://127.0.0.3:${P}/gzip-bomb`))).toBe('egress_too_large');
  });

  it('refuses a Content-Length over the cap before reading', async () => {
    expect(await codeOf(() => safeFetch(policy, `http://127.0.0.3:${P}/big`))).toBe('egress_too_large');
  });

  it('returns a body under the cap decoded, without Content-Encoding', async () => {
    const roomy = createEgressPolicy({ ...base, maxResponseBytes: 32 * 1024 * 1024, timeouts: { bodyMs: 10_000 } });
    const r = await safeFetch(roomy, `http://127.0.0.3:${P}/gzip-bomb`);
    expect((await r.arrayBuffer()).byteLength).toBe(20 * 1024 * 1024);
    expect(r.headers.get('content-encoding')).toBeNull();
  });
});

describe('connection options that bypass the table', () => {
  it('ignores HTTP_PROXY / HTTPS_PROXY pointing at the internal server', async () => {
    const saved = { http: process.env['HTTP_PROXY'], https: process.env['HTTPS_PROXY'] };
    process.env['HTTP_PROXY'] = `http://127.0.0.2:${P}`;
    process.env['HTTPS_PROXY'] = `http://127.0.0.2:${P}`;
    try {
      const before = trio.publicServer.hits();
      expect(await (await safeFetch(policy, `http://127.0.0.3:${P}/ok`)).text()).toBe('ok');
      expect(trio.publicServer.hits()).toBe(before + 1);
    } finally {
      for (const [k, v] of [
        ['HTTP_PROXY', saved.http],
        ['HTTPS_PROXY', saved.https],
      ] as const) {
        if (v === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = v;
      }
    }
    expect(internalHits()).toBe(0);
  });

  it('refuses socketPath to a unix socket (agents and the global guard)', async () => {
    const path = join(socketDir, 'internal.sock');
    expect(await codeOf(() => viaAgent(`http://127.0.0.3:${P}/`, { socketPath: path }))).toBe('egress_connect');
    const restore = installGlobalEgressGuard(policy);
    try {
      const code = await new Promise<string>((resolve) => {
        http
          .get({ socketPath: path, path: '/' }, () => {
            resolve('allowed');
          })
          .on('error', (e: EgressError) => {
            resolve(e.code);
          });
      });
      expect(code).toBe('egress_connect');
    } finally {
      restore();
    }
    expect(unixHits).toBe(0);
  });

  it('refuses localAddress', async () => {
    expect(await codeOf(() => viaAgent(`http://127.0.0.3:${P}/ok`, { localAddress: '127.0.0.3' }))).toBe(
      'egress_connect',
    );
  });

  it("refuses the app's own listening address even when allowAddresses covers it", async () => {
    const own = await startHttp('127.0.0.3');
    try {
      const p = createEgressPolicy({ ...base, ports: [own.port] });
      expect(await codeOf(() => safeFetch(p, `http://127.0.0.3:${own.port}/ok`))).toBe('egress_address');
      expect(own.hits()).toBe(0);
    } finally {
      await own.close();
    }
  });
});

describe('errors and logging', () => {
  it('maps every code to one generic 422 upstream_refused', () => {
    const answers = EGRESS_ERROR_CODES.map((code) => {
      const e = new EgressError(code).toHttpError();
      return { status: e.status, code: e.code, detail: e.detail, message: e.message };
    });
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 422,
      code: 'upstream_refused',
      detail: 'The URL could not be fetched.',
      message: 'Upstream refused',
    });
  });

  it('onDecision never sees the query string, but does see the refusal and the allowed path', async () => {
    events.length = 0;
    await safeFetch(policy, `http://127.0.0.3:${P}/ok?token=q-s3cret#frag-s3cret`);
    await codeOf(() => safeFetch(policy, `http://internal.test:${P}/x?token=q-s3cret`));
    const logged = JSON.stringify(events);
    expect(logged).not.toContain('s3cret');
    expect(events).toContainEqual(
      expect.objectContaining({ decision: 'allow', stage: 'connect', address: '127.0.0.3' }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ decision: 'refuse', code: 'egress_address', stage: 'dns', host: 'internal.test' }),
    );
  });

  it('a throwing onDecision does not change the outcome', async () => {
    const p = createEgressPolicy({
      ...base,
      onDecision: () => {
        throw new Error('log down');
      },
    });
    expect(await codeOf(() => safeFetch(p, `http://127.0.0.2:${P}/ok`))).toBe('egress_address');
    expect(await (await safeFetch(p, `http://127.0.0.3:${P}/ok`)).text()).toBe('ok');
  });

  it('refuses a dispatcher in init and a policy not made by createEgressPolicy', async () => {
    await expect(safeFetch(policy, `http://127.0.0.3:${P}/ok`, { dispatcher } as never)).rejects.toThrow(TypeError);
    await expect(
      safeFetch({ check: (u: string | URL) => policy.check(u) }, `http://127.0.0.3:${P}/ok`),
    ).rejects.toThrow(/createEgressPolicy/);
    expect(() => createSafeDispatcher({} as EgressPolicy)).toThrow(TypeError);
    expect(() => createSafeAgents(null as unknown as EgressPolicy)).toThrow(TypeError);
  });
});
