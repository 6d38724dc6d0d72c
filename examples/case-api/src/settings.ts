// Startup settings: the security config plus the service's own rules, all problems collected at once.
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, defineConfig, loadSecurityConfig, resolveProfile, type SecurityConfig } from '@portcullis/config';
import { createEgressPolicy } from '@portcullis/egress';
import { z } from 'zod';
import { DEV_AUDIENCE, DEV_ISSUER } from './devkeys.js';
import { DEFAULT_EXPORT_TTL_SEC, DEFAULT_IDEMPOTENCY_TTL_SEC } from './retention.js';

/** One reason the service refuses to start: a stable rule id and a message without secret values. */
export interface StartupProblem {
  readonly rule: string;
  readonly key: string;
  readonly message: string;
}

/** Defaults applied in the development and test profiles only; a production deployment sets them itself. */
export const DEVELOPMENT_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  JWT_ISSUER: DEV_ISSUER,
  JWT_AUDIENCE: DEV_AUDIENCE,
  JWT_ALGORITHMS: 'ES256',
});

/** Shortest retention the service accepts, seconds (1 minute). */
export const MIN_RETENTION_SEC = 60;
/** Longest retention the service accepts, seconds (7 days). */
export const MAX_RETENTION_SEC = 604_800;

/** How long the service keeps what clients make it store. */
export interface RetentionSettings {
  /** IDEMPOTENCY_TTL_SEC: age after which an idempotency record is expired (never replayed, never a conflict) and swept, seconds, 60–604800. @default 86400 */
  readonly idempotencyTtlSec: number;
  /** EXPORT_TTL_SEC: age after which an export (file and record) is gone (404) and swept, seconds, 60–604800. @default 3600 */
  readonly exportTtlSec: number;
}

// Same shape and messages as the integer settings of @portcullis/config (whole number, then range).
function seconds(fallback: number, description: string) {
  return z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(MIN_RETENTION_SEC, { error: `must be at least ${MIN_RETENTION_SEC}` })
        .max(MAX_RETENTION_SEC, { error: `must be at most ${MAX_RETENTION_SEC}` }),
    )
    .default(fallback)
    .describe(description);
}

// The service's own variables, checked like the security config: every problem names its variable
// (rule CONFIG_INVALID) and refuses the start in every profile. Without bounds a client could grow the
// database and the disk forever, and an Idempotency-Key would replay forever.
const retentionConfig = defineConfig(
  z.object({
    idempotencyTtlSec: seconds(
      DEFAULT_IDEMPOTENCY_TTL_SEC,
      `a number of seconds between ${MIN_RETENTION_SEC} and ${MAX_RETENTION_SEC} (e.g. 86400 = 24 h)`,
    ),
    exportTtlSec: seconds(
      DEFAULT_EXPORT_TTL_SEC,
      `a number of seconds between ${MIN_RETENTION_SEC} and ${MAX_RETENTION_SEC} (e.g. 3600 = 1 h)`,
    ),
  }),
);

/** The loaded configuration, or the list of problems. */
export type LoadResult =
  | {
      readonly ok: true;
      readonly config: SecurityConfig;
      readonly retention: RetentionSettings;
      /** IMPORT_URL_HOSTS: what POST /cases/import-url may fetch from; undefined (production, unset) = the route refuses. */
      readonly importUrlHosts: readonly string[] | 'public' | undefined;
      readonly dataDir: string;
      /** EVIDENCE_DIR (absolute), default `<DATA_DIR>/evidence`; created with mode 0700 at start. */
      readonly evidenceDir: string;
      readonly useDevKeys: boolean;
    }
  | { readonly ok: false; readonly problems: readonly StartupProblem[] };

/**
 * Loads the configuration. Production (NODE_ENV/APP_ENV not exactly development/test) applies
 * loadSecurityConfig's rules as errors and additionally requires JWKS_URI: the development key is
 * never trusted there.
 */
export function loadSettings(env: Readonly<Record<string, string | undefined>>, cwd: string): LoadResult {
  const profile = resolveProfile(env);
  const effective = profile === 'production' ? { ...env } : { ...DEVELOPMENT_DEFAULTS, ...stripEmpty(env) };
  const problems: StartupProblem[] = [];
  let config: SecurityConfig | undefined;
  try {
    config = loadSecurityConfig(effective);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => ({ rule: p.rule, key: p.key, message: p.message })));
  }
  let retention: RetentionSettings | undefined;
  try {
    const loaded = retentionConfig.load(effective);
    retention = { idempotencyTtlSec: loaded.idempotencyTtlSec, exportTtlSec: loaded.exportTtlSec };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => ({ rule: p.rule, key: p.key, message: p.message })));
  }
  const importUrlHosts = parseImportUrlHosts(effective['IMPORT_URL_HOSTS'], profile === 'production', problems);
  const jwksUri = effective['JWKS_URI'];
  if (profile === 'production' && (jwksUri === undefined || jwksUri === '')) {
    problems.push({
      rule: 'CASE_API_JWKS_REQUIRED',
      key: 'JWKS_URI',
      message: 'production needs JWKS_URI (https) of the real issuer; the development key is refused',
    });
  }
  if (config === undefined || retention === undefined || problems.length > 0) return { ok: false, problems };
  const dataDirValue = env['DATA_DIR'] ?? './.data';
  const dataDir = isAbsolute(dataDirValue) ? dataDirValue : resolve(cwd, dataDirValue);
  const evidenceDirValue = env['EVIDENCE_DIR'] ?? resolve(dataDir, 'evidence');
  return {
    ok: true,
    config,
    retention,
    importUrlHosts,
    dataDir,
    evidenceDir: isAbsolute(evidenceDirValue) ? evidenceDirValue : resolve(cwd, evidenceDirValue),
    useDevKeys: profile !== 'production' && config.jwksUri === undefined,
  };
}

/**
 * IMPORT_URL_HOSTS: comma-separated host names or one-label wildcards (`files.partner.example,*.cdn.partner.example`),
 * or `public`. Unset in production: the URL import refuses every request (no default list of partners exists);
 * unset in development/test: `public` (any host whose every address is public). Checked here, once, by the same
 * option check the egress policy uses, so a value the policy would refuse stops the start.
 */
export function parseImportUrlHosts(
  value: string | undefined,
  production: boolean,
  problems: StartupProblem[],
): readonly string[] | 'public' | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return production ? undefined : 'public';
  const hosts = text === 'public' ? 'public' : text.split(',').map((h) => h.trim());
  try {
    createEgressPolicy({ hosts });
  } catch (error) {
    const reason = error instanceof TypeError ? error.message.replace(/^@portcullis\/egress: /, '') : 'is invalid';
    problems.push({ rule: 'CONFIG_INVALID', key: 'IMPORT_URL_HOSTS', message: `IMPORT_URL_HOSTS: ${reason}` });
    return undefined;
  }
  return hosts === 'public' ? 'public' : Object.freeze(hosts);
}

function stripEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
