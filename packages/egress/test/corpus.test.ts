// The SSRF corpus: every URL through policy.check, safeFetch, the dispatcher, the agents and the global guard; the internal server must never be hit.
import http from 'node:http';
import https from 'node:https';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEgressPolicy,
  createSafeAgents,
  createSafeDispatcher,
  installGlobalEgressGuard,
  safeFetch,
  type EgressErrorCode,
  type EgressPolicy,
  type SafeAgents,
} from '../src/index.js';
import { generateCert, startDns, startHttps, startTrio, type StandIn, type TestDns } from './support.js';

type Entry = 'check' | 'safeFetch' | 'dispatcher' | 'agents' | 'global';
/** `native`: refused by fetch itself before any connection (e.g. credentials in the URL); `skip`: not applicable. */
type Expect = EgressErrorCode | 'native' | 'skip';

interface Row {
  readonly title: string;
  readonly url: (p: number, s: number) => string;
  readonly code: EgressErrorCode;
  /** Expected code through the fetch-API entry points (dispatcher, global) when it differs. */
  readonly fetchApi?: Expect;
  /** Expected code through the node:http agents when it differs (the agent sees host and port only). */
  readonly agents?: Expect;
  /** Expected code from policy.check (URL-level, no DNS) when it differs; "pass" when check lets it through. */
  readonly check?: EgressErrorCode | 'pass';
  /** Which policy: "public" (hosts: public) or "partner" (hosts: *.partner.test, exact.test). */
  readonly policy?: 'public' | 'partner';
}

const h = (host: string) => (p: number) => `http://${host}:${p}/ok`;

// Literals and their spellings: all reach 127.0.0.2, ::1, 0.0.0.0 or metadata addresses.
const ROWS: readonly Row[] = [
  { title: 'refuses the internal address 127.0.0.2', url: h('127.0.0.2'), code: 'egress_address' },
  { title: 'refuses decimal IPv4 2130706434 (127.0.0.2)', url: h('2130706434'), code: 'egress_address' },
  { title: 'refuses hex IPv4 0x7f000002', url: h('0x7f000002'), code: 'egress_address' },
  { title: 'refuses dotted hex IPv4 0x7f.0.0.2', url: h('0x7f.0.0.2'), code: 'egress_address' },
  { title: 'refuses octal IPv4 0177.0.0.2', url: h('0177.0.0.2'), code: 'egress_address' },
  { title: 'refuses octal IPv4 with padding 00177.00.00.02', url: h('00177.00.00.02'), code: 'egress_address' },
  { title: 'refuses short IPv4 127.2', url: h('127.2'), code: 'egress_address' },
  { title: 'refuses short IPv4 127.0.2', url: h('127.0.2'), code: 'egress_address' },
  { title: 'refuses short IPv4 127.1', url: h('127.1'), code: 'egress_address' },
  { title: 'refuses mixed radix 0x7f.1', url: h('0x7f.1'), code: 'egress_address' },
  { title: 'refuses IPv4 with a trailing dot 127.0.0.2.', url: h('127.0.0.2.'), code: 'egress_address' },
  { title: 'refuses percent-encoded IPv4 127.0.0.%32', url: h('127.0.0.%32'), code: 'egress_address' },
  { title: 'refuses full-width digits １２７.０.０.２', url: h('１２７.０.０.２'), code: 'egress_address' },
  { title: 'refuses ideographic full stops 127。0。0。2', url: h('127。0。0。2'), code: 'egress_address' },
  { title: 'refuses 0 (0.0.0.0 reaches the local host)', url: h('0'), code: 'egress_address' },
  { title: 'refuses 0.0.0.0', url: h('0.0.0.0'), code: 'egress_address' },
  { title: 'refuses 127.0.0.1', url: h('127.0.0.1'), code: 'egress_address' },
  { title: 'refuses 10.0.0.1', url: h('10.0.0.1'), code: 'egress_address' },
  { title: 'refuses 172.16.0.1', url: h('172.16.0.1'), code: 'egress_address' },
  { title: 'refuses 192.168.1.1', url: h('192.168.1.1'), code: 'egress_address' },
  { title: 'refuses 100.64.0.1 (carrier-grade NAT)', url: h('100.64.0.1'), code: 'egress_address' },
  { title: 'refuses the metadata address 169.254.169.254', url: h('169.254.169.254'), code: 'egress_address' },
  { title: 'refuses the metadata address as decimal 2852039166', url: h('2852039166'), code: 'egress_address' },
  { title: 'refuses the Azure wire server 168.63.129.16', url: h('168.63.129.16'), code: 'egress_address' },
  { title: 'refuses multicast 224.0.0.1', url: h('224.0.0.1'), code: 'egress_address' },
  { title: 'refuses broadcast 255.255.255.255', url: h('255.255.255.255'), code: 'egress_address' },
  { title: 'refuses TEST-NET 192.0.2.1', url: h('192.0.2.1'), code: 'egress_address' },
  { title: 'refuses benchmarking 198.18.0.1', url: h('198.18.0.1'), code: 'egress_address' },
  { title: 'refuses [::1]', url: h('[::1]'), code: 'egress_address' },
  { title: 'refuses [::]', url: h('[::]'), code: 'egress_address' },
  { title: 'refuses IPv4-mapped [::ffff:127.0.0.2]', url: h('[::ffff:127.0.0.2]'), code: 'egress_address' },
  { title: 'refuses IPv4-mapped in hex [::ffff:7f00:2]', url: h('[::ffff:7f00:2]'), code: 'egress_address' },
  {
    title: 'refuses IPv4-mapped long form [0:0:0:0:0:ffff:127.0.0.2]',
    url: h('[0:0:0:0:0:ffff:127.0.0.2]'),
    code: 'egress_address',
  },
  { title: 'refuses IPv4-mapped metadata [::ffff:a9fe:a9fe]', url: h('[::ffff:a9fe:a9fe]'), code: 'egress_address' },
  { title: 'refuses IPv4-compatible metadata [::a9fe:a9fe]', url: h('[::a9fe:a9fe]'), code: 'egress_address' },
  { title: 'refuses NAT64 [64:ff9b::7f00:2]', url: h('[64:ff9b::7f00:2]'), code: 'egress_address' },
  { title: 'refuses 6to4 [2002:7f00:2::]', url: h('[2002:7f00:2::]'), code: 'egress_address' },
  { title: 'refuses Teredo [2001::1]', url: h('[2001::1]'), code: 'egress_address' },
  { title: 'refuses documentation [2001:db8::1]', url: h('[2001:db8::1]'), code: 'egress_address' },
  { title: 'refuses unique-local [fd00::1]', url: h('[fd00::1]'), code: 'egress_address' },
  { title: 'refuses link-local [fe80::1]', url: h('[fe80::1]'), code: 'egress_address' },
  { title: 'refuses site-local [fec0::1]', url: h('[fec0::1]'), code: 'egress_address' },
  { title: 'refuses multicast [ff02::1]', url: h('[ff02::1]'), code: 'egress_address' },
  // Userinfo: the parser-confusion classics. The agents only see the host, which is internal.
  {
    title: 'refuses the userinfo trick http://1.1.1.1 &@127.0.0.2# @x/',
    url: (p) => `http://1.1.1.1 &@127.0.0.2:${p}# @x/`,
    code: 'egress_userinfo',
    fetchApi: 'native',
    agents: 'egress_address',
  },
  {
    title: 'refuses user@ in front of the internal address',
    url: (p) => `http://public.test@127.0.0.2:${p}/`,
    code: 'egress_userinfo',
    fetchApi: 'native',
    agents: 'egress_address',
  },
  {
    title: 'refuses user:password@ in front of an allowed host',
    url: (p) => `http://user:pw@internal.test:${p}/`,
    code: 'egress_userinfo',
    fetchApi: 'native',
    agents: 'egress_address',
    check: 'egress_userinfo',
  },
  {
    title: 'refuses an encoded @ in the userinfo',
    url: (p) => `http://public.test%40@127.0.0.2:${p}/`,
    code: 'egress_userinfo',
    fetchApi: 'native',
    agents: 'egress_address',
  },
  {
    title: 'refuses a backslash authority http:\\\\127.0.0.2',
    url: (p) => `http:\\\\127.0.0.2:${p}\\ok`,
    code: 'egress_address',
  },
  {
    title: 'refuses a bracketed name [internal.test]',
    url: (p) => `http://[internal.test]:${p}/`,
    code: 'egress_host',
    fetchApi: 'native',
    agents: 'skip',
  },
  // Names: resolved by the test DNS server, every answer classified.
  { title: 'refuses a name resolving to 127.0.0.2', url: h('internal.test'), code: 'egress_address', check: 'pass' },
  {
    title: 'refuses a name with a trailing dot resolving to 127.0.0.2',
    url: h('internal.test.'),
    code: 'egress_address',
    check: 'pass',
  },
  {
    title: 'refuses an upper-case name resolving to 127.0.0.2',
    url: h('INTERNAL.Test'),
    code: 'egress_address',
    check: 'pass',
  },
  {
    title: 'refuses a name whose AAAA is ::ffff:127.0.0.2',
    url: h('mapped.test'),
    code: 'egress_address',
    check: 'pass',
  },
  { title: 'refuses mixed answers (public A, ::1 AAAA)', url: h('mixed.test'), code: 'egress_address', check: 'pass' },
  {
    title: 'refuses mixed answers (public and internal A)',
    url: h('mixed4.test'),
    code: 'egress_address',
    check: 'pass',
  },
  { title: 'refuses an NXDOMAIN name', url: h('nx.test'), code: 'egress_dns', check: 'pass' },
  { title: 'refuses a name with no A/AAAA records', url: h('empty.test'), code: 'egress_dns', check: 'pass' },
  {
    title: 'refuses a name resolving to the metadata address',
    url: h('metadata.test'),
    code: 'egress_address',
    check: 'pass',
  },
  // Ports and schemes.
  { title: 'refuses a port outside the list', url: () => 'http://127.0.0.3:8081/', code: 'egress_port' },
  {
    title: 'refuses port 0',
    url: () => 'http://public.test:0/',
    code: 'egress_port',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses a data: URL',
    url: () => 'data:text/plain,hello',
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses a file: URL',
    url: () => 'file:///etc/passwd',
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses a blob: URL',
    url: () => 'blob:http://127.0.0.3/x',
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses an ftp: URL',
    url: (p) => `ftp://127.0.0.2:${p}/`,
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses a ws: URL',
    url: (p) => `ws://127.0.0.2:${p}/`,
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses a gopher: URL',
    url: (p) => `gopher://127.0.0.2:${p}/_GET`,
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
  },
  {
    title: 'refuses a string that is no URL',
    url: () => 'not a url',
    code: 'egress_host',
    fetchApi: 'skip',
    agents: 'skip',
  },
  // Redirects: re-checked per hop (the dispatcher and global guard see each hop; agents are not redirected by http.get).
  {
    title: 'refuses a redirect to an internal literal',
    url: (p) => `http://127.0.0.3:${p}/redirect?to=${encodeURIComponent(`http://127.0.0.2:${p}/ok`)}`,
    code: 'egress_address',
    agents: 'skip',
    check: 'pass',
  },
  {
    title: 'refuses a redirect to a decimal internal literal',
    url: (p) => `http://127.0.0.3:${p}/redirect?status=307&to=${encodeURIComponent(`http://2130706434:${p}/ok`)}`,
    code: 'egress_address',
    agents: 'skip',
    check: 'pass',
  },
  {
    title: 'refuses a redirect to an internal name',
    url: (p) => `http://127.0.0.3:${p}/redirect?status=301&to=${encodeURIComponent(`http://internal.test:${p}/ok`)}`,
    code: 'egress_address',
    agents: 'skip',
    check: 'pass',
  },
  {
    title: 'refuses a redirect to [::ffff:127.0.0.2]',
    url: (p) => `http://127.0.0.3:${p}/redirect?status=308&to=${encodeURIComponent(`http://[::ffff:127.0.0.2]:${p}/`)}`,
    code: 'egress_address',
    agents: 'skip',
    check: 'pass',
  },
  {
    title: 'refuses a redirect to file:',
    url: (p) => `http://127.0.0.3:${p}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`,
    code: 'egress_protocol',
    fetchApi: 'skip',
    agents: 'skip',
    check: 'pass',
  },
  // The partner allowlist: suffix/prefix confusion.
  {
    title: 'refuses the bare suffix partner.test under *.partner.test',
    url: h('partner.test'),
    code: 'egress_host',
    policy: 'partner',
  },
  {
    title: 'refuses two labels a.b.partner.test under *.partner.test',
    url: h('a.b.partner.test'),
    code: 'egress_host',
    policy: 'partner',
  },
  {
    title: 'refuses the prefix confusion evilpartner.test',
    url: h('evilpartner.test'),
    code: 'egress_host',
    policy: 'partner',
  },
  {
    title: 'refuses the suffix confusion partner.test.evil.test',
    url: h('partner.test.evil.test'),
    code: 'egress_host',
    policy: 'partner',
  },
  {
    title: 'refuses exact.test.evil.test next to exact.test',
    url: h('exact.test.evil.test'),
    code: 'egress_host',
    policy: 'partner',
  },
  { title: 'refuses a literal not in the allowlist', url: h('127.0.0.3'), code: 'egress_host', policy: 'partner' },
  {
    title: 'refuses an allowed name that resolves internal (evil.partner.test)',
    url: h('evil.partner.test'),
    code: 'egress_address',
    policy: 'partner',
    check: 'pass',
  },
  {
    title: 'refuses an allowed name in capitals with a trailing dot that resolves internal',
    url: h('EVIL.Partner.Test.'),
    code: 'egress_address',
    policy: 'partner',
    check: 'pass',
  },
];

let trio: { publicServer: StandIn; internal: StandIn; loopback6: StandIn };
let tls: StandIn;
let dns: TestDns;
let policies: Record<'public' | 'partner', EgressPolicy>;
let dispatchers: Record<'public' | 'partner', Dispatcher>;
let agents: Record<'public' | 'partner', SafeAgents>;

function internalHits(): number {
  return trio.internal.hits() + trio.loopback6.hits();
}

function codeOf(error: unknown): string {
  let e: unknown = error;
  for (let i = 0; i < 5 && typeof e === 'object' && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('egress_')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof TypeError ? 'native' : `unexpected: ${String(error)}`;
}

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'allowed';
  } catch (error) {
    return codeOf(error);
  }
}

function viaAgent(url: string, a: SafeAgents): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const req = client.get(u, { agent: u.protocol === 'https:' ? a.httpsAgent : a.httpAgent }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  // Stand-ins listen before any policy exists: the policy refuses sockets this process opens later.
  trio = await startTrio();
  const cert = await generateCert(['api.partner.test', 'exact.test']);
  tls = await startHttps('127.0.0.3', cert);
  dns = await startDns();
  dns.set('public.test', { a: ['127.0.0.3'] });
  dns.set('internal.test', { a: ['127.0.0.2'] });
  dns.set('mapped.test', { aaaa: ['::ffff:127.0.0.2'] });
  dns.set('mixed.test', { a: ['127.0.0.3'], aaaa: ['::1'] });
  dns.set('mixed4.test', { a: ['127.0.0.3', '127.0.0.2'] });
  dns.set('empty.test', {});
  dns.set('metadata.test', { a: ['169.254.169.254'] });
  dns.set('api.partner.test', { a: ['127.0.0.3'] });
  dns.set('evil.partner.test', { a: ['127.0.0.2'] });
  const common = {
    protocols: ['http:', 'https:'] as const,
    ports: [trio.publicServer.port, tls.port],
    allowAddresses: ['127.0.0.3'],
    resolver: dns.resolver(),
    ca: cert.cert,
    maxRedirects: 3,
    timeouts: { dnsMs: 3000, connectMs: 3000, headersMs: 3000, bodyMs: 3000, totalMs: 8000 },
  };
  policies = {
    public: createEgressPolicy({ ...common, hosts: 'public' }),
    partner: createEgressPolicy({ ...common, hosts: ['*.partner.test', 'exact.test'] }),
  };
  dispatchers = { public: createSafeDispatcher(policies.public), partner: createSafeDispatcher(policies.partner) };
  agents = { public: createSafeAgents(policies.public), partner: createSafeAgents(policies.partner) };
});

afterAll(async () => {
  for (const d of Object.values(dispatchers ?? {})) await d.close();
  for (const a of Object.values(agents ?? {})) {
    a.httpAgent.destroy();
    a.httpsAgent.destroy();
  }
  await Promise.all([
    trio?.publicServer.close(),
    trio?.internal.close(),
    trio?.loopback6.close(),
    tls?.close(),
    dns?.close(),
  ]);
});

describe('the corpus is large enough', () => {
  it('has at least 70 URLs', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(70);
  });
});

describe.each(ROWS)('$title [ASVS V1.3.6, V13.2.5]', (row) => {
  const which = row.policy ?? 'public';
  const url = (): string => row.url(trio.publicServer.port, tls.port);
  const expectations: [Entry, Expect | 'pass'][] = [
    ['check', row.check ?? (row.code === 'egress_dns' ? 'pass' : row.code)],
    ['safeFetch', row.code],
    ['dispatcher', row.fetchApi ?? row.code],
    ['agents', row.agents ?? row.code],
    ['global', row.fetchApi ?? row.code],
  ];
  it.each(expectations.filter(([, e]) => e !== 'skip'))(
    'through %s: %s, internal server not hit',
    async (entry, expected) => {
      const before = internalHits();
      let got: string;
      switch (entry) {
        case 'check': {
          const r = policies[which].check(url());
          got = r.ok ? 'pass' : r.error.code;
          break;
        }
        case 'safeFetch':
          got = await outcome(() => safeFetch(policies[which], url()));
          break;
        case 'dispatcher':
          got = await outcome(() => undiciFetch(url(), { dispatcher: dispatchers[which] }));
          break;
        case 'agents':
          got = await outcome(() => viaAgent(url(), agents[which]));
          break;
        case 'global': {
          const restore = installGlobalEgressGuard(policies[which]);
          try {
            got = await outcome(() => globalThis.fetch(url()));
          } finally {
            restore();
          }
          break;
        }
      }
      expect(got).toBe(expected);
      expect(internalHits()).toBe(before);
      expect(internalHits()).toBe(0);
    },
  );
});
