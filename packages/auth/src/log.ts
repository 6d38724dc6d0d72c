// Structural access to a request logger (pino-http's req.log or anything with the same methods); never console.
import type { IncomingMessage } from 'node:http';

type LogFn = (obj: object, msg?: string) => void;
type Level = 'debug' | 'info' | 'warn';

/** Logs to `req.log[level]` when the request carries such a method (falling back to info); otherwise drops it. */
export function logTo(req: IncomingMessage, level: Level, obj: Record<string, unknown>, msg: string): void {
  const log: unknown = (req as { log?: unknown }).log;
  if (typeof log !== 'object' || log === null) return;
  const logger = log as Partial<Record<Level, unknown>>;
  const fn = typeof logger[level] === 'function' ? logger[level] : logger.info;
  if (typeof fn !== 'function') return;
  try {
    (fn as LogFn).call(log, obj, msg);
  } catch {
    // A broken logger must not turn a denial into a 500.
  }
}
