// The profile rule: APP_ENV wins over NODE_ENV; only "development" and "test" are non-production (fail closed).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSecurityConfig, resolveProfile, type Env } from '@portcullis/config';
import { SAFE_RS, withEnv } from './fixtures.js';

describe('profile rule', () => {
  it.each<[Env, string]>([
    [{}, 'production'],
    [{ NODE_ENV: '' }, 'production'],
    [{ NODE_ENV: 'production' }, 'production'],
    [{ NODE_ENV: 'prod' }, 'production'],
    [{ NODE_ENV: 'staging' }, 'production'],
    [{ NODE_ENV: 'Development' }, 'production'],
    [{ NODE_ENV: 'dev' }, 'production'],
    [{ NODE_ENV: 'development' }, 'development'],
    [{ NODE_ENV: ' test ' }, 'test'],
    [{ APP_ENV: 'development' }, 'development'],
    [{ APP_ENV: 'production', NODE_ENV: 'development' }, 'production'],
    [{ APP_ENV: 'staging', NODE_ENV: 'test' }, 'production'],
    [{ APP_ENV: 'test', NODE_ENV: 'production' }, 'test'],
    [{ APP_ENV: '', NODE_ENV: 'development' }, 'development'],
  ])('resolves %j to %s', (env, expected) => {
    expect(resolveProfile(env)).toBe(expected);
  });

  it.each([
    ['a missing NODE_ENV', { NODE_ENV: undefined }],
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }],
    ['a misspelt NODE_ENV', { NODE_ENV: 'developement' }],
    ['an APP_ENV that overrides a development NODE_ENV', { NODE_ENV: 'development', APP_ENV: 'qa' }],
  ])('treats %s as production and refuses unsafe settings', (_name, changes) => {
    const env = withEnv(SAFE_RS, { ...changes, DEBUG: 'true' });
    expect(() => loadSecurityConfig(env)).toThrow(ConfigError);
    try {
      loadSecurityConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).profile).toBe('production');
      expect((error as ConfigError).problems.map((p) => p.rule)).toEqual(['SEC_DEBUG_ON']);
    }
  });

  it('loads the same unsafe settings with a warning when APP_ENV=test', () => {
    const config = loadSecurityConfig(withEnv(SAFE_RS, { NODE_ENV: 'production', APP_ENV: 'test', DEBUG: 'true' }));
    expect(config.profile).toBe('test');
    expect(config.warnings).toEqual([expect.objectContaining({ key: 'DEBUG', rule: 'SEC_DEBUG_ON' })]);
  });
});
