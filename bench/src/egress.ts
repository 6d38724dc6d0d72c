// `npm run bench:egress`: safeFetch's overhead over plain undici fetch on one keep-alive loopback connection (goal ≤ 1 ms p50).
// Calls alternate between the two (same server, same moment), after a warm-up; prints p50/p90/p99 and the p50 difference.
// Env: BENCH_EGRESS_CALLS (default 3000 per side).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { createEgressPolicy, safeFetch } from '@portcullis/egress';

const CALLS = Number(process.env['BENCH_EGRESS_CALLS'] ?? 3000);
const WARMUP = 300;
const BODY = Buffer.alloc(1024, 'x');

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(name: string, samples: number[]): { name: string; p50: number; p90: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { name, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99) };
}

async function main(): Promise<void> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(BODY);
  });
  // The server listens before the policy exists: a policy refuses sockets this process opens afterwards.
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/data?x=1`;
  const plainAgent = new Agent({ connections: 1 });
  const policy = createEgressPolicy({
    hosts: ['127.0.0.1'],
    protocols: ['http:'],
    ports: [port],
    allowAddresses: ['127.0.0.1'],
  });
  const plain = async (): Promise<void> => {
    const r = await fetch(url, { dispatcher: plainAgent });
    await r.arrayBuffer();
  };
  const safe = async (): Promise<void> => {
    const r = await safeFetch(policy, url);
    await r.arrayBuffer();
  };
  for (let i = 0; i < WARMUP; i++) {
    await plain();
    await safe();
  }
  const times = { plain: [] as number[], safe: [] as number[] };
  for (let i = 0; i < CALLS; i++) {
    // Alternate which goes first, so neither always runs on a just-warmed path.
    for (const [name, op] of i % 2 === 0
      ? ([
          ['plain', plain],
          ['safe', safe],
        ] as const)
      : ([
          ['safe', safe],
          ['plain', plain],
        ] as const)) {
      const start = process.hrtime.bigint();
      await op();
      times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const a = summary('undici fetch (keep-alive)', times.plain);
  const b = summary('safeFetch (keep-alive)', times.safe);
  const ms = (n: number): string => `${n.toFixed(3)} ms`;
  process.stdout.write(
    `${CALLS} calls each, 1 KiB body, one keep-alive loopback connection, Node ${process.version}\n`,
  );
  for (const s of [a, b])
    process.stdout.write(`${s.name.padEnd(28)} p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}\n`);
  const overhead = b.p50 - a.p50;
  process.stdout.write(
    `safeFetch overhead at p50: ${ms(overhead)} (goal ≤ 1 ms: ${overhead <= 1 ? 'met' : 'NOT met'})\n`,
  );
  await plainAgent.close();
  server.closeAllConnections();
  server.close();
}

await main();
