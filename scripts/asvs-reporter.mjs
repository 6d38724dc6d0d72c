// The repository's ASVS evidence reporter (npm test): tagged tests → reports/asvs-evidence.{json,md,cdx.json}.
// Requirements no test of this repository can verify are declared here, each with its reason or evidence pointer.
import { AsvsReporter } from '../packages/asvs/src/index.ts';
import { NOT_APPLICABLE, MANUAL } from './asvs-declarations.mjs';

export default class RepositoryAsvsReporter extends AsvsReporter {
  constructor() {
    super({
      level: 3,
      out: 'reports',
      notApplicable: NOT_APPLICABLE,
      manual: MANUAL,
      subject: { name: 'portcullis', version: '0.1.0' },
    });
  }
}
