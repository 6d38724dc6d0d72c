// Micro-benchmark of the per-request path: strictCors vs `cors` configured with an origin array, same fake req/res.
// Run: npm run bench -w @portcullis/cors   (numbers are ratios measured in the same run; no network involved)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import cors from 'cors';
import { strictCors } from '@portcullis/cors';

const ORIGINS = ['https://app.example.com', 'https://admin.example.com', 'https://partner.example.org'];

function fakeRes(): ServerResponse {
  const headers = new Map<string, unknown>();
  return {
    statusCode: 200,
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
    end: () => undefined,
  } as unknown as ServerResponse;
}

function fakeReq(origin: string | undefined, method = 'GET'): IncomingMessage {
  return { method, headers: origin === undefined ? {} : { origin } } as unknown as IncomingMessage;
}

type Mw = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

function measure(name: string, mw: Mw, origin: string | undefined, iterations = 300_000): number {
  const next = (): void => undefined;
  for (let i = 0; i < 20_000; i++) mw(fakeReq(origin), fakeRes(), next); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) mw(fakeReq(origin), fakeRes(), next);
  const ns = ((performance.now() - start) * 1e6) / iterations;
  process.stdout.write(`${name.padEnd(48)} ${ns.toFixed(0).padStart(6)} ns/request\n`);
  return ns;
}

const strict = strictCors({ origins: ORIGINS, credentials: true });
const peer = cors({ origin: ORIGINS, credentials: true, exposedHeaders: ['X-Request-Id'] }) as unknown as Mw;

for (const [label, origin] of [
  ['allowed origin', 'https://partner.example.org'],
  ['rejected origin', 'https://evil.example.net'],
  ['no Origin', undefined],
] as const) {
  const a = measure(`strictCors, ${label}`, strict, origin);
  const b = measure(`cors (origin array), ${label}`, peer, origin);
  process.stdout.write(`${''.padEnd(48)} ratio strictCors/cors = ${(a / b).toFixed(2)}\n`);
}
