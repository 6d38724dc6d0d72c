// One benchmark server: an Express 5 app with either requestLogger or plain pino-http, logging to a discarding stream.
import express, { type Request, type Response } from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { createLogger, requestLogger } from '@portcullis/logging';

const variant = process.argv[2];
// Both variants write every line to the same stream that drops it: the cost measured is building the line.
const discard = { write: (_line: string): void => undefined };

const app = express();
app.disable('x-powered-by');
if (variant === 'portcullis') {
  app.use(requestLogger({ logger: createLogger({ destination: discard }) }));
} else if (variant === 'pino-http') {
  const logger = pino(
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
  );
  app.use(pinoHttp({ logger }));
} else if (variant !== 'bare') {
  throw new Error(`unknown variant ${String(variant)}`);
}
app.get('/items/:id', (req: Request, res: Response) => {
  res.json({ id: req.params.id, ok: true });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.send?.({ port: address.port });
});
// The parent asks for CPU time around each run: CPU per request is stable on a busy machine.
process.on('message', (m: unknown) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.on('disconnect', () => {
  server.close();
  process.exit(0);
});
