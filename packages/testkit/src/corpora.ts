// @portcullis/testkit/corpora: the attack cases as plain data (ids, titles, ASVS ids) for any test runner.
import { JWT_TOKEN_CASES } from './suites/jwt.js';

/** One case as data. */
export interface CorpusCase {
  readonly id: string;
  readonly title: string;
  readonly asvs: readonly string[];
}

/** The jwt suite's token cases (the tokens themselves depend on the issuer's keys, so they are built at run time). */
export const jwtCases: readonly CorpusCase[] = JWT_TOKEN_CASES.map(({ id, title, asvs }) => ({ id, title, asvs }));
