// A concurrency gate for the hashing work: at most N computations at once, a bounded FIFO queue, a wait timeout.
import { HasherBusyError } from './errors.js';

/** What the gate has seen; `peakRunning` never exceeds `maxConcurrency`. */
export interface GateStats {
  /** Computations running now. */
  readonly running: number;
  /** Calls waiting for a slot now. */
  readonly queued: number;
  /** Most computations ever running at once. */
  readonly peakRunning: number;
  /** Computations started since creation (a refused stored hash starts none). */
  readonly started: number;
  /** Calls refused with 503 (queue full or wait timed out). */
  readonly rejected: number;
}

interface Waiter {
  readonly start: () => void;
  readonly timer: NodeJS.Timeout;
}

/** The gate: `run(task)` runs `task` when a slot is free, or rejects with HasherBusyError. */
export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  stats(): GateStats;
}

/** Creates a gate. All numbers are validated by the caller. */
export function createGate(maxConcurrency: number, maxQueue: number, queueTimeoutMs: number): Gate {
  let running = 0;
  let peakRunning = 0;
  let started = 0;
  let rejected = 0;
  const queue: Waiter[] = [];
  // Retry-After: about the time the queue needs to drain, at least one second.
  const retryAfterSec = Math.max(1, Math.ceil(queueTimeoutMs / 1000));

  function release(): void {
    running -= 1;
    const next = queue.shift();
    if (next !== undefined) {
      clearTimeout(next.timer);
      next.start();
    }
  }

  function begin<T>(task: () => Promise<T>): Promise<T> {
    running += 1;
    started += 1;
    if (running > peakRunning) peakRunning = running;
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error('hashing task failed'));
    }
    return promise.finally(release);
  }

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      if (running < maxConcurrency) return begin(task);
      if (queue.length >= maxQueue) {
        rejected += 1;
        return Promise.reject(new HasherBusyError('queue_full', retryAfterSec));
      }
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            begin(task).then(resolve, reject);
          },
          timer: setTimeout(() => {
            const at = queue.indexOf(waiter);
            if (at !== -1) queue.splice(at, 1);
            rejected += 1;
            reject(new HasherBusyError('queue_timeout', retryAfterSec));
          }, queueTimeoutMs),
        };
        waiter.timer.unref();
        queue.push(waiter);
      });
    },
    stats: () => ({ running, queued: queue.length, peakRunning, started, rejected }),
  };
}
