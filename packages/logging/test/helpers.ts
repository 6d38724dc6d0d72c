// Test helpers: a capturing pino destination and a way to wait for the request-completed line.
import { createLogger, type LoggerOptions } from '@portcullis/logging';

export interface Capture {
  readonly lines: string[];
  readonly text: () => string;
  readonly entries: () => Record<string, unknown>[];
}

export function capture(): Capture & { destination: { write: (s: string) => void } } {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (s: string) => void lines.push(s) },
    text: () => lines.join(''),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function capturedLogger(options: Omit<LoggerOptions, 'destination'> = {}) {
  const out = capture();
  const logger = createLogger({ ...options, destination: out.destination });
  return { logger, out };
}

/** Waits until a line matching `predicate` was written (the completion line follows 'finish'). */
export async function waitForLine(
  out: Capture,
  predicate: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const found = out.entries().find(predicate);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no matching log line in:\n${out.text()}`);
}

export const isCompletion = (e: Record<string, unknown>): boolean =>
  e.msg === 'request completed' || e.msg === 'request errored';
