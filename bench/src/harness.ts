// Harness pieces shared by run.ts, profile.ts and the smoke test: fork a variant's server, load it with autocannon.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { PATH, requestHeaders, type Material, type TokenRotation } from './shared.js';
import type { FromServer } from './server.js';

const SERVER_FILE = fileURLToPath(new URL('./server.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface RunningServer {
  /** Variant name(s), comma-separated. */
  readonly name: string;
  /** Port of the first (usually only) variant. */
  readonly port: number;
  /** Port of each variant this child serves. */
  readonly ports: Readonly<Record<string, number>>;
  readonly child: ChildProcess;
}

/**
 * Forks a server child (tsx, source condition) for one variant — or several, one port each, when
 * `name` is a comma-separated list (the smoke test: one start instead of eleven) — and resolves
 * with its loopback port(s).
 */
export function startServer(
  name: string,
  material: Material,
  extraExecArgv: readonly string[] = [],
): Promise<RunningServer> {
  const child = fork(SERVER_FILE, [name], {
    execArgv: ['--import', 'tsx', '--conditions=@portcullis/source', ...extraExecArgv],
    env: { ...process.env, NODE_ENV: 'production', BENCH_MATERIAL: JSON.stringify(material) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const onMessage = (m: FromServer): void => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve({ name, port: m.ports[name.split(',')[0] ?? ''] ?? 0, ports: m.ports, child });
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${name}: ${m.message}`));
      }
    };
    child.on('message', onMessage);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: server exited with ${String(code)} before it was ready`));
    });
  });
}

/** Asks the child to close and exit (so a --cpu-prof profile gets written); SIGKILL after `graceMs`. */
export function stopServer(server: RunningServer, graceMs = 10_000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send('stop');
    else child.kill('SIGTERM');
  });
}

/** The server process's CPU time so far (user + system), in microseconds. */
export function cpuOf(server: RunningServer): Promise<number> {
  const { child } = server;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${server.name}: no CPU reading`));
    }, 5_000);
    const onMessage = (m: FromServer): void => {
      if (m.type !== 'cpu') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.micros);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

export interface LoadResult {
  /** Completed requests per second over the run. */
  readonly rps: number;
  /** Median latency, ms. */
  readonly p50: number;
  /** 99th percentile latency, ms. */
  readonly p99: number;
  /** Completed requests. */
  readonly total: number;
  /** Responses that were not 2xx, plus connection errors and timeouts: must be 0. */
  readonly failures: number;
}

/**
 * Loads GET /cases/123 with `connections` keep-alive connections for `seconds` (bounded by autocannon's
 * duration). Every request carries the next token of `tokens` (one counter shared by all connections).
 */
export async function load(
  port: number,
  tokens: TokenRotation,
  seconds: number,
  connections = 10,
): Promise<LoadResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path: PATH,
        headers: requestHeaders(tokens.next()),
        // Rebuilt per request (autocannon calls it each time): same headers, the next user's token.
        setupRequest: (req) => {
          req.headers = { ...req.headers, authorization: `Bearer ${tokens.next()}` };
          return req;
        },
      },
    ],
  });
  const elapsed = result.duration > 0 ? result.duration : seconds;
  return {
    rps: result.requests.total / elapsed,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
