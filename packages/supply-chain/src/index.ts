// Public entry of @portcullis/supply-chain: offline supply-chain checks (SC1-SC15) for npm projects.
export { checkSupplyChain, type CheckOptions } from './check.js';
export { formatText, formatJson, formatSarif } from './report.js';
export { runCli, type CliIo } from './run-cli.js';
export { DANGEROUS_VERSIONS, matchOsv, type DangerousVersion } from './advisories.js';
export { DEFAULT_LICENSES, licenseAllowed } from './licenses.js';
export { diffSboms } from './sbom.js';
export { imitates, editDistance } from './typosquat.js';
export { compareSemver, parseSemver, inOsvRange } from './semver.js';
export {
  RULE_IDS,
  RULE_TITLES,
  type Finding,
  type Report,
  type RuleId,
  type RuleStatus,
  type Severity,
  type SbomDiff,
} from './types.js';
