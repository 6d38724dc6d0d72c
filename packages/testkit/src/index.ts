// @portcullis/testkit: attack suites a team runs against its own Express app in CI.
import { PKG, checkOptions, type OptionKeys } from './options.js';
import { runSuite, type PreparedSuite } from './suite.js';
import { corsSuite, type CorsSuiteSettings } from './suites/cors.js';
import { jwtSuite, type JwtSuiteSettings } from './suites/jwt.js';
import { leaksSuite, type LeaksSuiteSettings } from './suites/leaks.js';
import { traversalSuite, type TraversalSuiteSettings } from './suites/traversal.js';
import type { CaseResult, SuiteName } from './types.js';

export { createTestIssuer, hs256 } from './issuer.js';
export type {
  CallbackHit,
  IssuerAlgorithm,
  IssuerMode,
  PublicKeyForms,
  SignOptions,
  TestIssuer,
  TestIssuerOptions,
} from './issuer.js';
export { isLoopbackHost, startTarget } from './target.js';
export type { RawRequest, RawResponse, Target, TargetApp, TargetOptions } from './target.js';
export type { CaseResult, ReceivedResponse, SentRequest, SuiteName } from './types.js';
export type { JwtSuiteSettings } from './suites/jwt.js';
export type { CorsSuiteSettings } from './suites/cors.js';
export type { TraversalSuiteSettings } from './suites/traversal.js';
export type { LeaksSuiteSettings } from './suites/leaks.js';
export { LEAK_ENV_CANARY } from './suites/leaks.js';

/** Settings of {@link runAttacks}: one entry per suite; a suite left out is reported "not run". */
export interface AttackSettings {
  readonly jwt?: JwtSuiteSettings | undefined;
  readonly cors?: CorsSuiteSettings | undefined;
  readonly traversal?: TraversalSuiteSettings | undefined;
  readonly leaks?: LeaksSuiteSettings | undefined;
}

const SETTINGS_KEYS: OptionKeys<AttackSettings> = { jwt: true, cors: true, traversal: true, leaks: true };

/** The suites built so far, in run order. */
export const SUITES: readonly SuiteName[] = ['jwt', 'cors', 'traversal', 'leaks'];

/** A suite's entry in a report: its results, or "not run" when its settings were absent. */
export type SuiteReport =
  | { readonly suite: SuiteName; readonly status: 'not run'; readonly results: readonly [] }
  | { readonly suite: SuiteName; readonly status: 'ran'; readonly results: readonly CaseResult[] };

/** Builds the suites the settings configure (settings are checked here; a bad one throws a TypeError). */
export function prepareSuites(settings: AttackSettings): Map<SuiteName, PreparedSuite<unknown>> {
  const s = checkOptions<AttackSettings>(PKG, settings, SETTINGS_KEYS, 'settings');
  const out = new Map<SuiteName, PreparedSuite<unknown>>();
  if (s.jwt !== undefined) out.set('jwt', jwtSuite(s.jwt as JwtSuiteSettings));
  if (s.cors !== undefined) out.set('cors', corsSuite(s.cors as CorsSuiteSettings));
  if (s.traversal !== undefined) out.set('traversal', traversalSuite(s.traversal as TraversalSuiteSettings));
  if (s.leaks !== undefined) out.set('leaks', leaksSuite(s.leaks as LeaksSuiteSettings));
  return out;
}

/** Runs every configured suite against the target; suites without settings are reported "not run", never passed. */
export async function runAttacks(settings: AttackSettings): Promise<SuiteReport[]> {
  const prepared = prepareSuites(settings);
  const reports: SuiteReport[] = [];
  for (const name of SUITES) {
    const suite = prepared.get(name);
    reports.push(
      suite === undefined
        ? { suite: name, status: 'not run', results: [] }
        : { suite: name, status: 'ran', results: await runSuite(suite) },
    );
  }
  return reports;
}

/** A failure transcript for a test report: the reason, then the redacted request and response. */
export function formatResult(result: CaseResult): string {
  const lines = [
    `${result.passed ? 'PASS' : 'FAIL'} ${result.suite}/${result.id}: ${result.title}`,
    `  reason: ${result.reason}`,
  ];
  if (result.request !== undefined) {
    lines.push(`  > ${result.request.method} ${result.request.path}`);
    for (const [n, v] of result.request.headers) lines.push(`  > ${n}: ${v}`);
    if (result.request.body !== undefined) lines.push(`  > ${result.request.body}`);
  }
  if (result.response !== undefined) {
    lines.push(`  < ${result.response.status}`);
    for (const [n, v] of Object.entries(result.response.headers))
      lines.push(`  < ${n}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
    lines.push(`  < ${result.response.body}`);
  }
  return lines.join('\n');
}

/** `[ASVS V9.1.1, V9.1.2]`: the title suffix @portcullis/asvs reads. */
export function asvsSuffix(ids: readonly string[]): string {
  return ids.length === 0 ? '' : ` [ASVS ${ids.join(', ')}]`;
}
