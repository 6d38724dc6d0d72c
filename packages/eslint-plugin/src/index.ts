// Public entry of @portcullis/eslint-plugin: the rules and the flat `recommended` config.
import noAssertSecurity from './rules/no-assert-security.js';
import noCorsReflection from './rules/no-cors-reflection.js';
import noDynamicCode from './rules/no-dynamic-code.js';
import noFastPasswordHash from './rules/no-fast-password-hash.js';
import noInsecureRandom from './rules/no-insecure-random.js';
import noShellExec from './rules/no-shell-exec.js';
import noSqlString from './rules/no-sql-string.js';
import noTlsBypass from './rules/no-tls-bypass.js';
import noTmpRace from './rules/no-tmp-race.js';
import noUnsafeDeserialize from './rules/no-unsafe-deserialize.js';
import noUnverifiedJwt from './rules/no-unverified-jwt.js';
import requireSuppressionReason from './rules/require-suppression-reason.js';

/** A rule as ESLint loads it (typed loosely so this package's declarations need no `eslint` types). */
export interface PortcullisRule {
  /** Rule metadata: type, docs, messages, schema. */
  readonly meta: object;
  /** Builds the rule's listeners for one file. */
  create(context: never): object;
}

/** Severity of a rule in a config. */
export type Severity = 'error' | 'warn';

/** A flat-config object as `configs.recommended` provides it. */
export interface PortcullisFlatConfig {
  /** Config name shown by ESLint's config inspector. */
  readonly name: string;
  /** The plugin registered under the `@portcullis` namespace. */
  readonly plugins: Readonly<Record<'@portcullis', PortcullisPlugin>>;
  /** Rule ids (`@portcullis/<rule>`) and their severities. */
  readonly rules: Readonly<Record<string, Severity>>;
}

/** The plugin object: meta, rules and configs. */
export interface PortcullisPlugin {
  /** Package name and version. */
  readonly meta: { readonly name: string; readonly version: string };
  /** Every rule, by id without the `@portcullis/` prefix. */
  readonly rules: Readonly<Record<string, PortcullisRule>>;
  /** `recommended`: every rule, `no-tmp-race` as a warning, the rest as errors. */
  readonly configs: { readonly recommended: PortcullisFlatConfig };
}

/** Every rule of the plugin by id. */
export const rules: Readonly<Record<string, PortcullisRule>> = {
  'no-dynamic-code': noDynamicCode,
  'no-shell-exec': noShellExec,
  'no-sql-string': noSqlString,
  'no-tls-bypass': noTlsBypass,
  'no-insecure-random': noInsecureRandom,
  'no-unsafe-deserialize': noUnsafeDeserialize,
  'no-assert-security': noAssertSecurity,
  'no-fast-password-hash': noFastPasswordHash,
  'no-unverified-jwt': noUnverifiedJwt,
  'no-cors-reflection': noCorsReflection,
  'no-tmp-race': noTmpRace,
  'require-suppression-reason': requireSuppressionReason,
};

/** Severities of `configs.recommended`. */
export const recommendedRules: Readonly<Record<string, Severity>> = Object.fromEntries(
  Object.keys(rules).map((id) => [`@portcullis/${id}`, id === 'no-tmp-race' ? 'warn' : 'error']),
);

const plugin: {
  meta: PortcullisPlugin['meta'];
  rules: PortcullisPlugin['rules'];
  configs: { recommended: PortcullisFlatConfig };
} = {
  meta: { name: '@portcullis/eslint-plugin', version: '0.1.0' },
  rules,
  configs: {} as { recommended: PortcullisFlatConfig },
};
plugin.configs.recommended = {
  name: '@portcullis/recommended',
  plugins: { '@portcullis': plugin },
  rules: recommendedRules,
};

/** Package name and version (the module itself is the plugin: `import * as portcullis`). */
export const meta: PortcullisPlugin['meta'] = plugin.meta;
/** `configs.recommended`: the flat config to spread into `eslint.config.js`. */
export const configs: PortcullisPlugin['configs'] = plugin.configs;
/** The plugin object (`{ meta, rules, configs }`), for configs that want it as one value. */
export const portcullisPlugin: PortcullisPlugin = plugin;
