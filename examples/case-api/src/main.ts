// Entry point: load and check the configuration (refuse to start when unsafe), open storage, listen.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { createLogger } from '@portcullis/logging';
import { redisStore } from '@portcullis/ratelimit';
import { redisReplayStore } from '@portcullis/auth';
import { Redis } from 'ioredis';
import { createService } from './app.js';
import { loadOrCreateDevKeys, type DevKeys } from './devkeys.js';
import { createRetentionSweeper } from './retention.js';
import { loadSettings } from './settings.js';
import { openRepository } from './storage/index.js';

// `npm start` passes --default-profile development: when neither NODE_ENV nor APP_ENV is set, the
// embedded defaults run in the development profile. A deployment sets NODE_ENV=production (and
// anything else unset or unknown is production too).
const defaultProfileFlag = process.argv.indexOf('--default-profile');
const defaultProfile = defaultProfileFlag === -1 ? undefined : process.argv[defaultProfileFlag + 1];
const env: Record<string, string | undefined> = { ...process.env };
if ((defaultProfile === 'development' || defaultProfile === 'test') && !env['NODE_ENV'] && !env['APP_ENV']) {
  env['APP_ENV'] = defaultProfile;
}

async function main(): Promise<void> {
  const settings = loadSettings(env, process.cwd());
  if (!settings.ok) {
    const lines = settings.problems.map((p) => `  - ${p.rule} (${p.key}): ${p.message}`);
    process.stderr.write(
      `case-api: refusing to start (${settings.problems.length} problem(s)):\n${lines.join('\n')}\n`,
    );
    process.exitCode = 1;
    return;
  }
  const { config, dataDir, evidenceDir, retention, importUrlHosts } = settings;
  const logger = createLogger({ level: config.logLevel });
  for (const w of config.warnings)
    logger.warn({ rule: w.rule, key: w.key }, `configuration warning (${config.profile} profile)`);

  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR is operator configuration
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const exportsDir = join(dataDir, 'exports');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR is operator configuration
  await mkdir(exportsDir, { recursive: true, mode: 0o700 });
  // Evidence files: owner-only (uploadGuard refuses to start on any other mode, a symlink or a public directory).
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- EVIDENCE_DIR is operator configuration
  await mkdir(evidenceDir, { recursive: true, mode: 0o700 });

  let devKeys: DevKeys | undefined;
  if (settings.useDevKeys) {
    const loaded = await loadOrCreateDevKeys(dataDir);
    devKeys = loaded.keys;
    if (loaded.created) logger.info({ kid: devKeys.kid }, 'generated a development signing key in DATA_DIR');
  }
  const repo = await openRepository(config.databaseUrl, join(dataDir, 'case-api.sqlite'));
  const redis =
    config.redisUrl === undefined
      ? undefined
      : new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const {
    app,
    ready,
    shutdown: stopBaseline,
    checkDeploy,
  } = createService({
    config,
    repo,
    logger,
    // Everything else (issuer, audience, algorithms, JWKS_URI, lifetimes) the baseline takes from the config.
    // With JWT_DPOP on and several instances (REDIS_URL), the DPoP proof ids are shared so a proof is used once.
    auth: {
      ...(devKeys === undefined ? {} : { jwks: devKeys.jwks }),
      ...(redis === undefined || config.jwtDpop === 'off'
        ? {}
        : { dpop: { replay: redisReplayStore(redis, { prefix: 'case-api:dpop:' }) } }),
    },
    exportsDir,
    evidenceDir,
    retention,
    outbound: { importUrlHosts },
    // One store per limiter; the keys differ by limiter name (case-api:rl:ip:…, case-api:rl:subject:…).
    rateLimit: redis === undefined ? undefined : { store: redisStore(redis, { prefix: 'case-api:rl:' }) },
    subjectRateLimit: redis === undefined ? undefined : { store: redisStore(redis, { prefix: 'case-api:rl:' }) },
  });

  // The deploy self-check: the pipeline in order, no unsafe settings. Errors refuse to start in production.
  const findings = checkDeploy();
  const errors = findings.filter((f) => f.severity === 'error');
  for (const f of findings) logger.warn({ finding: f.id, severity: f.severity }, f.message);
  if (config.profile === 'production' && errors.length > 0) {
    process.stderr.write(
      `case-api: refusing to start (deploy check):\n${errors.map((f) => `  - ${f.id}: ${f.message}`).join('\n')}\n`,
    );
    await repo.close();
    redis?.disconnect();
    process.exitCode = 1;
    return;
  }

  // Expired idempotency records and exports are deleted at start and then periodically (unref'd timer).
  const sweeper = createRetentionSweeper({ repo, exportsDir, logger, ...retention });
  sweeper.start();

  // Load the key set before listening, so the first request does not wait for it. If the issuer's JWKS
  // cannot be fetched now, start anyway: requests fail closed (503 + Retry-After) until it loads.
  try {
    await ready();
  } catch (error: unknown) {
    logger.warn(
      { reason: error instanceof Error ? error.message : 'unknown failure' },
      'key set not loaded at start; requests get 503 until it loads',
    );
  }

  const host = env['HOST'] ?? (config.profile === 'production' ? '0.0.0.0' : '127.0.0.1');
  const server = app.listen(config.port, host, () => {
    const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${config.port}`;
    logger.info({ url, profile: config.profile, storage: repo.kind }, 'case-api listening');
    if (devKeys !== undefined) {
      process.stdout.write(
        `\ncase-api (${config.profile} profile, ${repo.kind}) listening on ${url}\n` +
          `Get a development token:  npm run token -- --sub u1 --tenant t1 --role reviewer\n` +
          `Then:                     curl -H "Authorization: Bearer $TOKEN" ${url}/cases\n\n`,
      );
    }
  });
  const shutdown = (): void => {
    // The timer stops at once; a sweep in progress finishes before the database closes.
    const sweeperStopped = sweeper.stop();
    server.close(() => {
      void Promise.all([sweeperStopped, stopBaseline()])
        .then(() => repo.close())
        .finally(() => {
          redis?.disconnect();
        });
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : 'unknown failure';
  process.stderr.write(`case-api: failed to start: ${name}: ${message}\n`);
  process.exitCode = 1;
});
