// The profile rule: APP_ENV (or else NODE_ENV) must say "development" or "test" explicitly; anything else fails closed.

/** The profile a configuration is checked under. Only `production` turns rule findings into errors. */
export type Profile = 'production' | 'development' | 'test';

/** A process environment: variable names mapped to their string values. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the profile from an environment. APP_ENV wins over NODE_ENV when it is set (non-empty);
 * only the exact values "development" and "test" are non-production, so an unset, empty, misspelt
 * or unknown value ("prod", "staging", "Development") is the production profile (fail closed).
 */
export function resolveProfile(env: Env): Profile {
  const appEnv = env.APP_ENV?.trim();
  const nodeEnv = env.NODE_ENV?.trim();
  const chosen = appEnv !== undefined && appEnv !== '' ? appEnv : nodeEnv;
  return chosen === 'development' || chosen === 'test' ? chosen : 'production';
}
