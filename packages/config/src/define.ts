// defineConfig(): reads a flat zod object schema from the environment, applies rules, fails closed, freezes and masks.
import { inspect } from 'node:util';
import { checkOptions, describeValue, isPlainObject, optionError, type OptionKeys } from '@portcullis/errors/options';
import type { z } from 'zod';
import { ConfigError, SCHEMA_RULE, formatProblems, type ConfigProblem } from './problems.js';
import { resolveProfile, type Env, type Profile } from './profile.js';
import {
  findInSchema,
  isZodType,
  maskCredentials,
  maskSecret,
  secretKindOf,
  secretMaskOf,
  type SecretKind,
  type SecretMask,
} from './secret.js';
import { SIGNING_KEY_RULES, signingKeyFinding } from './signing-key.js';

/** What a rule reports when its check fails. */
export interface RuleViolation {
  /** What is wrong, without any value (values go in `values`). */
  message: string;
  /** The offending values; appended to the message outside production only, and never for a secret field. */
  values?: readonly string[] | undefined;
  /** The variable the finding is about when it is not the rule's `key`. @default the rule's key */
  key?: string | undefined;
}

/** What a rule's check is told besides the config. */
export interface RuleContext {
  /** The profile the configuration is being checked under. */
  readonly profile: Profile;
}

/** A policy check over the parsed configuration, with a stable id. */
export interface ConfigRule<T> {
  /** Stable id in upper snake case, e.g. `SEC_DEBUG_ON`. Unique within a definition. */
  id: string;
  /** The environment variable the finding is about, e.g. `DEBUG`. */
  key: string;
  /** How to fix the finding; shown with it. */
  hint: string;
  /**
   * When true a finding is an error in every profile; otherwise it is an error in production and a
   * warning elsewhere. @default false
   */
  everyProfile?: boolean | undefined;
  /** Returns a violation when the configuration breaks the rule, else undefined. Must not throw on valid input. */
  check(config: Readonly<T>, context: RuleContext): RuleViolation | undefined;
}

/** Options of {@link defineConfig}. */
export interface DefineConfigOptions<T> {
  /** Policy checks run after the schema; see {@link ConfigRule}. @default [] */
  rules?: readonly ConfigRule<T>[] | undefined;
}

/** Fields every loaded configuration carries besides its schema's. */
export interface ConfigMeta {
  /** The profile the configuration was checked under (see the profile rule). */
  readonly profile: Profile;
  /** Rule findings that were not errors because the profile is not production. Frozen. */
  readonly warnings: readonly ConfigProblem[];
}

/** A loaded configuration: the schema's output plus {@link ConfigMeta}, deeply frozen, secrets masked when shown. */
export type LoadedConfig<T> = Readonly<T> & ConfigMeta;

/** The result of {@link defineConfig}. */
export interface ConfigDefinition<T> {
  /**
   * Validates the environment against the schema and the rules, collecting every problem, and
   * throws one {@link ConfigError} if there is any (rule findings count only in production, or
   * always for `everyProfile` rules). Returns the deeply frozen configuration.
   * @param env variables to read. @default process.env
   */
  load(env?: Env): LoadedConfig<T>;
  /** A redacted, human-readable summary: profile, every variable with its (masked) value, warnings. */
  describe(config: LoadedConfig<T>): string;
}

interface Field {
  readonly name: string;
  readonly env: string;
  readonly schema: z.ZodType;
  readonly mask: SecretMask | undefined;
  readonly kind: SecretKind | undefined;
  readonly hint: string;
}

interface CompiledRule<T> {
  readonly rule: ConfigRule<T>;
  readonly everyProfile: boolean;
}

const RESERVED_FIELDS = new Set(['profile', 'warnings', 'toJSON']);
const OPTION_KEYS: OptionKeys<DefineConfigOptions<unknown>> = { rules: true };
const RULE_KEYS: OptionKeys<ConfigRule<unknown>> = { id: true, key: true, hint: true, everyProfile: true, check: true };
const PKG = 'config';

/** `jwtSecret` → `JWT_SECRET`; a name already in upper snake case is kept. */
export function envNameOf(name: string): string {
  return /^[A-Z][A-Z0-9_]*$/.test(name) ? name : name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Freezes a value and everything reachable through arrays and plain objects. */
function deepFreeze<V>(value: V): V {
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
    return Object.freeze(value);
  }
  if (isPlainObject(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    return Object.freeze(value);
  }
  return value;
}

/** A non-secret value for JSON/inspect output: credentials in strings (and string arrays) masked. */
function maskShown(value: unknown): unknown {
  if (typeof value === 'string') return maskCredentials(value);
  if (Array.isArray(value))
    return value.map((item: unknown) => (typeof item === 'string' ? maskCredentials(item) : item));
  return value;
}

/** A parsed value for the summary. */
function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  // Quote a string with control characters so that it cannot forge extra summary lines. Credentials in
  // any URL-shaped or key=value value are masked even when the field is not declared secret.
  if (typeof value === 'string') {
    const masked = maskCredentials(value);
    return masked === '' || JSON.stringify(masked).slice(1, -1) !== masked ? JSON.stringify(masked) : masked;
  }
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((v) => formatValue(v)).join(', ');
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? typeof value;
}

function compileFields(schema: z.ZodObject): Field[] {
  const seen = new Map<string, string>();
  return Object.entries(schema.shape).map(([name, fieldSchema]) => {
    if (RESERVED_FIELDS.has(name))
      throw optionError(
        PKG,
        `schema.${name}`,
        'is reserved (loaded configs carry "profile" and "warnings")',
        'rename it',
      );
    if (!isZodType(fieldSchema))
      throw optionError(PKG, `schema.${name}`, 'is not a zod schema', 'e.g. z.string()', fieldSchema);
    const env = envNameOf(name);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(env))
      throw optionError(
        PKG,
        `schema.${name}`,
        'does not map to an environment variable name',
        'use camelCase or UPPER_SNAKE_CASE',
        env,
      );
    const other = seen.get(env);
    if (other !== undefined) throw optionError(PKG, `schema.${name}`, `reads ${env} like "${other}"`, 'rename one');
    seen.set(env, name);
    const description = findInSchema(fieldSchema, (s) => s.description);
    return {
      name,
      env,
      schema: fieldSchema,
      mask: secretMaskOf(fieldSchema),
      kind: secretKindOf(fieldSchema),
      hint: description !== undefined ? `Set ${env} to ${description}.` : `Set ${env} to a valid value.`,
    };
  });
}

function compileRules<T>(rules: unknown, envNames: ReadonlySet<string>): CompiledRule<T>[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules))
    throw optionError(PKG, 'rules', 'must be an array', 'pass rules like { id, key, hint, check }', rules);
  const ids = new Set<string>();
  return rules.map((raw: unknown, index) => {
    const { id, key, hint, everyProfile, check } = checkOptions(PKG, raw, RULE_KEYS, `rules[${index}]`);
    if (typeof id !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(id))
      throw optionError(PKG, `rules[${index}].id`, 'must be an UPPER_SNAKE_CASE string', 'e.g. "SEC_DB_TLS"', id);
    if (ids.has(id) || id === SCHEMA_RULE)
      throw optionError(PKG, `rules[${index}].id`, 'is used twice', 'rule ids must be unique', id);
    if (SIGNING_KEY_RULES.some((r) => r.id === id))
      throw optionError(
        PKG,
        `rules[${index}].id`,
        'is built in (checked for every secret of kind "signing-key")',
        'choose another id',
        id,
      );
    ids.add(id);
    if (typeof key !== 'string' || !envNames.has(key))
      throw optionError(PKG, `rules[${index}].key`, 'must name a variable of the schema', 'e.g. "DATABASE_URL"', key);
    if (typeof hint !== 'string' || hint.trim() === '')
      throw optionError(PKG, `rules[${index}].hint`, 'must be a non-empty string', 'say how to fix the finding', hint);
    if (everyProfile !== undefined && typeof everyProfile !== 'boolean')
      throw optionError(PKG, `rules[${index}].everyProfile`, 'must be a boolean', 'omit it for false', everyProfile);
    if (typeof check !== 'function')
      throw optionError(
        PKG,
        `rules[${index}].check`,
        'must be a function',
        'e.g. (config) => config.X !== undefined',
        check,
      );
    return { rule: raw as ConfigRule<T>, everyProfile: everyProfile === true };
  });
}

/**
 * Defines a configuration read from environment variables. `schema` is a flat `z.object`; each field
 * `fooBar` reads the variable `FOO_BAR` (a field already in UPPER_SNAKE_CASE reads itself). A
 * variable that is unset, empty or only whitespace is passed to the schema as `undefined`, so
 * `.optional()` and `.default()` apply. A field's `.describe(text)` is used as its fix hint.
 *
 * @throws TypeError when the schema or the options are not usable (at definition time).
 */
export function defineConfig<S extends z.ZodObject>(
  schema: S,
  options?: DefineConfigOptions<z.output<S>>,
): ConfigDefinition<z.output<S>> {
  type T = z.output<S>;
  if (!isZodType(schema) || schema._zod.def.type !== 'object')
    throw optionError(
      PKG,
      'schema',
      'must be a z.object({...}) schema',
      'pass z.object({ PORT: z.coerce.number() })',
      schema,
    );
  checkOptions(PKG, options, OPTION_KEYS);
  const fields = compileFields(schema);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const byEnv = new Map(fields.map((f) => [f.env, f]));
  const rules = compileRules<T>(options?.rules, new Set(byEnv.keys()));

  /** A message safe to show: a value that leaked into it (a custom zod message) is cut out. */
  function scrub(message: string, raw: string | undefined, field: Field | undefined, profile: Profile): string {
    if (raw === undefined || raw.length < 3) return message;
    if ((field?.mask !== undefined || profile === 'production') && message.includes(raw)) return 'is invalid';
    return message;
  }

  function withValues(
    message: string,
    values: readonly string[] | undefined,
    field: Field | undefined,
    profile: Profile,
  ): string {
    if (profile === 'production' || field?.mask !== undefined || values === undefined || values.length === 0)
      return message;
    return `${message} (got ${values.map((v) => describeValue(maskCredentials(v))).join(', ')})`;
  }

  function redactedView(config: object): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const field of fields) {
      const value: unknown = Reflect.get(config, field.name);
      if (value === undefined) continue;
      view[field.name] = field.mask !== undefined ? maskSecret(value, field.mask) : maskShown(value);
    }
    view.profile = Reflect.get(config, 'profile');
    view.warnings = Reflect.get(config, 'warnings');
    return view;
  }

  function load(env: Env = process.env): LoadedConfig<T> {
    if (typeof env !== 'object' || env === null)
      throw optionError(PKG, 'env', 'must be an environment object', 'pass process.env', env);
    const profile = resolveProfile(env);
    const raw = new Map<string, string | undefined>();
    for (const field of fields) {
      const value: unknown = env[field.env];
      raw.set(field.name, typeof value === 'string' && value.trim() !== '' ? value : undefined);
    }
    const input = Object.fromEntries(raw);
    const problems: ConfigProblem[] = [];
    const failed = new Set<string>();
    let parsed: Record<string, unknown>;
    const result = schema.safeParse(input);
    if (result.success) {
      parsed = result.data;
    } else {
      for (const issue of result.error.issues) {
        const head = issue.path[0];
        const field = typeof head === 'string' ? byName.get(head) : undefined;
        if (field !== undefined) failed.add(field.name);
        const value = field !== undefined ? raw.get(field.name) : undefined;
        const message = withValues(
          scrub(issue.message, value, field, profile),
          value === undefined ? undefined : [value],
          field,
          profile,
        );
        problems.push({
          key: field?.env ?? '(config)',
          rule: SCHEMA_RULE,
          message,
          hint: field?.hint ?? 'Fix the configuration as the message says.',
        });
      }
      // Parse field by field so that rules still see every valid value and report their findings too.
      parsed = {};
      for (const field of fields) {
        const one = field.schema.safeParse(raw.get(field.name));
        if (one.success) parsed[field.name] = one.data;
        else failed.add(field.name);
      }
    }

    // Rules get read-only values: a rule must not be able to change what load() returns.
    deepFreeze(parsed);

    const warnings: ConfigProblem[] = [];
    const context: RuleContext = Object.freeze({ profile });
    for (const { rule, everyProfile } of rules) {
      const read = new Set<string>();
      const view = new Proxy(parsed, {
        get(target, property, receiver) {
          if (typeof property === 'string') read.add(property);
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      let violation: RuleViolation | undefined;
      try {
        violation = rule.check(view as Readonly<T>, context);
      } catch (error) {
        // A rule may trip over a value the schema already rejected; that problem is reported above.
        if (failed.size > 0) continue;
        throw new Error(`@portcullis/config: rule ${rule.id} threw while checking the configuration`, { cause: error });
      }
      // A finding computed from a value the schema rejected would be noise; skip it.
      if (violation === undefined || [...read].some((name) => failed.has(name))) continue;
      const key = typeof violation.key === 'string' && violation.key !== '' ? violation.key : rule.key;
      const field = byEnv.get(key) ?? byEnv.get(rule.key);
      const problem: ConfigProblem = {
        key,
        rule: rule.id,
        message: withValues(violation.message, violation.values, field, profile),
        hint: rule.hint,
      };
      if (everyProfile || profile === 'production') problems.push(problem);
      else warnings.push(problem);
    }
    // Every signing key: published or weak is an error in production, a warning elsewhere (same ids).
    for (const field of fields) {
      const value = parsed[field.name];
      if (field.kind !== 'signing-key' || failed.has(field.name) || typeof value !== 'string') continue;
      const finding = signingKeyFinding(value);
      if (finding === undefined) continue;
      const problem: ConfigProblem = { key: field.env, rule: finding.id, message: finding.message, hint: finding.hint };
      if (profile === 'production') problems.push(problem);
      else warnings.push(problem);
    }
    if (problems.length > 0) throw new ConfigError(problems, profile);

    const config: Record<string, unknown> = {};
    for (const field of fields) {
      if (!Object.hasOwn(parsed, field.name)) continue;
      // Secrets are non-enumerable: spreading the config or handing it to a logger does not copy them.
      Object.defineProperty(config, field.name, {
        value: deepFreeze(parsed[field.name]),
        enumerable: field.mask === undefined,
        writable: false,
        configurable: false,
      });
    }
    config.profile = profile;
    config.warnings = deepFreeze(warnings.map((w) => ({ ...w })));
    Object.defineProperty(config, 'toJSON', {
      value: function toJSON() {
        return redactedView(config);
      },
      enumerable: false,
    });
    Object.defineProperty(config, inspect.custom, {
      value: function inspectConfig(_depth: number, options: object) {
        return `Config ${inspect(redactedView(config), options)}`;
      },
      enumerable: false,
    });
    return Object.freeze(config) as LoadedConfig<T>;
  }

  function describe(config: LoadedConfig<T>): string {
    if (typeof config !== 'object' || config === null)
      throw optionError(
        PKG,
        'config',
        'must be a configuration returned by load()',
        'pass what load() returned',
        config,
      );
    const width = Math.max(...fields.map((f) => f.env.length), 7) + 2;
    const profile: unknown = Reflect.get(config, 'profile');
    const lines = [`profile: ${formatValue(profile)}`];
    for (const field of fields) {
      const value: unknown = Reflect.get(config, field.name);
      const shown =
        field.mask !== undefined && value !== undefined ? maskSecret(value, field.mask) : formatValue(value);
      lines.push(`${field.env.padEnd(width)}${shown}`);
    }
    const warnings: unknown = Reflect.get(config, 'warnings');
    const list = Array.isArray(warnings) ? (warnings as ConfigProblem[]) : [];
    lines.push(list.length === 0 ? 'warnings: none' : `warnings (${list.length}):\n${formatProblems(list)}`);
    return lines.join('\n');
  }

  return Object.freeze({ load, describe });
}
