// @portcullis/testkit/corpora: the attack cases as plain data (ids, titles, ASVS ids) for any test runner.
import { JWT_TOKEN_CASES } from './suites/jwt.js';
import { LEAK_PROBES } from './suites/leaks.js';

export { FIXED_ORIGINS as corsFixedOrigins, originVariants as corsOriginVariants } from './suites/cors.js';
export { TRAVERSAL_TEMPLATES as traversalTemplates } from './suites/traversal.js';

/** One case as data. */
export interface CorpusCase {
  readonly id: string;
  readonly title: string;
  readonly asvs: readonly string[];
}

/** The jwt suite's token cases (the tokens themselves depend on the issuer's keys, so they are built at run time). */
export const jwtCases: readonly CorpusCase[] = JWT_TOKEN_CASES.map(({ id, title, asvs }) => ({ id, title, asvs }));

/** The leaks suite's probes (requests are built at run time around your route and a fresh canary). */
export const leakProbes: readonly CorpusCase[] = LEAK_PROBES.map(({ id, title, asvs }) => ({ id, title, asvs }));
