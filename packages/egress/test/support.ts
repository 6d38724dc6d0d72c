// Loopback stand-ins for the egress tests: an "internal" server, a "public" one, ::1, HTTPS for api.partner.test, a UDP DNS server.
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as dnsPacket from 'dns-packet';

export interface StandIn {
  readonly port: number;
  /** Requests received so far. */
  hits(): number;
  /** Requests received, newest last. */
  readonly requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

const GZIP_BOMB = gzipSync(Buffer.alloc(20 * 1024 * 1024), { level: 9 });

/** The "public" routes: /ok, /echo, /redirect?to=&status=, /slow-headers, /slowloris, /gzip-bomb, /big. */
function publicRoutes(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/echo':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
      return;
    case '/redirect':
      res.statusCode = Number(url.searchParams.get('status') ?? '302');
      res.setHeader('location', url.searchParams.get('to') ?? '/ok');
      res.end();
      return;
    case '/slow-headers':
      setTimeout(() => res.end('late'), 5000).unref();
      return;
    case '/slowloris': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 20);
      timer.unref();
      res.on('close', () => {
        clearInterval(timer);
      });
      return;
    }
    case '/gzip-bomb':
      res.writeHead(200, {
        'content-encoding': 'gzip',
        'content-type': 'text/plain',
        'content-length': GZIP_BOMB.length,
      });
      res.end(GZIP_BOMB);
      return;
    case '/big':
      res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) });
      res.end(Buffer.alloc(2 * 1024 * 1024));
      return;
    case '/csv':
      res.setHeader('content-type', 'text/csv');
      res.end('title\nA case\n');
      return;
    default:
      res.end('ok');
  }
}

function handlerFor(requests: StandIn['requests']): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      publicRoutes(req, res, body);
    });
  };
}

function standIn(server: http.Server | https.Server, requests: StandIn['requests']): StandIn {
  return {
    port: (server.address() as AddressInfo).port,
    hits: () => requests.length,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** An HTTP stand-in on `address` (port 0 = any). */
export async function startHttp(address: string, port = 0): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  const server = http.createServer(handlerFor(requests));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      resolve();
    });
  });
  return standIn(server, requests);
}

/** An HTTPS stand-in with the given certificate. */
export async function startHttps(address: string, cert: TestCert): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  const server = https.createServer({ key: cert.key, cert: cert.cert }, handlerFor(requests));
  await new Promise<void>((resolve) =>
    server.listen(0, address, () => {
      resolve();
    }),
  );
  return standIn(server, requests);
}

/** Internal (127.0.0.2) and [::1] on the same port as the public stand-in (127.0.0.3), so only the address differs. */
export async function startTrio(): Promise<{ publicServer: StandIn; internal: StandIn; loopback6: StandIn }> {
  for (let attempt = 0; ; attempt++) {
    const publicServer = await startHttp('127.0.0.3');
    try {
      const internal = await startHttp('127.0.0.2', publicServer.port);
      const loopback6 = await startHttp('::1', publicServer.port);
      return { publicServer, internal, loopback6 };
    } catch (error) {
      await publicServer.close();
      if (attempt > 5) throw error;
    }
  }
}

/** A self-signed test-only certificate generated at run time (never committed). */
export interface TestCert {
  readonly key: string;
  readonly cert: string;
}

/** Generates a throwaway self-signed certificate for `names` with the openssl CLI (argument array, no shell). */
export async function generateCert(names: readonly string[]): Promise<TestCert> {
  const dir = await mkdtemp(join(tmpdir(), 'egress-cert-'));
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      `/CN=${names[0] ?? 'test'}`,
      '-addext',
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    ]);
    return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the test DNS server answers for one question: records, NXDOMAIN, or silence. */
export type DnsAnswer = { a?: string[]; aaaa?: string[] } | 'nxdomain' | 'drop';

export interface TestDns {
  readonly port: number;
  /** Programs the answer for a name; a function is called per question (rebinding). */
  set(name: string, answer: DnsAnswer | ((type: 'A' | 'AAAA') => DnsAnswer)): void;
  /** Questions received for a name (A and AAAA counted separately). */
  queries(name: string): number;
  /** A Resolver pointed at this server only. */
  resolver(timeoutMs?: number): Resolver;
  close(): Promise<void>;
}

/** A loopback UDP DNS server with programmable answers (TTL 0), NXDOMAIN and "never answers". */
export async function startDns(): Promise<TestDns> {
  const answers = new Map<string, DnsAnswer | ((type: 'A' | 'AAAA') => DnsAnswer)>();
  const counts = new Map<string, number>();
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    const name = question.name.toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const type = question.type === 'AAAA' ? 'AAAA' : 'A';
    const programmed = answers.get(name);
    const answer = typeof programmed === 'function' ? programmed(type) : (programmed ?? 'nxdomain');
    if (answer === 'drop') return;
    const records: dnsPacket.Answer[] =
      answer === 'nxdomain'
        ? []
        : (type === 'A' ? (answer.a ?? []) : (answer.aaaa ?? [])).map((data) => ({
            type,
            name: question.name,
            ttl: 0,
            class: 'IN',
            data,
          }));
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answer === 'nxdomain' ? 3 : 0),
      questions: [question],
      answers: records,
    });
    socket.send(response, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) =>
    socket.bind(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  const port = socket.address().port;
  return {
    port,
    set: (name, answer) => answers.set(name.toLowerCase(), answer),
    queries: (name) => counts.get(name.toLowerCase()) ?? 0,
    resolver(timeoutMs = 2000) {
      const r = new Resolver({ timeout: timeoutMs, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      return r;
    },
    close: () =>
      new Promise<void>((resolve) =>
        socket.close(() => {
          resolve();
        }),
      ),
  };
}
