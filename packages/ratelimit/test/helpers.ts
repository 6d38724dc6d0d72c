// Test helpers: an app with a limiter, error handler last, and a recording logger.
import type { Express, RequestHandler } from 'express';
import { errorHandler } from '@portcullis/errors';
import { buildApp, type ExpressFlavour } from '../../../test-support/express.js';

/** An app: optional setup (trust proxy, auth stub), the limiter on every route, GET/POST /, then the error handler. */
export function limitedApp(flavour: ExpressFlavour, limiter: RequestHandler, setup?: (app: Express) => void): Express {
  return buildApp(flavour, (app) => {
    setup?.(app);
    app.use(flavour.json());
    app.use(limiter);
    app.get('/', (_req, res) => {
      res.json({ ok: true });
    });
    app.post('/login', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler());
  });
}

/** A logger that records calls. */
export function recordingLogger(): {
  warn: (o: object, m?: string) => void;
  error: (o: object, m?: string) => void;
  lines: { level: string; obj: object; msg: string | undefined }[];
} {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

/** Stub authentication: sets req.auth.subject from the X-Test-Subject header. */
export const stubAuth: RequestHandler = (req, _res, next) => {
  const subject = req.headers['x-test-subject'];
  if (typeof subject === 'string') (req as typeof req & { auth?: unknown }).auth = { subject };
  next();
};
