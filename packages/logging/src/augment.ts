// The per-request augmentation requestLogger provides: req.id and req.log on Express requests.
import type { Logger } from 'pino';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point is this global namespace.
  namespace Express {
    interface Request {
      /** The request id set by requestLogger (validated X-Request-Id or a random UUID). */
      id?: string;
      /** The request-scoped logger set by requestLogger (bound to the request id). */
      log?: Logger;
    }
  }
}

export {};
