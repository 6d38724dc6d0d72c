// defineConfig() and secret(): env mapping, problem collection, rules, option validation, deep freeze.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  defineConfig,
  loadSecurityConfig,
  secret,
  securityConfig,
  type ConfigRule,
  type Env,
} from '@portcullis/config';
import { SAFE_RS } from './fixtures.js';

function catchConfigError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const appSchema = z.object({
  port: z.coerce.number().int().default(3000),
  serviceName: z.string().describe('the service name, e.g. case-api'),
  API_KEY: secret(z.string(), { minBytes: 16 }),
  tags: z
    .string()
    .transform((s) => ({ list: s.split(',') }))
    .optional(),
});

type App = z.output<typeof appSchema>;

const tagRule: ConfigRule<App> = {
  id: 'APP_TOO_MANY_TAGS',
  key: 'TAGS',
  hint: 'Use at most two tags.',
  check: (c) =>
    c.tags !== undefined && c.tags.list.length > 2
      ? { message: 'has more than two tags', values: c.tags.list }
      : undefined,
};

const good: Env = { NODE_ENV: 'production', SERVICE_NAME: 'case-api', API_KEY: 'k'.repeat(16) };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('defineConfig: reading the environment', () => {
  const app = defineConfig(appSchema, { rules: [tagRule] });

  it('maps camelCase fields to UPPER_SNAKE_CASE variables and keeps upper-case names', () => {
    const config = app.load({ ...good, PORT: '8080', TAGS: 'a,b' });
    expect(config.port).toBe(8080);
    expect(config.serviceName).toBe('case-api');
    expect(config.API_KEY).toBe('k'.repeat(16));
    expect(config.tags).toEqual({ list: ['a', 'b'] });
    expect(config.profile).toBe('production');
  });

  it('treats empty and whitespace-only variables as unset, so defaults apply', () => {
    expect(app.load({ ...good, PORT: '  ', TAGS: '' }).port).toBe(3000);
  });

  it('reads process.env by default', () => {
    vi.stubEnv('NODE_ENV', 'test');
    vi.stubEnv('SERVICE_NAME', 'from-process-env');
    vi.stubEnv('API_KEY', 'p'.repeat(20));
    const config = app.load();
    expect(config.serviceName).toBe('from-process-env');
    expect(config.profile).toBe('test');
  });

  it('collects every schema problem at once, with the description as hint', () => {
    const error = catchConfigError(() => app.load({ NODE_ENV: 'production', PORT: 'x' }));
    expect(error.problems.map((p) => `${p.key}:${p.rule}`)).toEqual([
      'PORT:CONFIG_INVALID',
      'SERVICE_NAME:CONFIG_INVALID',
      'API_KEY:CONFIG_INVALID',
    ]);
    expect(error.problems[1]?.hint).toBe('Set SERVICE_NAME to the service name, e.g. case-api.');
    expect(error.problems[0]?.hint).toBe('Set PORT to a valid value.');
    expect(error.message).toMatch(
      /^@portcullis\/config: refusing to start: 3 configuration problems \(profile "production"\)\n {2}1\. PORT \[CONFIG_INVALID\]/,
    );
  });

  it('says "1 configuration problem" for one', () => {
    expect(catchConfigError(() => app.load({ ...good, SERVICE_NAME: undefined })).message).toContain(
      '1 configuration problem (',
    );
  });

  it('reports object-level refinements under (config)', () => {
    const refined = defineConfig(
      z
        .object({ a: z.string().optional(), b: z.string().optional() })
        .refine((o) => o.a !== undefined || o.b !== undefined, { error: 'set A or B' }),
    );
    const error = catchConfigError(() => refined.load({}));
    expect(error.problems).toEqual([
      {
        key: '(config)',
        rule: 'CONFIG_INVALID',
        message: 'set A or B',
        hint: 'Fix the configuration as the message says.',
      },
    ]);
  });

  it('rule findings are errors in production and warnings elsewhere, values shown only outside production', () => {
    const error = catchConfigError(() => app.load({ ...good, TAGS: 'a,b,c' }));
    expect(error.problems).toEqual([
      { key: 'TAGS', rule: 'APP_TOO_MANY_TAGS', message: 'has more than two tags', hint: 'Use at most two tags.' },
    ]);
    const config = app.load({ ...good, NODE_ENV: 'development', TAGS: 'a,b,c' });
    expect(config.warnings).toEqual([
      {
        key: 'TAGS',
        rule: 'APP_TOO_MANY_TAGS',
        message: 'has more than two tags (got "a", "b", "c")',
        hint: 'Use at most two tags.',
      },
    ]);
    expect(app.describe(config)).toContain(
      'warnings (1):\n  1. TAGS [APP_TOO_MANY_TAGS] has more than two tags (got "a", "b", "c")\n     fix: Use at most two tags.',
    );
  });

  it('everyProfile rules are errors in development too, and a violation may name another key', () => {
    const strict = defineConfig(appSchema, {
      rules: [
        {
          id: 'APP_NO_DEMO',
          key: 'SERVICE_NAME',
          everyProfile: true,
          hint: 'Rename it.',
          check: (c) => (c.serviceName === 'demo' ? { message: 'is demo', key: 'PORT' } : undefined),
        },
      ],
    });
    const error = catchConfigError(() => strict.load({ ...good, NODE_ENV: 'development', SERVICE_NAME: 'demo' }));
    expect(error.profile).toBe('development');
    expect(error.problems).toEqual([{ key: 'PORT', rule: 'APP_NO_DEMO', message: 'is demo', hint: 'Rename it.' }]);
  });

  it('skips rule findings computed from a value the schema rejected, and rules that trip over it', () => {
    const reads = defineConfig(z.object({ n: z.coerce.number().int(), s: z.string().optional() }), {
      rules: [
        {
          id: 'R_READS_N',
          key: 'N',
          hint: 'h',
          check: (c) => (c.n === undefined ? { message: 'n missing' } : undefined),
        },
        {
          id: 'R_THROWS',
          key: 'N',
          hint: 'h',
          check: (c) => (c.n.toFixed(0) === '' ? { message: 'never' } : undefined),
        },
        {
          id: 'R_INDEPENDENT',
          key: 'S',
          hint: 'h',
          check: (c) => (c.s === 'bad' ? { message: 's is bad' } : undefined),
        },
      ],
    });
    const error = catchConfigError(() => reads.load({ N: 'x', S: 'bad' }));
    expect(error.problems.map((p) => p.rule)).toEqual(['CONFIG_INVALID', 'R_INDEPENDENT']);
  });

  it('does not let a rule change the loaded values', () => {
    const meddling = defineConfig(z.object({ list: z.string().transform((s) => s.split(',')) }), {
      rules: [
        {
          id: 'R_MEDDLES',
          key: 'LIST',
          hint: 'h',
          check: (c) => {
            c.list.push('injected');
            return undefined;
          },
        },
      ],
    });
    expect(() => meddling.load({ LIST: 'a', NODE_ENV: 'test' })).toThrow(/rule R_MEDDLES threw/);
  });

  it('fails closed when a rule throws on a valid configuration', () => {
    const broken = defineConfig(z.object({ a: z.string().optional() }), {
      rules: [
        {
          id: 'R_BROKEN',
          key: 'A',
          hint: 'h',
          check: () => {
            throw new Error('bug');
          },
        },
      ],
    });
    expect(() => broken.load({})).toThrow(/rule R_BROKEN threw/);
  });
});

describe('defineConfig: values in messages', () => {
  const schema = z.object({
    level: z.enum(['a', 'b']),
    token: secret(z.string().refine(() => false, { error: (issue) => `bad token ${String(issue.input)}` })),
    note: z.string().refine(() => false, { error: (issue) => `bad note ${String(issue.input)}` }),
  });
  const def = defineConfig(schema);

  it('never shows a secret value, even when a custom zod message embeds it', () => {
    for (const NODE_ENV of ['production', 'development']) {
      const error = catchConfigError(() =>
        def.load({ NODE_ENV, LEVEL: 'a', TOKEN: 'tok-SENTINEL-123', NOTE: 'note-xyz' }),
      );
      expect(error.message).not.toContain('tok-SENTINEL-123');
      expect(error.problems.find((p) => p.key === 'TOKEN')?.message).toBe('is invalid');
    }
  });

  it('shows no value in production, even one a custom message embeds; shows it in development', () => {
    const prod = catchConfigError(() =>
      def.load({ NODE_ENV: 'production', LEVEL: 'zzz', TOKEN: 't', NOTE: 'note-xyz' }),
    );
    expect(prod.message).not.toContain('note-xyz');
    expect(prod.message).not.toContain('zzz');
    const dev = catchConfigError(() =>
      def.load({ NODE_ENV: 'development', LEVEL: 'zzz', TOKEN: 't', NOTE: 'note-xyz' }),
    );
    expect(dev.problems.find((p) => p.key === 'LEVEL')?.message).toContain('(got "zzz")');
    expect(dev.problems.find((p) => p.key === 'NOTE')?.message).toContain('note-xyz');
  });

  it('cuts long values and escapes control characters outside production', () => {
    const dev = catchConfigError(() =>
      def.load({ NODE_ENV: 'development', LEVEL: `x\n${'y'.repeat(300)}`, TOKEN: 't', NOTE: 'n' }),
    );
    const message = dev.problems.find((p) => p.key === 'LEVEL')?.message ?? '';
    expect(message).toContain('"x\\ny');
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(250);
  });
});

describe('secret()', () => {
  it('enforces minBytes in UTF-8 bytes in every profile, without showing the value', () => {
    const def = defineConfig(z.object({ key: secret(z.string(), { minBytes: 4 }) }));
    expect(def.load({ NODE_ENV: 'development', KEY: 'éé' }).key).toBe('éé');
    const error = catchConfigError(() => def.load({ NODE_ENV: 'development', KEY: 'abc' }));
    expect(error.problems).toEqual([
      {
        key: 'KEY',
        rule: 'CONFIG_INVALID',
        message: 'must be at least 4 bytes long',
        hint: 'Set KEY to a valid value.',
      },
    ]);
  });

  it('survives .optional(), .default(), .describe() and .refine() applied after it', () => {
    const def = defineConfig(
      z.object({
        a: secret(z.string()).optional(),
        b: secret(z.string()).default('default-b-value'),
        c: secret(z.string()).describe('a token'),
        d: secret(z.string(), { minBytes: 1 }).refine(() => true),
      }),
    );
    const config = def.load({ NODE_ENV: 'test', A: 'value-a', C: 'value-c', D: 'value-d' });
    const shown = `${def.describe(config)}${JSON.stringify(config)}${inspect(config)}`;
    for (const v of ['value-a', 'default-b-value', 'value-c', 'value-d']) expect(shown).not.toContain(v);
    expect(Object.keys(config)).toEqual(['profile', 'warnings']);
  });

  it('does not mark the schema passed in', () => {
    const plain = z.string();
    secret(plain);
    const def = defineConfig(z.object({ name: plain }));
    expect(def.describe(def.load({ NAME: 'visible', NODE_ENV: 'test' }))).toContain('visible');
  });

  it.each([
    ['a non-schema', () => secret('x' as never), /"schema" must be a zod schema \(got "x"\); /],
    ['options null', () => secret(z.string(), null as never), /"options" must be a plain object \(got null\)/],
    [
      'an unknown option',
      () => secret(z.string(), { minByte: 3 } as never),
      /"minByte" is not a known option \(got 3\); did you mean "minBytes"\?/,
    ],
    ['minBytes 0', () => secret(z.string(), { minBytes: 0 }), /"minBytes" must be a positive integer.*got 0/],
    ['minBytes -1', () => secret(z.string(), { minBytes: -1 }), /"minBytes"/],
    ['minBytes 1.5', () => secret(z.string(), { minBytes: 1.5 }), /"minBytes"/],
    ['minBytes NaN', () => secret(z.string(), { minBytes: Number.NaN }), /"minBytes"/],
    ['minBytes "32"', () => secret(z.string(), { minBytes: '32' as never }), /"minBytes"/],
    [
      'an unknown mask',
      () => secret(z.string(), { mask: 'some' as never }),
      /"mask" must be "all" or "url-credentials" \(got "some"\)/,
    ],
  ])('rejects %s', (_name, run, message) => {
    expect(run).toThrow(TypeError);
    expect(run).toThrow(message);
  });

  it('accepts frozen options and treats undefined options as absent', () => {
    expect(() => secret(z.string(), Object.freeze({ minBytes: 8, mask: 'all' as const }))).not.toThrow();
    expect(() => secret(z.string(), { minBytes: undefined, mask: undefined })).not.toThrow();
  });
});

describe('defineConfig: option validation', () => {
  const schema = z.object({ a: z.string().optional() });
  const okRule = { id: 'R_OK', key: 'A', hint: 'fix it', check: () => undefined };

  it.each([
    [
      'a non-object schema',
      () => defineConfig(z.string() as never),
      /"schema" must be a z\.object\(\{\.\.\.\}\) schema \(got /,
    ],
    [
      'a plain object',
      () => defineConfig({ a: 1 } as never),
      /"schema" must be a z\.object\(\{\.\.\.\}\) schema \(got /,
    ],
    ['null', () => defineConfig(null as never), /"schema" must be a z\.object\(\{\.\.\.\}\) schema \(got /],
    [
      'options that are not an object',
      () => defineConfig(schema, 'rules' as never),
      /"options" must be a plain object \(got "rules"\)/,
    ],
    [
      'an unknown option',
      () => defineConfig(schema, { rule: [] } as never),
      /"rule" is not a known option \(got an empty array\); did you mean "rules"\?/,
    ],
    ['rules that are not an array', () => defineConfig(schema, { rules: {} as never }), /"rules" must be an array/],
    [
      'a rule that is not an object',
      () => defineConfig(schema, { rules: [null as never] }),
      /"rules\[0\]" must be a plain object \(got /,
    ],
    [
      'a rule with an unknown key',
      () => defineConfig(schema, { rules: [{ ...okRule, severity: 'x' } as never] }),
      /"rules\[0\]\.severity" is not a known option/,
    ],
    [
      'a lower-case id',
      () => defineConfig(schema, { rules: [{ ...okRule, id: 'r_ok' }] }),
      /"rules\[0\]\.id" must be an UPPER_SNAKE_CASE/,
    ],
    ['a duplicate id', () => defineConfig(schema, { rules: [okRule, okRule] }), /used twice/],
    [
      'the reserved schema id',
      () => defineConfig(schema, { rules: [{ ...okRule, id: 'CONFIG_INVALID' }] }),
      /used twice/,
    ],
    [
      'a key that is not a variable of the schema',
      () => defineConfig(schema, { rules: [{ ...okRule, key: 'B' }] }),
      /"rules\[0\]\.key" must name a variable/,
    ],
    ['an empty hint', () => defineConfig(schema, { rules: [{ ...okRule, hint: ' ' }] }), /"rules\[0\]\.hint"/],
    [
      'a non-boolean everyProfile',
      () => defineConfig(schema, { rules: [{ ...okRule, everyProfile: 'yes' as never }] }),
      /everyProfile" must be a boolean/,
    ],
    [
      'a check that is not a function',
      () => defineConfig(schema, { rules: [{ ...okRule, check: 'x' as never }] }),
      /"rules\[0\]\.check" must be a function/,
    ],
    [
      'a reserved field "profile"',
      () => defineConfig(z.object({ profile: z.string() })),
      /"schema\.profile" is reserved/,
    ],
    [
      'a reserved field "warnings"',
      () => defineConfig(z.object({ warnings: z.string() })),
      /"schema\.warnings" is reserved/,
    ],
    [
      'two fields reading one variable',
      () => defineConfig(z.object({ fooBar: z.string(), FOO_BAR: z.string() })),
      /reads FOO_BAR like "/,
    ],
    [
      'a field that is not a variable name',
      () => defineConfig(z.object({ 'a-b': z.string() })),
      /does not map to an environment variable/,
    ],
  ])('rejects %s with a TypeError naming the package', (_name, run, message) => {
    expect(run).toThrow(TypeError);
    expect(run).toThrow(/^@portcullis\/config: /);
    expect(run).toThrow(message);
  });

  it('accepts frozen options and treats { rules: undefined } like {}', () => {
    const frozen = Object.freeze({ rules: Object.freeze([Object.freeze(okRule)]) });
    expect(defineConfig(schema, frozen).load({ NODE_ENV: 'test' }).warnings).toEqual([]);
    expect(defineConfig(schema, { rules: undefined }).load({ A: 'x', NODE_ENV: 'test' }).a).toBe('x');
    expect(defineConfig(schema, {}).load({ A: 'x', NODE_ENV: 'test' }).a).toBe('x');
  });

  it.each([null, 'NODE_ENV=production', 42])('load() rejects an environment %j', (env) => {
    expect(() => defineConfig(schema).load(env as never)).toThrow(/"env" must be an environment object \(got /);
  });

  it('describe() rejects something that is not a config', () => {
    expect(() => defineConfig(schema).describe(null as never)).toThrow(
      /"config" must be a configuration returned by load\(\) \(got null\)/,
    );
  });
});

describe('the loaded config is deeply frozen', () => {
  const config = loadSecurityConfig({ ...SAFE_RS, NODE_ENV: 'development', DEBUG: 'true' });

  it('refuses writes, additions and deletions in strict mode', () => {
    const target = config as unknown as Record<string, unknown>;
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      target.port = 1;
    }).toThrow(TypeError);
    expect(() => {
      target.jwtSecret = 'x';
    }).toThrow(TypeError);
    expect(() => {
      target.extra = 1;
    }).toThrow(TypeError);
    expect(() => {
      delete target.debug;
    }).toThrow(TypeError);
    expect(() => {
      target.profile = 'development';
    }).toThrow(TypeError);
  });

  it('freezes arrays, warnings and nested values', () => {
    expect(() => {
      config.allowedOrigins.push('https://evil.example');
    }).toThrow(TypeError);
    expect(() => {
      config.jwtAlgorithms[0] = 'none';
    }).toThrow(TypeError);
    expect(Object.isFrozen(config.warnings)).toBe(true);
    expect(() => {
      (config.warnings as unknown as unknown[]).pop();
    }).toThrow(TypeError);
    expect(() => {
      (config.warnings[0] as unknown as Record<string, string>).rule = 'X';
    }).toThrow(TypeError);
    const nested = defineConfig(
      z.object({ tags: z.string().transform((s) => ({ inner: { list: s.split(',') } })) }),
    ).load({ TAGS: 'a,b', NODE_ENV: 'test' });
    expect(Object.isFrozen(nested.tags.inner)).toBe(true);
    expect(() => {
      nested.tags.inner.list.push('c');
    }).toThrow(TypeError);
  });

  it('does not share mutable state between loads', () => {
    const a = securityConfig.load({ NODE_ENV: 'test' });
    const b = securityConfig.load({ NODE_ENV: 'test' });
    expect(a.allowedOrigins).toEqual([]);
    expect(a).not.toBe(b);
  });
});
