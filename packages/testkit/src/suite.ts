// The case runner every suite shares: run a case, catch what it throws, build the redacted result.
import type { RawRequest, RawResponse, Target } from './target.js';
import { receivedResponse, sentRequest } from './transcript.js';
import type { CaseResult, SuiteName } from './types.js';

/** What a case's run returns: the verdict and the exchange it is based on. */
export interface CaseOutcome {
  readonly passed: boolean;
  readonly reason: string;
  readonly request?: RawRequest | undefined;
  readonly response?: RawResponse | undefined;
}

/** One attack case of a suite. `C` is the suite's prepared context. */
export interface CaseDef<C> {
  readonly id: string;
  readonly title: string;
  readonly asvs: readonly string[];
  run(ctx: C): Promise<CaseOutcome>;
}

/** A suite ready to run: its cases and how to prepare their shared context once. */
export interface PreparedSuite<C> {
  readonly suite: SuiteName;
  readonly cases: readonly CaseDef<C>[];
  /** Called once before the first case (control requests, planted files); rejects only on setup errors. */
  prepare(): Promise<C>;
  /** Undoes what prepare() did (planted files); called once after the last case. */
  cleanup?(ctx: C): Promise<void>;
  /** Strings masked in every transcript (tokens, canaries). */
  secrets(ctx: C | undefined): readonly string[];
}

/** Sends `req` and returns the exchange; an error (reset, timeout) becomes a response-less outcome the oracle sees. */
export async function exchange(
  target: Target,
  req: RawRequest,
): Promise<{ request: RawRequest; response?: RawResponse; error?: string }> {
  try {
    return { request: req, response: await target.request(req) };
  } catch (err) {
    return { request: req, error: err instanceof Error ? err.message : 'request failed' };
  }
}

/** Runs one case and turns the outcome (or an exception) into a {@link CaseResult}. */
export async function runCase<C>(suite: PreparedSuite<C>, def: CaseDef<C>, ctx: C): Promise<CaseResult> {
  let outcome: CaseOutcome;
  try {
    outcome = await def.run(ctx);
  } catch (err) {
    outcome = {
      passed: false,
      reason: `the case could not run: ${err instanceof Error ? err.message : 'unknown error'}`,
    };
  }
  const secrets = suite.secrets(ctx);
  return {
    suite: suite.suite,
    id: def.id,
    title: def.title,
    asvs: def.asvs,
    passed: outcome.passed,
    request: outcome.request === undefined ? undefined : sentRequest(outcome.request, secrets),
    response: outcome.response === undefined ? undefined : receivedResponse(outcome.response, secrets),
    reason: outcome.reason,
  };
}

/** Runs every case of a suite in order (cases may share state such as the issuer's mode). */
export async function runSuite<C>(suite: PreparedSuite<C>): Promise<CaseResult[]> {
  let ctx: C;
  try {
    ctx = await suite.prepare();
  } catch (err) {
    const reason = `suite setup failed: ${err instanceof Error ? err.message : 'unknown error'}`;
    return suite.cases.map((def) => ({
      suite: suite.suite,
      id: def.id,
      title: def.title,
      asvs: def.asvs,
      passed: false,
      reason,
    }));
  }
  const results: CaseResult[] = [];
  try {
    for (const def of suite.cases) results.push(await runCase(suite, def, ctx));
  } finally {
    await suite.cleanup?.(ctx);
  }
  return results;
}

/** A one-line description of a response for reasons: `401 {"error":"invalid_token"…}`. */
export function brief(res: RawResponse | undefined, error?: string): string {
  if (res === undefined) return `no answer (${error ?? 'unknown'})`;
  const body = res.text.length > 80 ? `${res.text.slice(0, 80)}…` : res.text;
  return `${res.status} ${body}`;
}
