// Entry point: load and check the configuration (refuse to start when unsafe), open storage, check the deploy, listen.
import { join } from 'node:path';
import process from 'node:process';
import { createLogger } from '@portcullis/logging';
import { Redis } from 'ioredis';
import { createService } from './app.js';
import { loadSettings } from './settings.js';
import { openStore } from './storage/index.js';

// `npm run start:login` passes --default-profile development: with neither NODE_ENV nor APP_ENV set, the
// embedded defaults run in the development profile. Anything else is production.
const flag = process.argv.indexOf('--default-profile');
const defaultProfile = flag === -1 ? undefined : process.argv[flag + 1];
const env: Record<string, string | undefined> = { ...process.env };
if ((defaultProfile === 'development' || defaultProfile === 'test') && !env['NODE_ENV'] && !env['APP_ENV'])
  env['APP_ENV'] = defaultProfile;

async function main(): Promise<void> {
  const settings = loadSettings(env, process.cwd());
  if (!settings.ok) {
    const lines = settings.problems.map((p) => `  - ${p.rule} (${p.key}): ${p.message}`);
    process.stderr.write(`login: refusing to start (${settings.problems.length} problem(s)):\n${lines.join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  const { config, dataDir, sessions } = settings;
  const logger = createLogger({ level: config.logLevel });
  for (const w of config.warnings)
    logger.warn({ rule: w.rule, key: w.key }, `configuration warning (${config.profile} profile)`);
  const store = await openStore(config.databaseUrl, join(dataDir, 'login.sqlite'));
  const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  const service = createService({ config, store, logger, redis, sessions });

  const findings = service.checkDeploy();
  for (const f of findings) logger.warn({ finding: f.id, severity: f.severity }, f.message);
  const errors = findings.filter((f) => f.severity === 'error');
  if (config.profile === 'production' && errors.length > 0) {
    process.stderr.write(
      `login: refusing to start (deploy check):\n${errors.map((f) => `  - ${f.id}: ${f.message}`).join('\n')}\n`,
    );
    await store.close();
    redis?.disconnect();
    process.exitCode = 1;
    return;
  }

  const host = env['HOST'] ?? (config.profile === 'production' ? '0.0.0.0' : '127.0.0.1');
  const server = service.app.listen(config.port, host, () => {
    const url = `http://${host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host}:${config.port}`;
    logger.info(
      { url, profile: config.profile, storage: store.kind, sessionStore: redis ? 'redis' : 'database' },
      'login listening',
    );
    process.stdout.write(
      `\nlogin (${config.profile} profile, ${store.kind}) listening on ${url}\n` +
        `Try:  curl -c jar -b jar -H 'Content-Type: application/json' -d '{"email":"ada@example.com","password":"a long passphrase"}' ${url}/register\n\n`,
    );
  });
  const shutdown = (): void => {
    server.close(() => {
      void service
        .shutdown()
        .then(() => store.close())
        .finally(() => redis?.disconnect());
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `login: failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure'}\n`,
  );
  process.exitCode = 1;
});
