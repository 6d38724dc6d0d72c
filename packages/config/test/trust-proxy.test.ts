// TRUST_PROXY: config refuses, in every profile, exactly what ratelimit's trustProxy() refuses (one shared predicate, one corpus).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSecurityConfig, type Env } from '@portcullis/config';
import { INVALID, SAFE, TRUSTS_ANY } from '../../../test-support/trust-proxy-corpus.js';
import { SAFE_RS, withEnv } from './fixtures.js';

function refusal(env: Env): ConfigError {
  try {
    loadSecurityConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const PROFILES = ['production', 'development', 'test'] as const;

describe.each(PROFILES)('TRUST_PROXY in %s [ASVS V15.3.4]', (profile) => {
  const env = (value: string) => withEnv(SAFE_RS, { NODE_ENV: profile, TRUST_PROXY: value });

  it.each([...TRUSTS_ANY, { title: 'true', env: 'true' }, { title: 'TRUE', env: 'TRUE' }, { title: '"*"', env: '*' }])(
    'refuses $title ($env) with SEC_TRUST_PROXY_ANY, naming the variable and how to list the proxies',
    ({ env: value }) => {
      const error = refusal(env(value));
      expect(error.problems.map((p) => `${p.key}:${p.rule}`)).toEqual(['TRUST_PROXY:SEC_TRUST_PROXY_ANY']);
      expect(error.message).toContain('TRUST_PROXY [SEC_TRUST_PROXY_ANY]');
      expect(error.problems[0]?.hint).toMatch(/addresses or CIDRs of your real proxies in TRUST_PROXY/);
      // Production messages carry no values; elsewhere the value as written is shown.
      if (profile === 'production') expect(error.message).not.toContain('(got');
      else expect(error.message).toContain('(got "');
    },
  );

  it.each(SAFE)('accepts $title ($env) as the typed value trustProxy() takes', ({ env: value, setting }) => {
    const config = loadSecurityConfig(env(value));
    expect(config.trustProxy).toEqual(setting);
    expect(config.warnings.filter((w) => w.key === 'TRUST_PROXY')).toEqual([]);
  });

  it.each(INVALID)('refuses $title ($env) as CONFIG_INVALID', ({ env: value }) => {
    const error = refusal(env(value));
    expect(error.problems.map((p) => `${p.key}:${p.rule}`)).toEqual(['TRUST_PROXY:CONFIG_INVALID']);
  });
});

describe('TRUST_PROXY hop counts share the bound of trustProxy() [ASVS V15.3.4]', () => {
  it.each([
    ['32', 32],
    [' 2 ', 2],
  ])('accepts %j', (raw, hops) => {
    expect(loadSecurityConfig(withEnv(SAFE_RS, { TRUST_PROXY: raw })).trustProxy).toBe(hops);
  });

  it.each(['33', '50', '999', '1000', '123456789012345'])('refuses %s hops with SEC_TRUST_PROXY_ANY', (raw) => {
    const error = refusal(withEnv(SAFE_RS, { NODE_ENV: 'development', TRUST_PROXY: raw }));
    expect(error.problems.map((p) => p.rule)).toEqual(['SEC_TRUST_PROXY_ANY']);
    expect(error.problems[0]?.message).toContain('from 0 to 32');
  });
});
