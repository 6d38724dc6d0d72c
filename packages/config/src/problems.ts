// ConfigError and the problem records it carries: what is wrong, which rule says so, and how to fix it.
import type { Profile } from './profile.js';

/** One configuration finding. Never contains the value of a secret; in production never any value. */
export interface ConfigProblem {
  /** The environment variable the finding is about, e.g. `JWT_SECRET`. */
  readonly key: string;
  /** Stable rule id, e.g. `SEC_JWT_ALG_NONE`; schema (shape/type) problems use `CONFIG_INVALID`. */
  readonly rule: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

/** Rule id of a value that does not match the schema (wrong type, format or range). */
export const SCHEMA_RULE = 'CONFIG_INVALID';

/** Renders a numbered problem list, one problem per entry with its fix. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p, i) => `  ${i + 1}. ${p.key} [${p.rule}] ${p.message}\n     fix: ${p.hint}`).join('\n');
}

/**
 * Thrown by `load()` when the configuration is invalid or unsafe for its profile. `problems` lists
 * every problem found (schema and rules), and the message lists them too, so one start-up attempt
 * shows everything to fix. Neither ever contains a secret's value (in production: no value at all).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, in schema order then rule order. Frozen. */
  readonly problems: readonly ConfigProblem[];
  /** The profile the configuration was checked under. */
  readonly profile: Profile;

  constructor(problems: readonly ConfigProblem[], profile: Profile) {
    const count = problems.length === 1 ? '1 configuration problem' : `${problems.length} configuration problems`;
    super(`@portcullis/config: refusing to start: ${count} (profile "${profile}")\n${formatProblems(problems)}`);
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
    this.profile = profile;
  }
}
