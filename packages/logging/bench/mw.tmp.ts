import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { createLogger, requestLogger } from '@portcullis/logging';
const discard = { write: (_l: string): void => undefined };
const plain = pinoHttp({ logger: pino({ redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'req.headers["x-api-key"]'], censor: '[REDACTED]' } }, discard) });
const ours = requestLogger({ logger: createLogger({ destination: discard }) });
const socket = new Socket();
function once(mw: (req: IncomingMessage, res: ServerResponse, next: () => void) => void) {
  const req = new IncomingMessage(socket);
  req.method = 'GET'; req.url = '/items/42?page=2&sort=asc';
  req.headers = { host: '127.0.0.1:3000', authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl', 'user-agent': 'autocannon-bench', accept: 'application/json', connection: 'keep-alive' };
  const res = new ServerResponse(req);
  mw(req, res, () => undefined);
  res.statusCode = 200;
  res.emit('finish');
}
function time(name: string, fn: () => void, n = 50_000) {
  for (let i = 0; i < 10_000; i++) fn();
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const d = process.cpuUsage(t);
  console.log(name.padEnd(20), ((d.user + d.system) / n * 1000).toFixed(0), 'ns/req');
}
const base = () => { const req = new IncomingMessage(socket); const res = new ServerResponse(req); res.emit('finish'); };
const only = process.env.ONLY;
for (let k = 0; k < 3; k++) {
  if (only === "ours") { time("portcullis", () => once(ours), 200_000); continue; }
  time('baseline objects', base);
  time('pino-http', () => once(plain));
  time('portcullis', () => once(ours));
}
