// Micro benchmark: CPU time per request of the middleware alone (no Express, no network), requestLogger
// vs plain pino-http with redact of the same four header paths, both to a discarding stream. Stable on
// a busy machine where the autocannon run is noisy; used to find hot spots (`node --cpu-prof`).
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { createLogger, requestLogger } from '@portcullis/logging';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const discard = { write: (_line: string): void => undefined };
const plain: Middleware = pinoHttp({
  logger: pino(
    {
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["proxy-authorization"]',
          'req.headers["x-api-key"]',
        ],
        censor: '[REDACTED]',
      },
    },
    discard,
  ),
});
const ours: Middleware = requestLogger({ logger: createLogger({ destination: discard }) });
const socket = new Socket();
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50_000);

function oneRequest(middleware: Middleware): void {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/items/42?page=2&sort=asc';
  req.headers = {
    host: '127.0.0.1:3000',
    authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl',
    'user-agent': 'autocannon-bench',
    accept: 'application/json',
    connection: 'keep-alive',
  };
  const res = new ServerResponse(req);
  middleware(req, res, () => undefined);
  res.statusCode = 200;
  res.emit('finish');
}

function nsPerRequest(middleware: Middleware): number {
  for (let i = 0; i < 10_000; i++) oneRequest(middleware);
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) oneRequest(middleware);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / ITERATIONS;
}

const only = process.env.ONLY;
const rows: string[] = [];
for (let round = 0; round < 3; round++) {
  const base = only === 'portcullis' ? Number.NaN : nsPerRequest(plain);
  const mine = only === 'pino-http' ? Number.NaN : nsPerRequest(ours);
  rows.push(
    `round ${round + 1}: pino-http ${base.toFixed(0)} ns/request, requestLogger ${mine.toFixed(0)} ns/request, extra ${(mine - base).toFixed(0)} ns`,
  );
}
process.stdout.write(`${rows.join('\n')}\n`);
