// The shapes every suite shares: a case definition, its result and the request/response transcript.

/** One request as sent, for the transcript (secrets already redacted). */
export interface SentRequest {
  readonly method: string;
  /** The raw request target exactly as written on the wire (not normalised). */
  readonly path: string;
  /** Header lines in the order sent; a name may repeat. */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** Body as text (redacted, cut to 2 KiB), or undefined when there was none. */
  readonly body?: string | undefined;
}

/** One response as received, for the transcript (secrets redacted, body cut to 2 KiB). */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

/** The outcome of one attack case. */
export interface CaseResult {
  /** Suite name: `jwt`, `cors`, `traversal`, `leaks`. */
  readonly suite: SuiteName;
  /** Stable case id within the suite, e.g. `alg-none-lower-nosig`. */
  readonly id: string;
  /** The threat, as a test title ("refuses alg none without a signature"). */
  readonly title: string;
  /** ASVS 5.0 requirement ids the case gives evidence for, e.g. `["V9.1.2"]`. */
  readonly asvs: readonly string[];
  /** True only when the case ran and the oracle held; a case that could not run is false with a reason. */
  readonly passed: boolean;
  /** The last request of the case (redacted), when one was sent. */
  readonly request?: SentRequest | undefined;
  /** The answer to it (redacted), when one came. */
  readonly response?: ReceivedResponse | undefined;
  /** Why the case failed, or what it proved when it passed. */
  readonly reason: string;
}

/** The suites built so far. */
export type SuiteName = 'jwt' | 'cors' | 'traversal' | 'leaks';

/** What a case's check returns. */
export interface Verdict {
  readonly passed: boolean;
  readonly reason: string;
}
