import { pino } from 'pino';
import { createLogger, DEFAULT_REDACT_PATHS, scrubText } from '@portcullis/logging';
const discard = { write: (_l: string): void => undefined };
function time(name: string, fn: () => void, n = 200_000) {
  for (let i = 0; i < 20_000; i++) fn();
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const d = process.cpuUsage(t);
  console.log(name.padEnd(40), ((d.user + d.system) / n * 1000).toFixed(0), 'ns/op');
}
const plain = pino({ redact: { paths: ['req.headers.authorization'], censor: 'x' } }, discard);
const many = pino({ redact: { paths: [...DEFAULT_REDACT_PATHS], censor: 'x' } }, discard);
const noWild = pino({ redact: { paths: DEFAULT_REDACT_PATHS.filter((p) => !p.startsWith('*')), censor: 'x' } }, discard);
const ours = createLogger({ destination: discard });
const obj = () => ({ res: { statusCode: 200 }, responseTime: 3 });
time('plain pino log', () => plain.info(obj(), 'request completed'));
time('pino default paths log', () => many.info(obj(), 'request completed'));
time('pino no-wildcard paths log', () => noWild.info(obj(), 'request completed'));
time('createLogger log', () => ours.info(obj(), 'request completed'));
const req = { id: 'abc', method: 'GET', url: '/items/42?page=2', headers: { 'user-agent': 'x', accept: 'y' } };
time('plain child', () => plain.child({ req }));
time('many child', () => many.child({ req }));
time('ours child', () => ours.child({ req }));
time('scrubText short', () => scrubText('request completed'));
time('scrubText query', () => scrubText('?page=2&sort=asc'));
