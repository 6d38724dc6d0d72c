// req.id and req.log on Express requests, set by requestLogger (through pino-http).
//
// pino-http declares the same two properties on node:http's IncomingMessage, which Express's
// Request extends. Express's Request extends both that and Express.Request, so the two
// declarations must be identical — same types, both required — or every program that loads both
// (this package's sources load pino-http; so does any app that imports pino-http itself) fails to
// type-check with skipLibCheck off ("cannot simultaneously extend"). Hence pino-http's types
// exactly: requestLogger always sets a string id; narrow with `typeof req.id === 'string'`.
import type { Logger } from 'pino';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point is this global namespace.
  namespace Express {
    interface Request {
      /** The request id set by requestLogger (a validated X-Request-Id or a random UUID; always a string). Typed as pino-http types it. */
      id: string | number | object;
      /** The request-scoped logger set by requestLogger (bound to the serialized request). */
      log: Logger;
    }
  }
}

export {};
