// Retention: idempotency records and exports expire, and a sweeper deletes them, so that no client can grow
// the database or the disk without bound and no Idempotency-Key replays forever.
import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import type { AppLogger } from './app.js';
import type { Repository } from './storage/index.js';
import { isExportName } from './validation.js';

/** IDEMPOTENCY_TTL_SEC default: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_SEC = 86_400;
/** EXPORT_TTL_SEC default: 1 hour. */
export const DEFAULT_EXPORT_TTL_SEC = 3600;
/** Longest pause between two sweeps, milliseconds (15 minutes). */
export const MAX_SWEEP_INTERVAL_MS = 15 * 60_000;
/** Rows per table, and files, one sweep deletes at most. */
export const DEFAULT_SWEEP_BATCH = 10_000;

/**
 * The ISO 8601 instant `ttlSec` seconds before `now`: a record created before it is expired. Stored
 * timestamps are `toISOString()` texts of fixed width, so the databases compare them as text.
 */
export function expiredBefore(now: Date, ttlSec: number): string {
  return new Date(now.getTime() - ttlSec * 1000).toISOString();
}

/** Pause between sweeps: a quarter of the shorter TTL, at most {@link MAX_SWEEP_INTERVAL_MS}. */
export function sweepIntervalMs(idempotencyTtlSec: number, exportTtlSec: number): number {
  return Math.min(
    MAX_SWEEP_INTERVAL_MS,
    Math.max(1000, Math.floor((Math.min(idempotencyTtlSec, exportTtlSec) * 1000) / 4)),
  );
}

/** Throws unless `value` is a positive whole number (a TTL or a batch size). */
export function checkPositiveInteger(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    const shown = typeof value === 'number' || typeof value === 'string' ? JSON.stringify(value) : typeof value;
    throw new TypeError(`case-api: ${owner} "${name}" must be a positive whole number (got ${shown})`);
  }
}

/** Options of {@link createRetentionSweeper}. */
export interface RetentionSweeperOptions {
  /** The database, migrated. */
  readonly repo: Repository;
  /** The directory the service writes export files to. */
  readonly exportsDir: string;
  /** Failures and what was deleted are logged here (never to the console). */
  readonly logger: AppLogger;
  /** Age after which an idempotency record is deleted, seconds. */
  readonly idempotencyTtlSec: number;
  /** Age after which an export record and an export file (by its mtime) are deleted, seconds. */
  readonly exportTtlSec: number;
  /** Clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** Rows per table, and files, one sweep deletes at most; the rest waits for the next sweep. @default 10000 */
  readonly batchSize?: number | undefined;
}

/** What one sweep deleted. */
export interface SweepResult {
  readonly idempotencyRecords: number;
  readonly exportRecords: number;
  readonly exportFiles: number;
  /** Steps or files that failed (each logged); 0 when everything went through. */
  readonly failures: number;
}

/** The running sweeper. */
export interface RetentionSweeper {
  /** Pause between two sweeps, milliseconds. */
  readonly intervalMs: number;
  /** Runs one sweep now (or joins the one running). Never rejects: failures are logged and counted. */
  sweep(): Promise<SweepResult>;
  /** Sweeps now, then every `intervalMs` on an unref'd timer. Once only. */
  start(): void;
  /** Clears the timer and waits for a running sweep; later sweeps do nothing. Call before closing the database. */
  stop(): Promise<void>;
}

const NOTHING: SweepResult = Object.freeze({ idempotencyRecords: 0, exportRecords: 0, exportFiles: 0, failures: 0 });

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Deletes at most `max` export files older than `beforeMs` from `dir`: only names the service generates,
 * only regular files (lstat: a symlink is never followed, a directory never entered) owned by this
 * process's user, only directly inside `dir`. A file that vanished meanwhile is skipped.
 */
async function sweepExportFiles(
  dir: string,
  beforeMs: number,
  max: number,
  onError: (error: unknown) => void,
): Promise<number> {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  let deleted = 0;
  const entries = await opendir(dir);
  for await (const entry of entries) {
    if (deleted >= max) break;
    if (!isExportName(entry.name)) continue;
    // The name has no separator (isExportName), so the path stays directly inside dir.
    const path = join(dir, entry.name);
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated name inside the export directory
      const info = await lstat(path);
      if (!info.isFile() || (uid !== undefined && info.uid !== uid) || info.mtimeMs >= beforeMs) continue;
      // unlink removes a directory entry, never what a symlink points to (swapped in after lstat or not).
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated name inside the export directory
      await unlink(path);
      deleted += 1;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') onError(error);
    }
  }
  return deleted;
}

/** Builds the sweeper; nothing runs until {@link RetentionSweeper.start} or {@link RetentionSweeper.sweep}. */
export function createRetentionSweeper(options: RetentionSweeperOptions): RetentionSweeper {
  const owner = 'retention sweeper';
  checkPositiveInteger(owner, 'idempotencyTtlSec', options.idempotencyTtlSec);
  checkPositiveInteger(owner, 'exportTtlSec', options.exportTtlSec);
  const batch = options.batchSize ?? DEFAULT_SWEEP_BATCH;
  checkPositiveInteger(owner, 'batchSize', batch);
  const { repo, exportsDir, logger, idempotencyTtlSec, exportTtlSec } = options;
  const now = options.now ?? (() => new Date());
  const intervalMs = sweepIntervalMs(idempotencyTtlSec, exportTtlSec);

  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopped = false;
  let running: Promise<SweepResult> | undefined;

  async function runSweep(): Promise<SweepResult> {
    const at = now();
    let failures = 0;
    const failed = (step: string) => (error: unknown) => {
      failures += 1;
      logger.error({ err: error, step }, 'retention sweep failed');
    };
    const step = async (name: string, work: () => Promise<number>): Promise<number> => {
      try {
        const count = await work();
        if (count >= batch)
          logger.warn(
            { step: name, batchSize: batch },
            'retention sweep hit its batch size; the rest goes in the next sweep',
          );
        return count;
      } catch (error) {
        failed(name)(error);
        return 0;
      }
    };
    const idempotencyRecords = await step('idempotency_records', () =>
      repo.sweepIdempotency(expiredBefore(at, idempotencyTtlSec), batch),
    );
    const exportRecords = await step('export_records', () => repo.sweepExports(expiredBefore(at, exportTtlSec), batch));
    const exportFiles = await step('export_files', () =>
      sweepExportFiles(exportsDir, at.getTime() - exportTtlSec * 1000, batch, failed('export_file')),
    );
    const result = { idempotencyRecords, exportRecords, exportFiles, failures };
    if (idempotencyRecords + exportRecords + exportFiles > 0) logger.info(result, 'retention sweep');
    return result;
  }

  function sweep(): Promise<SweepResult> {
    if (stopped) return Promise.resolve(NOTHING);
    // One sweep at a time: a slow one is joined, never overlapped.
    running ??= runSweep()
      .catch((error: unknown) => {
        logger.error({ err: error, step: 'sweep' }, 'retention sweep failed');
        return { ...NOTHING, failures: 1 };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return Object.freeze({
    intervalMs,
    sweep,
    start() {
      if (started) throw new Error('case-api: the retention sweeper was already started');
      started = true;
      if (stopped) return;
      void sweep();
      timer = setInterval(function sweepTick() {
        void sweep();
      }, intervalMs);
      // The sweeper never keeps the process alive; shutdown still stops it before closing the database.
      timer.unref();
      logger.info({ intervalMs, idempotencyTtlSec, exportTtlSec }, 'retention sweeper started');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
        logger.info('retention sweeper stopped');
      }
      await running;
    },
  });
}
