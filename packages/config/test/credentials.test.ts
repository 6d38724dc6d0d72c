// Credentials in any connection string never reach describe(), JSON, util.inspect or the CLI, whatever the scheme or format.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSecurityConfig, securityConfig, type Env } from '@portcullis/config';
import { runCli } from '../src/run-cli.js';
import { maskCredentials } from '../src/secret.js';
import { SAFE_RS, withEnv } from './fixtures.js';

/** The four outputs an operator sees: describe(), JSON.stringify, util.inspect, and `portcullis-config check`. */
function outputs(env: Env): string[] {
  const texts: string[] = [];
  try {
    const config = loadSecurityConfig(env);
    texts.push(securityConfig.describe(config), JSON.stringify(config), inspect(config, { depth: 5 }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    texts.push(error.message, JSON.stringify(error.problems), inspect(error.problems, { depth: 5 }));
  }
  let cli = '';
  const sink = {
    write: (text: string) => {
      cli += text;
      return true;
    },
  };
  runCli(['check'], env, { stdout: sink, stderr: sink });
  texts.push(cli);
  return texts;
}

// Passwords with the characters operators use, including raw "@", ":", "/", "?" and "#" for URL userinfo.
const urlPassword = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!$%*+-_.~@:/?#'.split('')),
    minLength: 10,
    maxLength: 40,
  })
  .map((s) => `Pw${s}`);
// In key=value strings an unquoted value ends at ; & or ,: those characters are left out (or the value is quoted below).
const pairPassword = fc
  .string({
    unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!$%*+-_.~@:/?#='.split('')),
    minLength: 10,
    maxLength: 40,
  })
  .map((s) => `Pw${s}`);

const FORMATS: readonly { name: string; variable: string; make: (pw: string) => string; pair: boolean }[] = [
  {
    name: 'postgres userinfo',
    variable: 'DATABASE_URL',
    make: (pw) => `postgres://app:${pw}@db.internal:5432/app`,
    pair: false,
  },
  {
    name: 'mysql userinfo, percent-encoded',
    variable: 'DATABASE_URL',
    make: (pw) => `mysql://app:${encodeURIComponent(pw)}@db/app`,
    pair: false,
  },
  {
    name: 'mongodb+srv userinfo with options',
    variable: 'DATABASE_URL',
    make: (pw) => `mongodb+srv://app:${pw}@cluster0.example.net/app?retryWrites=true`,
    pair: false,
  },
  {
    name: 'redis password only',
    variable: 'REDIS_URL',
    make: (pw) => `redis://:${pw}@redis.internal:6379`,
    pair: false,
  },
  // A token as the user name has no ":" in it (clients would read the rest as a password).
  {
    name: 'rediss token as user',
    variable: 'REDIS_URL',
    make: (pw) => `rediss://${pw}@redis.internal:6380/0`,
    pair: false,
  },
  {
    name: 'sqlserver ;-pairs',
    variable: 'DATABASE_URL',
    make: (pw) => `sqlserver://db;database=app;user=app;password=${pw}`,
    pair: true,
  },
  {
    name: 'JDBC ;-pairs',
    variable: 'DATABASE_URL',
    make: (pw) => `jdbc:sqlserver://db:1433;databaseName=app;user=app;Password=${pw};encrypt=true`,
    pair: true,
  },
  {
    name: 'ADO.NET Pwd=',
    variable: 'DATABASE_URL',
    make: (pw) => `Server=db;Database=app;Uid=app;Pwd=${pw};`,
    pair: true,
  },
  {
    name: 'ADO.NET quoted Password',
    variable: 'DATABASE_URL',
    make: (pw) => `Server=db;User Id=app;Password="${pw};x";`,
    pair: true,
  },
  {
    name: 'query password=',
    variable: 'DATABASE_URL',
    make: (pw) => `postgres://db.internal/app?user=app&password=${encodeURIComponent(pw)}&sslmode=require`,
    pair: true,
  },
  {
    name: 'StackExchange.Redis ,-pairs',
    variable: 'REDIS_URL',
    make: (pw) => `redis.internal:6379,password=${pw},ssl=True`,
    pair: true,
  },
  {
    name: 'secret= in a non-secret variable',
    variable: 'JWT_ISSUER',
    make: (pw) => `https://id.example.com/?client_secret=${encodeURIComponent(pw)}&x=1`,
    pair: true,
  },
  {
    name: 'userinfo in a non-secret variable',
    variable: 'JWT_ISSUER',
    make: (pw) => `https://svc:${encodeURIComponent(pw)}@id.example.com/`,
    pair: false,
  },
  {
    name: 'token= in a non-secret variable',
    variable: 'JWT_AUDIENCE',
    make: (pw) => `case-api;token=${pw}`,
    pair: true,
  },
];

describe.each(['production', 'development'])('credentials never leak (%s)', (profile) => {
  it.each(FORMATS)(
    '$name in $variable: the password is in none of the four outputs (property)',
    ({ name, variable, make, pair }) => {
      fc.assert(
        fc.property(pair ? pairPassword : urlPassword, (generated) => {
          const pw = name === 'rediss token as user' ? generated.replaceAll(':', '') : generated;
          const value = make(pw);
          const env = withEnv(SAFE_RS, { NODE_ENV: profile, [variable]: value });
          for (const text of outputs(env)) {
            expect(text).not.toContain(pw);
            expect(text).not.toContain(encodeURIComponent(pw));
          }
        }),
        { numRuns: 25 },
      );
    },
  );
});

describe('maskCredentials', () => {
  it.each([
    [
      'sqlserver://db;database=app;user=app;password=S3cret',
      'sqlserver://db;database=app;user=app;password=[redacted]',
    ],
    ['postgres://app:p@ss@db/app', 'postgres://app:[redacted]@db/app'],
    ['Server=db;Password="a;b";Encrypt=true', 'Server=db;Password=[redacted];Encrypt=true'],
    ['Pwd={a;}}b};Uid=x', 'Pwd=[redacted];Uid=x'],
    ['redis-host:6379,password=secret,ssl=True', 'redis-host:6379,password=[redacted],ssl=True'],
    ['https://id.example.com/jwks?api_key=abc&x=1', 'https://id.example.com/jwks?api_key=[redacted]&x=1'],
    ['redis://tok3n@host:6379', 'redis://[redacted]@host:6379'],
    ['https://app.example.com/path', 'https://app.example.com/path'],
    ['mongodb://db/app?authSource=admin', 'mongodb://db/app?authSource=admin'],
  ])('masks %j', (raw, masked) => {
    expect(maskCredentials(raw)).toBe(masked);
  });

  it('shows the masked form where a value would be shown: the summary keeps host and user', () => {
    const config = loadSecurityConfig(
      withEnv(SAFE_RS, { DATABASE_URL: 'sqlserver://db;database=app;user=app;password=S3cretPw99' }),
    );
    expect(securityConfig.describe(config)).toMatch(
      /DATABASE_URL\s+sqlserver:\/\/db;database=app;user=app;password=\[redacted\]/,
    );
  });

  it('refuses JWKS_URI with user info in every profile (SEC_JWKS_URI_CREDENTIALS), without the password', () => {
    for (const profile of ['production', 'development', 'test']) {
      let error: unknown;
      try {
        loadSecurityConfig(
          withEnv(SAFE_RS, { NODE_ENV: profile, JWKS_URI: 'https://svc:Kp4ssw0rdX@id.example.com/jwks' }),
        );
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems.map((p) => `${p.key}:${p.rule}`)).toEqual(['JWKS_URI:SEC_JWKS_URI_CREDENTIALS']);
      expect((error as ConfigError).message).not.toContain('Kp4ssw0rdX');
    }
  });
});
