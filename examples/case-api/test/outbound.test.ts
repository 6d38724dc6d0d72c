// POST /cases/import-url and tenant webhooks against loopback stand-ins: an "internal" server on 127.0.0.2 that
// must never be hit, an allowed "public" one on 127.0.0.3; every refusal is the same 422 upstream_refused.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EgressResolver } from '@portcullis/egress';
import type { OutboundOptions } from '../src/outbound.js';
import { parseImportUrlHosts, type StartupProblem } from '../src/settings.js';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface StandIn {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

let flaky = 0;

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  switch (path) {
    case '/cases.csv':
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.end('title,description\nImported from a partner,via URL\n');
      return;
    case '/bad.csv':
      res.setHeader('content-type', 'text/csv');
      res.end('name\nno title column\n');
      return;
    case '/cases.json':
      res.setHeader('content-type', 'application/json');
      res.end('[]');
      return;
    case '/huge.csv':
      res.setHeader('content-type', 'text/csv');
      res.end(`title\n${'x,'.repeat(600 * 1024)}\n`);
      return;
    case '/missing.csv':
      res.statusCode = 404;
      res.end();
      return;
    case '/redirect':
      res.statusCode = 302;
      res.setHeader('location', new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/');
      res.end();
      return;
    case '/flaky':
      flaky++;
      res.statusCode = flaky <= 2 ? 503 : 204;
      res.end();
      return;
    default:
      res.statusCode = 204;
      res.end();
  }
}

async function standIn(address: string, port = 0): Promise<StandIn> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      route(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

// Names resolve here only (no test resolves or connects beyond loopback).
const NAMES: Readonly<Record<string, string>> = {
  'files.partner.test': '127.0.0.3',
  'a.cdn.partner.test': '127.0.0.3',
  'internal.cdn.partner.test': '127.0.0.2',
  'hooks.tenant.test': '127.0.0.3',
  'hooks-internal.tenant.test': '127.0.0.2',
};
const resolver: EgressResolver = {
  resolve4: (name) => {
    const a = NAMES[name];
    return a === undefined
      ? Promise.reject(Object.assign(new Error('NXDOMAIN'), { code: 'ENOTFOUND' }))
      : Promise.resolve([a]);
  },
  resolve6: () => Promise.resolve([]),
};

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let publicServer: StandIn;
let internal: StandIn;

beforeAll(async () => {
  // The stand-ins listen before any app (and its egress policies) exists: a policy refuses sockets opened later.
  publicServer = await standIn('127.0.0.3');
  internal = await standIn('127.0.0.2', publicServer.port);
});

afterAll(async () => {
  await Promise.all([publicServer?.close(), internal?.close()]);
  expect(internal.seen).toHaveLength(0);
});

describe.each(testDatabases)('URL import and webhooks on $name', (database) => {
  let h: Harness;
  let admin: string;
  let reviewer: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const P = (): number => publicServer.port;

  beforeAll(async () => {
    const egress = {
      protocols: ['http:', 'https:'] as const,
      ports: [publicServer.port],
      allowAddresses: ['127.0.0.3'],
      resolver,
    };
    const outbound: OutboundOptions = {
      importUrlHosts: ['files.partner.test', '*.cdn.partner.test'],
      importUrlEgress: egress,
      webhookEgress: egress,
      webhookRetryDelaysMs: [10, 20],
    };
    h = await startHarness(database, {}, undefined, { outbound });
    admin = await h.token('admin-1', 't1', ['admin']);
    reviewer = await h.token('rev-1', 't1', ['reviewer']);
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  describe('POST /cases/import-url [ASVS V1.3.6]', () => {
    it('imports a CSV from an allowed host through safeFetch, validated like POST /cases/import', async () => {
      const res = await request(h.server)
        .post('/cases/import-url')
        .set(auth(admin))
        .send({ url: `http://files.partner.test:${P()}/cases.csv?sig=q-s3cret` });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ created: 1 });
      const list = await request(h.server).get('/cases?limit=100').set(auth(admin));
      expect((list.body as { items: { title: string }[] }).items.map((c) => c.title)).toContain(
        'Imported from a partner',
      );
      expect(h.logs()).not.toContain('q-s3cret');
    });

    it('refuses a non-admin before fetching anything (403)', async () => {
      const before = publicServer.seen.length;
      const res = await request(h.server)
        .post('/cases/import-url')
        .set(auth(reviewer))
        .send({ url: `http://files.partner.test:${P()}/cases.csv` });
      expect(res.status).toBe(403);
      expect(publicServer.seen.length).toBe(before);
    });

    it('applies the same row validation as POST /cases/import (422 validation_failed)', async () => {
      const res = await request(h.server)
        .post('/cases/import-url')
        .set(auth(admin))
        .send({ url: `http://files.partner.test:${P()}/bad.csv` });
      expect(res.status).toBe(422);
      expect((res.body as { code: string }).code).toBe('validation_failed');
    });

    it('refuses a body without a url (422 validation_failed)', async () => {
      const res = await request(h.server).post('/cases/import-url').set(auth(admin)).send({ href: 'x' });
      expect(res.status).toBe(422);
      expect((res.body as { code: string }).code).toBe('validation_failed');
    });

    it.each([
      ['the internal address as a literal', (p: number) => `http://127.0.0.2:${p}/cases.csv`],
      ['the internal address in decimal', (p: number) => `http://2130706434:${p}/cases.csv`],
      [
        'an allowed wildcard name resolving to 127.0.0.2',
        (p: number) => `http://internal.cdn.partner.test:${p}/cases.csv`,
      ],
      ['a host outside IMPORT_URL_HOSTS', (p: number) => `http://hooks.tenant.test:${p}/cases.csv`],
      ['userinfo in front of an allowed host', (p: number) => `http://admin@files.partner.test:${p}/cases.csv`],
      ['a port outside the list', () => 'http://files.partner.test:8081/cases.csv'],
      ['a file: URL', () => 'file:///etc/passwd'],
      [
        'a redirect to the internal address',
        (p: number) =>
          `http://files.partner.test:${p}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${p}/cases.csv`)}`,
      ],
      ['a response that is not text/csv', (p: number) => `http://a.cdn.partner.test:${p}/cases.json`],
      ['a CSV over 1 MiB', (p: number) => `http://files.partner.test:${p}/huge.csv`],
      ['an upstream 404', (p: number) => `http://files.partner.test:${p}/missing.csv`],
      ['an unknown name', (p: number) => `http://nx.cdn.partner.test:${p}/cases.csv`],
    ])('refuses %s with the one generic 422 upstream_refused', async (_title, url) => {
      const res = await request(h.server)
        .post('/cases/import-url')
        .set(auth(admin))
        .send({ url: url(P()) });
      expect(res.status).toBe(422);
      const { requestId: _id, instance: _instance, ...body } = res.body as Record<string, unknown>;
      expect(body).toEqual({
        type: 'about:blank',
        title: 'Unprocessable Entity',
        status: 422,
        code: 'upstream_refused',
        detail: 'The URL could not be fetched.',
      });
      expect(internal.seen).toHaveLength(0);
    });
  });

  describe('PUT /webhook and transition events', () => {
    it('refuses a non-admin (403)', async () => {
      const res = await request(h.server)
        .put('/webhook')
        .set(auth(reviewer))
        .send({ url: `http://hooks.tenant.test:${P()}/hook` });
      expect(res.status).toBe(403);
    });

    it.each([
      ['the internal address', (p: number) => `http://127.0.0.2:${p}/hook`],
      ['the metadata address', (p: number) => `http://169.254.169.254:${p}/latest`],
      ['[::ffff:127.0.0.2]', (p: number) => `http://[::ffff:127.0.0.2]:${p}/hook`],
      ['a file: URL', () => 'file:///etc/passwd'],
      ['userinfo', (p: number) => `http://u:p@hooks.tenant.test:${p}/hook`],
    ])('refuses to save %s (policy.check on save → 422 upstream_refused)', async (_t, url) => {
      const res = await request(h.server)
        .put('/webhook')
        .set(auth(admin))
        .send({ url: url(P()) });
      expect(res.status).toBe(422);
      expect((res.body as { code: string }).code).toBe('upstream_refused');
    });

    it('never delivers to a webhook whose name resolves to 127.0.0.2; the transition succeeds anyway', async () => {
      const saved = await request(h.server)
        .put('/webhook')
        .set(auth(admin))
        .send({ url: `http://hooks-internal.tenant.test:${P()}/hook` });
      expect(saved.status).toBe(200);
      const c = await h.seed('t1');
      const res = await request(h.server)
        .post(`/cases/${c.id}/transitions`)
        .set(auth(admin))
        .send({ action: 'START_REVIEW', reason: 'look' });
      expect(res.status).toBe(200);
      await until(
        () => (h.logs().includes('"outcome":"refused","code":"egress_address"') ? true : undefined),
        'the refused delivery in the log',
      );
      expect(internal.seen).toHaveLength(0);
    });

    it('delivers a signed event to the allowed stand-in; the signature verifies with the secret shown once', async () => {
      const saved = await request(h.server)
        .put('/webhook')
        .set(auth(admin))
        .send({ url: `http://hooks.tenant.test:${P()}/hook?token=q-s3cret` });
      expect(saved.status).toBe(200);
      const { secret } = saved.body as { secret: string; url: string };
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const c = await h.seed('t1');
      const before = publicServer.seen.length;
      const res = await request(h.server)
        .post(`/cases/${c.id}/transitions`)
        .set(auth(admin))
        .send({ action: 'START_REVIEW', reason: 'look' });
      expect(res.status).toBe(200);
      const hit = await until(
        () => publicServer.seen.slice(before).find((s) => s.url.startsWith('/hook')),
        'the delivery',
      );
      expect(hit.method).toBe('POST');
      const header = String(hit.headers['portcullis-signature']);
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      expect(match).not.toBeNull();
      const expected = createHmac('sha256', secret).update(`${match![1]}.${hit.body}`).digest('hex');
      expect(match![2]).toBe(expected);
      // A forged body does not verify.
      expect(createHmac('sha256', secret).update(`${match![1]}.${hit.body} `).digest('hex')).not.toBe(match![2]);
      const event = JSON.parse(hit.body) as Record<string, unknown>;
      expect(event).toEqual({
        type: 'case.transitioned',
        caseId: c.id,
        from: 'OPEN',
        to: 'IN_REVIEW',
        at: expect.any(String),
      });
      await until(() => (h.logs().includes('"outcome":"delivered"') ? true : undefined), 'the delivered log line');
      expect(h.logs()).not.toContain('q-s3cret');
      expect(h.logs()).not.toContain(secret);
      expect(internal.seen).toHaveLength(0);
    });

    it('retries a failing receiver at most 3 times in all', async () => {
      flaky = 0;
      const saved = await request(h.server)
        .put('/webhook')
        .set(auth(admin))
        .send({ url: `http://hooks.tenant.test:${P()}/flaky` });
      expect(saved.status).toBe(200);
      const c = await h.seed('t1');
      await request(h.server)
        .post(`/cases/${c.id}/transitions`)
        .set(auth(admin))
        .send({ action: 'START_REVIEW', reason: 'x' });
      await until(() => (flaky >= 3 ? true : undefined), 'three tries');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(flaky).toBe(3);
    });
  });
});

describe('IMPORT_URL_HOSTS', () => {
  it.each<[string | undefined, boolean, readonly string[] | 'public' | undefined]>([
    [undefined, true, undefined],
    ['', true, undefined],
    [undefined, false, 'public'],
    ['public', true, 'public'],
    ['files.partner.example, *.cdn.partner.example', true, ['files.partner.example', '*.cdn.partner.example']],
  ])('%j in production=%s gives %j', (value, production, expected) => {
    const problems: StartupProblem[] = [];
    expect(parseImportUrlHosts(value, production, problems)).toEqual(expected);
    expect(problems).toEqual([]);
  });

  it.each(['*.co.uk', 'https://files.partner.example', '*', 'files.partner.example,'])(
    'refuses %j at startup naming the variable',
    (value) => {
      const problems: StartupProblem[] = [];
      expect(parseImportUrlHosts(value, true, problems)).toBeUndefined();
      expect(problems).toEqual([expect.objectContaining({ rule: 'CONFIG_INVALID', key: 'IMPORT_URL_HOSTS' })]);
    },
  );
});

describe('the URL import without IMPORT_URL_HOSTS (production, unset)', () => {
  it('refuses every request with 422 upstream_refused', async () => {
    const database = testDatabases[0]!;
    const h = await startHarness(database);
    try {
      const admin = await h.token('admin-1', 't1', ['admin']);
      const res = await request(h.server)
        .post('/cases/import-url')
        .set({ Authorization: `Bearer ${admin}` })
        .send({ url: `http://files.partner.test:${publicServer.port}/cases.csv` });
      expect(res.status).toBe(422);
      expect((res.body as { code: string }).code).toBe('upstream_refused');
    } finally {
      await h.close();
    }
  });
});
