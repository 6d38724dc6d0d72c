// Per-request cost of rateLimit() (memory store) in-process: Express 5 req/res objects (real prototypes,
// fake socket), interleaved rounds against a bare `next()` middleware. Run from the repo root:
//   node_modules/.bin/tsx --conditions=@portcullis/source packages/ratelimit/bench/per-request.ts
// Env: ROUNDS (8), ITER (50000 per round), VARIANTS (comma list of names below).
import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from '@portcullis/ratelimit';

// BASELINE=1: also load the previous commit's src from bench/.baseline (copied there by hand) as "before".
const baselinePath = './.baseline/index.js';
const before =
  process.env['BASELINE'] === '1'
    ? ((await import(baselinePath)) as { rateLimit: typeof rateLimit }).rateLimit
    : undefined;

const ROUNDS = Number(process.env['ROUNDS'] ?? 8);
const ITER = Number(process.env['ITER'] ?? 50_000);
const app = express();

const sockets = new Map<string, Socket>();
function pair(ip: string): { req: Request; res: Response } {
  let socket = sockets.get(ip);
  if (socket === undefined) {
    socket = new Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: ip });
    sockets.set(ip, socket);
  }
  const req = new IncomingMessage(socket) as Request;
  req.method = 'GET';
  req.url = '/';
  req.headers = { host: 'bench' };
  Object.setPrototypeOf(req, app.request);
  (req as { app: unknown }).app = app;
  const res = new ServerResponse(req) as Response;
  Object.setPrototypeOf(res, app.response);
  (res as { app: unknown }).app = app;
  (res as { req: unknown }).req = req;
  return { req, res };
}

function bare(_req: Request, _res: Response, next: NextFunction): void {
  next();
}

const variants: Record<string, () => RequestHandler> = {
  bare: () => bare,
  current: () => rateLimit({ name: 'api', windowMs: 60_000, limit: 1e9 }),
  ...(before === undefined ? {} : { before: () => before({ name: 'api', windowMs: 60_000, limit: 1e9 }) }),
};
const selected = (process.env['VARIANTS'] ?? Object.keys(variants).join(',')).split(',');
const ip = process.env['IP'] ?? '127.0.0.1';

async function run(mw: RequestHandler): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITER; i += 1) {
    const { req, res } = pair(ip);
    await new Promise<void>((resolve, reject) => {
      void mw(req, res, (err?: unknown) => {
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error('next() got a non-Error'));
      });
    });
  }
  return Number(process.hrtime.bigint() - start) / 1000 / ITER;
}

const runs = selected.map((n) => {
  const make = variants[n];
  if (make === undefined) throw new Error(`unknown variant ${n}`);
  return { name: n, mw: make(), times: [] as number[] };
});
for (let r = 0; r < ROUNDS; r += 1) {
  for (const v of r % 2 === 0 ? runs : [...runs].reverse()) v.times.push(await run(v.mw));
}
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const base = median(runs.find((v) => v.name === 'bare')?.times ?? [0]);
for (const v of runs) {
  const m = median(v.times);
  process.stdout.write(
    `${v.name.padEnd(12)} ${m.toFixed(2)} µs/req  (+${(m - base).toFixed(2)} over bare)  rounds: ${v.times.map((x) => x.toFixed(2)).join(' ')}\n`,
  );
}
// Paired per-round differences are steadier than medians on a busy machine.
const later = runs.find((v) => v.name === 'current');
for (const v of runs) {
  if (later === undefined || v === later || v.name === 'bare') continue;
  const diffs = v.times.map((t, i) => t - (later.times[i] ?? Number.NaN));
  process.stdout.write(`${v.name} - current, median of paired rounds: ${median(diffs).toFixed(2)} µs/req\n`);
}
process.exit(0);
