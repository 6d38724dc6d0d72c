// Startup settings: the security config plus the app's session timeouts, every problem collected at once.
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, defineConfig, loadSecurityConfig, resolveProfile, type SecurityConfig } from '@portcullis/config';
import { z } from 'zod';

/** One reason the app refuses to start: a stable rule id and a message without secret values. */
export interface StartupProblem {
  readonly rule: string;
  readonly key: string;
  readonly message: string;
}

/** Session timeouts, seconds. */
export interface SessionSettings {
  /** SESSION_IDLE_TIMEOUT_SEC: a session unused this long is over, 60–86400. @default 1800 (30 min) */
  readonly idleTimeoutSec: number;
  /** SESSION_ABSOLUTE_TIMEOUT_SEC: a session is over this long after login whatever its use, 300–2592000. @default 43200 (12 h) */
  readonly absoluteTimeoutSec: number;
}

/** Defaults of the session timeouts (OWASP Session Management: idle 15–30 min for low-risk apps, absolute 4–8 h… 12 h). */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = Object.freeze({
  idleTimeoutSec: 1800,
  absoluteTimeoutSec: 43_200,
});

function seconds(min: number, max: number, fallback: number) {
  return z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .default(fallback)
    .describe(`a number of seconds between ${min} and ${max}`);
}

const sessionConfig = defineConfig(
  z.object({
    sessionIdleTimeoutSec: seconds(60, 86_400, DEFAULT_SESSION_SETTINGS.idleTimeoutSec),
    sessionAbsoluteTimeoutSec: seconds(300, 2_592_000, DEFAULT_SESSION_SETTINGS.absoluteTimeoutSec),
  }),
);

/**
 * Defaults applied in the development and test profiles only. @portcullis/config's production rules demand
 * JWT settings of every app (this one authenticates with cookies and never reads them): outside production
 * they are filled with inert values so the embedded defaults start; a production deployment must set them.
 */
export const DEVELOPMENT_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  JWT_ISSUER: 'urn:portcullis:login:unused',
  JWT_AUDIENCE: 'urn:portcullis:login:unused',
  JWT_ALGORITHMS: 'ES256',
  PORT: '3100',
});

/** The loaded configuration, or the list of problems. */
export type LoadResult =
  | { readonly ok: true; readonly config: SecurityConfig; readonly sessions: SessionSettings; readonly dataDir: string }
  | { readonly ok: false; readonly problems: readonly StartupProblem[] };

/** Loads the configuration from `env` (production unless NODE_ENV/APP_ENV say development or test). */
export function loadSettings(env: Readonly<Record<string, string | undefined>>, cwd: string): LoadResult {
  const profile = resolveProfile(env);
  const effective: Record<string, string | undefined> =
    profile === 'production' ? { ...env } : { ...DEVELOPMENT_DEFAULTS };
  if (profile !== 'production')
    for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') effective[k] = v;
  const problems: StartupProblem[] = [];
  let config: SecurityConfig | undefined;
  let sessions: SessionSettings | undefined;
  try {
    config = loadSecurityConfig(effective);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => ({ rule: p.rule, key: p.key, message: p.message })));
  }
  try {
    const loaded = sessionConfig.load(effective);
    sessions = { idleTimeoutSec: loaded.sessionIdleTimeoutSec, absoluteTimeoutSec: loaded.sessionAbsoluteTimeoutSec };
    if (sessions.idleTimeoutSec > sessions.absoluteTimeoutSec)
      problems.push({
        rule: 'LOGIN_SESSION_TIMEOUTS',
        key: 'SESSION_IDLE_TIMEOUT_SEC',
        message: 'must not be longer than SESSION_ABSOLUTE_TIMEOUT_SEC',
      });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => ({ rule: p.rule, key: p.key, message: p.message })));
  }
  if (config === undefined || sessions === undefined || problems.length > 0) return { ok: false, problems };
  const dataDir = env['DATA_DIR'] ?? './.data';
  return { ok: true, config, sessions, dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir) };
}
