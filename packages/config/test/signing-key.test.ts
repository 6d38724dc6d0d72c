// Signing keys (JWT_SECRET, secret(…, { kind: 'signing-key' })): published or weak keys are refused in production, warned elsewhere.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, defineConfig, loadSecurityConfig, secret, SIGNING_KEY_RULES, type Env } from '@portcullis/config';
import { PUBLISHED_SECRETS_BLOB, PUBLISHED_SECRETS_COUNT } from '../src/published-secrets.data.js';
import { isPublishedSecret } from '../src/published.js';
import { MIN_SECRET_BITS, estimateSecretBits } from '../src/strength.js';
import { SAFE_HS, withEnv } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const sample = (JSON.parse(readFileSync(join(here, 'published-sample.json'), 'utf8')) as { entries: string[] }).entries;

function refusal(env: Env): ConfigError {
  try {
    loadSecurityConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** JWT_SECRET findings of the signing-key checks only (a short key also breaks the HS256 length rule). */
function keyFindings(secretValue: string, profile = 'production'): string[] {
  const env = withEnv(SAFE_HS, { NODE_ENV: profile, JWT_SECRET: secretValue });
  let problems: readonly { rule: string; key: string; message: string }[];
  try {
    problems = loadSecurityConfig(env).warnings;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  for (const p of problems) {
    // Not the key, nor a recognisable part of it, in any message.
    expect(p.message).not.toContain(secretValue);
    if (secretValue.length >= 8) expect(p.message).not.toContain(secretValue.slice(0, 8));
  }
  return problems.filter((p) => p.key === 'JWT_SECRET' && p.rule.startsWith('SEC_SECRET_')).map((p) => p.rule);
}

const uuid = randomUUID().replaceAll('-', '');
const WEAK: readonly [string, string][] = [
  ["'a' × 32", 'a'.repeat(32)],
  ["'secret' × 6", 'secret'.repeat(6)],
  ['your-256-bit-secret padded to 32 with x', 'your-256-bit-secret'.padEnd(32, 'x')],
  ['your-256-bit-secret padded to 32 with 0', 'your-256-bit-secret'.padEnd(32, '0')],
  ['your-256-bit-secret padded to 32 with !', 'your-256-bit-secret'.padEnd(32, '!')],
  ['changeme-changeme-changeme-change', 'changeme-changeme-changeme-change'],
  ['0123456789abcdef twice', '0123456789abcdef0123456789abcdef'],
  ['a UUID with dashes removed, twice', `${uuid}${uuid}`],
  ['a UUID', randomUUID()],
  ['a keyboard walk', 'qwertyuiopasdfghjklzxcvbnm1234567890'],
  ['a sequence', 'abcdefghijklmnopqrstuvwxyz0123456789'],
  ['two characters', 'abbaabababbbaabababaabbbabababaaab'],
  ['words and a year', 'SuperSecretPassword2024SuperSecret'],
];

describe('SEC_SECRET_PUBLISHED / SEC_SECRET_WEAK: the corpus of the issue [ASVS V11.2.3, V13.2.3]', () => {
  it.each(WEAK)('refuses %s in production (weak or published, nothing leaked)', (_title, value) => {
    const rules = keyFindings(value);
    expect(rules).toHaveLength(1);
    expect(['SEC_SECRET_PUBLISHED', 'SEC_SECRET_WEAK']).toContain(rules[0]);
  });

  it.each([
    ["'a' × 32", 'a'.repeat(32)],
    ['0123456789abcdef twice', '0123456789abcdef0123456789abcdef'],
    ['a UUID with dashes removed, twice', `${uuid}${uuid}`],
    ['your-256-bit-secret padded to 32 with x', 'your-256-bit-secret'.padEnd(32, 'x')],
  ])('estimates %s below 128 bits', (_title, value) => {
    expect(estimateSecretBits(value)).toBeLessThan(MIN_SECRET_BITS);
  });

  it('has 50 entries of the published list to test with', () => {
    expect(sample).toHaveLength(50);
    expect(new Set(sample).size).toBe(50);
  });

  it.each(sample.map((entry, i) => [i, entry] as const))(
    'refuses published entry #%i with SEC_SECRET_PUBLISHED',
    (_i, entry) => {
      expect(isPublishedSecret(entry)).toBe(true);
      expect(keyFindings(entry)).toEqual(['SEC_SECRET_PUBLISHED']);
    },
  );

  it('refuses a published secret that is long and strong-looking for being published, not for being weak', () => {
    const long = sample.filter(
      (entry) => Buffer.byteLength(entry) >= 32 && estimateSecretBits(entry) >= MIN_SECRET_BITS,
    );
    for (const entry of long) expect(keyFindings(entry)).toEqual(['SEC_SECRET_PUBLISHED']);
    // The bundled list is exact, the example list is not: spacing and case do not hide a documentation key.
    expect(keyFindings('  A-String-Secret-At-Least-256-Bits-Long ')).toEqual(['SEC_SECRET_PUBLISHED']);
  });

  it('accepts 1,000 fresh random secrets from crypto.randomBytes(32) as base64url', () => {
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const key = randomBytes(32).toString('base64url');
      if (isPublishedSecret(key) || estimateSecretBits(key) < MIN_SECRET_BITS) refused += 1;
    }
    expect(refused).toBe(0);
    // And through load(), with nothing reported.
    expect(keyFindings(randomBytes(32).toString('base64url'))).toEqual([]);
    // zxcvbn takes a few ms per key; on a loaded shared machine 1,000 of them need more than the default timeout.
  }, 180_000);

  it.each([
    ['hex of 32 random bytes', () => randomBytes(32).toString('hex')],
    ['base64 of 48 random bytes', () => randomBytes(48).toString('base64')],
    [
      '32 random alphanumerics',
      () =>
        randomBytes(48)
          .toString('base64')
          .replace(/[^a-zA-Z0-9]/g, '')
          .slice(0, 32),
    ],
  ])('accepts %s', (_title, make) => {
    for (let i = 0; i < 20; i++) expect(keyFindings(make())).toEqual([]);
  });
});

describe('signing-key findings by profile', () => {
  it.each(['development', 'test'])('%s warns with the same rule ids and still loads', (profile) => {
    expect(keyFindings('a-string-secret-at-least-256-bits-long', profile)).toEqual(['SEC_SECRET_PUBLISHED']);
    expect(keyFindings('secret'.repeat(6), profile)).toEqual(['SEC_SECRET_WEAK']);
    const config = loadSecurityConfig(
      withEnv(SAFE_HS, { NODE_ENV: profile, JWT_SECRET: 'a-string-secret-at-least-256-bits-long' }),
    );
    expect(config.warnings.map((w) => w.rule)).toEqual(['SEC_SECRET_PUBLISHED']);
  });

  it.each(['production', 'staging', 'prod'])(
    'APP_ENV=%s refuses them (staging is the production profile)',
    (appEnv) => {
      const error = refusal(withEnv(SAFE_HS, { APP_ENV: appEnv, JWT_SECRET: 'secret'.repeat(6) }));
      expect(error.problems.map((p) => `${p.key}:${p.rule}`)).toEqual(['JWT_SECRET:SEC_SECRET_WEAK']);
      expect(error.message).toContain('JWT_SECRET [SEC_SECRET_WEAK]');
      expect(error.message).not.toContain('secretsecret');
    },
  );

  it('applies to any setting declared a secret of kind signing-key', () => {
    const app = defineConfig(
      z.object({
        webhookSigningKey: secret(z.string(), { kind: 'signing-key' }),
        apiToken: secret(z.string()),
      }),
    );
    const weak = 'changeme-changeme-changeme-change';
    expect(() => app.load({ NODE_ENV: 'production', WEBHOOK_SIGNING_KEY: weak, API_TOKEN: weak })).toThrow(ConfigError);
    try {
      app.load({ NODE_ENV: 'production', WEBHOOK_SIGNING_KEY: weak, API_TOKEN: weak });
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => `${p.key}:${p.rule}`)).toEqual([
        'WEBHOOK_SIGNING_KEY:SEC_SECRET_WEAK',
      ]);
      expect((error as ConfigError).message).not.toContain('changeme');
    }
    const strong = randomBytes(32).toString('base64url');
    expect(app.load({ NODE_ENV: 'production', WEBHOOK_SIGNING_KEY: strong, API_TOKEN: weak }).warnings).toEqual([]);
  });

  it('refuses a rule that reuses a built-in id, and an unknown kind', () => {
    expect(() =>
      defineConfig(z.object({ a: z.string() }), {
        rules: [{ id: 'SEC_SECRET_WEAK', key: 'A', hint: 'x', check: () => undefined }],
      }),
    ).toThrow(/built in/);
    expect(() => secret(z.string(), { kind: 'password' as never })).toThrow(/"kind"/);
    expect(SIGNING_KEY_RULES.map((r) => r.id)).toEqual(['SEC_SECRET_PUBLISHED', 'SEC_SECRET_WEAK']);
  });

  it('bounds the work on a very long key (only the first 128 characters are estimated)', () => {
    const long = `${randomBytes(32).toString('base64url')}${'a'.repeat(100_000)}`;
    expect(estimateSecretBits(long)).toBeGreaterThanOrEqual(MIN_SECRET_BITS);
    expect(estimateSecretBits('a'.repeat(100_000))).toBeLessThan(MIN_SECRET_BITS);
  });
});

describe('the bundled list of published secrets', () => {
  it('holds 103,781 distinct digests, and no plaintext', () => {
    expect(PUBLISHED_SECRETS_COUNT).toBe(103_781);
    expect(PUBLISHED_SECRETS_BLOB).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const shipped = readFileSync(join(here, '../src/published-secrets.data.ts'), 'utf8');
    for (const entry of sample.filter((e) => e.length >= 6)) expect(shipped).not.toContain(entry);
  });

  const source = join(here, '../../../../shared/reference/jwt-secrets/wallarm-jwt.secrets.list');
  const reference = process.env.JWT_SECRETS_LIST ?? (existsSync(source) ? source : undefined);
  it.skipIf(reference === undefined)('is what the build script makes from the reference list', () => {
    const script = join(here, '../scripts/build-published-secrets.mjs');
    const before = readFileSync(join(here, '../src/published-secrets.data.ts'), 'utf8');
    execFileSync(process.execPath, [script, reference ?? ''], { stdio: 'ignore' });
    expect(readFileSync(join(here, '../src/published-secrets.data.ts'), 'utf8')).toBe(before);
  });
});
