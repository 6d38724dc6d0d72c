// Benchmark: requests/s of Express + requestLogger vs Express + plain pino-http (pino redact of the
// same four header paths), both to a discarding stream. Each server is its own child process on
// loopback; autocannon runs here; runs are interleaved so drift hits both variants alike.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const VARIANTS = ['pino-http', 'portcullis'] as const;
type Variant = (typeof VARIANTS)[number];
const WARMUP_SECONDS = 2;
const RUN_SECONDS = Number(process.env.BENCH_RUN_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CONNECTIONS = 50;
const serverFile = fileURLToPath(new URL('./server.ts', import.meta.url));

function start(variant: Variant): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(serverFile, [variant], {
    execArgv: ['--import', 'tsx', '--conditions=@portcullis/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => {
      resolve({ child, port: m.port });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`${variant} server exited with ${String(code)}`));
    });
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { cpu?: NodeJS.CpuUsage }): void => {
      if (m.cpu === undefined) return;
      child.off('message', onMessage);
      resolve(m.cpu.user + m.cpu.system);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

interface Run {
  /** Mean requests per second. */
  rps: number;
  /** Server CPU time per request, in microseconds. */
  cpuPerRequest: number;
}

async function measure(server: { child: ChildProcess; port: number }, seconds: number): Promise<Run> {
  const before = await cpuOf(server.child);
  const { rps, total } = await load(server.port, seconds);
  const after = await cpuOf(server.child);
  return { rps, cpuPerRequest: (after - before) / total };
}

async function load(port: number, seconds: number): Promise<{ rps: number; total: number }> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/items/42?page=2&sort=asc`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: {
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl',
      'user-agent': 'autocannon-bench',
      accept: 'application/json',
    },
  });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`errors during run: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return { rps: result.requests.average, total: result.requests.total };
}

const at = <T>(list: readonly T[], index: number): T => {
  const value = list[index];
  if (value === undefined) throw new Error(`no entry ${index}`);
  return value;
};
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? at(sorted, mid) : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
};

const servers = new Map<Variant, { child: ChildProcess; port: number }>();
const server = (v: Variant): { child: ChildProcess; port: number } => {
  const found = servers.get(v);
  if (found === undefined) throw new Error(`no ${v} server`);
  return found;
};
try {
  for (const v of VARIANTS) servers.set(v, await start(v));
  for (const v of VARIANTS) await load(server(v).port, WARMUP_SECONDS);
  const results: Record<Variant, number[]> = { 'pino-http': [], portcullis: [] };
  const cpu: Record<Variant, number[]> = { 'pino-http': [], portcullis: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which variant goes first so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) {
      const run = await measure(server(v), RUN_SECONDS);
      results[v].push(run.rps);
      cpu[v].push(run.cpuPerRequest);
    }
  }
  const ratios = results.portcullis.map((p, i) => p / at(results['pino-http'], i));
  const cpuRatios = cpu['pino-http'].map((c, i) => c / at(cpu.portcullis, i));
  const row = (label: string, v: Variant): string[] => [
    label,
    median(results[v]).toFixed(0),
    results[v].map((r) => r.toFixed(0)).join(', '),
    median(cpu[v]).toFixed(1),
  ];
  const rows = [
    ['variant', 'median req/s', 'runs (req/s)', 'server CPU µs/request (median)'],
    row('express + pino-http (redact 4 header paths)', 'pino-http'),
    row('express + @portcullis/logging requestLogger', 'portcullis'),
  ];
  process.stdout.write(
    `\nNode ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${RUN_SECONDS} s after ${WARMUP_SECONDS} s warm-up each\n\n`,
  );
  process.stdout.write(`| ${at(rows, 0).join(' | ')} |\n|---|---|---|---|\n`);
  for (const row of rows.slice(1)) process.stdout.write(`| ${row.join(' | ')} |\n`);
  process.stdout.write(
    `\nratio requestLogger / pino-http: ${median(ratios).toFixed(3)} (per round: ${ratios.map((r) => r.toFixed(3)).join(', ')}; target >= 0.9)\n`,
  );
  process.stdout.write(
    `CPU-based ratio (pino-http CPU per request / requestLogger CPU per request): ${median(cpuRatios).toFixed(3)} (per round: ${cpuRatios.map((r) => r.toFixed(3)).join(', ')})\n`,
  );
} finally {
  for (const { child } of servers.values()) child.disconnect();
}
