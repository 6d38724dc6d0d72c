// Public API of @portcullis/config: fail-closed configuration loading on zod 4.
export { defineConfig } from './define.js';
export type {
  ConfigDefinition,
  ConfigMeta,
  ConfigRule,
  DefineConfigOptions,
  LoadedConfig,
  RuleContext,
  RuleViolation,
} from './define.js';
export { secret, REDACTED } from './secret.js';
export type { SecretKind, SecretMask, SecretOptions } from './secret.js';
export { SIGNING_KEY_RULES } from './signing-key.js';
export type { SigningKeyRule } from './signing-key.js';
export { ConfigError, SCHEMA_RULE } from './problems.js';
export type { ConfigProblem } from './problems.js';
export { resolveProfile } from './profile.js';
export { checkBodyLimit, MAX_BODY_LIMIT_BYTES } from './bytes.js';
export type { BodyLimitVerdict } from './bytes.js';
export type { Env, Profile } from './profile.js';
export { securityConfig, loadSecurityConfig, SECURITY_RULES, LOG_LEVELS, JWT_ALGORITHM_NAMES } from './security.js';
export type { LogLevel, SecurityConfig, SecurityConfigValues } from './security.js';
