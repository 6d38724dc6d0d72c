// @portcullis/testkit/vitest: describeAttacks(settings) registers one vitest test per attack case.
import { afterAll, describe, it } from 'vitest';
import { SUITES, asvsSuffix, formatResult, prepareSuites, type AttackSettings } from './index.js';
import { PKG, checkOptions, optionError, type OptionKeys } from './options.js';
import { runCase, type PreparedSuite } from './suite.js';

/** Options of {@link describeAttacks}. */
export interface DescribeAttacksOptions {
  /**
   * Cases known to fail on this app, as `"suite/id"` (e.g. `"jwt/sig-padded"`): registered with
   * `it.fails`, so the run stays green while the finding is open and turns red once it is fixed. @default []
   */
  readonly knownFailures?: readonly string[] | undefined;
}

const DESCRIBE_KEYS: OptionKeys<DescribeAttacksOptions> = { knownFailures: true };

/**
 * Registers a `describe` block per suite with one test per case, titled after the threat with an
 * `[ASVS …]` suffix (read by @portcullis/asvs). A failing case throws its redacted transcript. A suite
 * without settings gets a single `todo` test "not run" — never a pass. Cases of a suite run in order.
 */
export function describeAttacks(settings: AttackSettings, options?: DescribeAttacksOptions): void {
  const opts = checkOptions<DescribeAttacksOptions>(PKG, options, DESCRIBE_KEYS, 'describeAttacks options');
  const known = opts.knownFailures ?? [];
  if (!Array.isArray(known) || !known.every((k) => typeof k === 'string' && /^[a-z]+\/[\w-]+$/i.test(k)))
    throw optionError(PKG, 'knownFailures', 'must be an array of "suite/id" strings', 'e.g. ["jwt/sig-padded"]', known);
  const prepared = prepareSuites(settings);
  for (const name of SUITES) {
    const suite = prepared.get(name);
    if (suite === undefined) {
      describe(`attacks: ${name}`, () => {
        it.todo(`${name}: not run (no settings given)`);
      });
      continue;
    }
    registerSuite(name, suite, new Set(known as readonly string[]));
  }
}

function registerSuite(name: string, suite: PreparedSuite<unknown>, known: ReadonlySet<string>): void {
  let ctx: Promise<unknown> | undefined;
  describe(`attacks: ${name}`, () => {
    afterAll(async () => {
      if (ctx !== undefined) await suite.cleanup?.(await ctx);
    });
    for (const def of suite.cases) {
      const register = known.has(`${name}/${def.id}`) ? it.fails : it;
      register(`${def.title}${asvsSuffix(def.asvs)}`, async () => {
        ctx ??= suite.prepare();
        const result = await runCase(suite, def, await ctx);
        if (!result.passed) throw new Error(formatResult(result));
      });
    }
  });
}
