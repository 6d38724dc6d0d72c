// Public entry of @portcullis/asvs: the ASVS 5.0.0 table, test tagging, evidence building and the vitest reporter.
export {
  ASVS_REQUIREMENTS,
  ASVS_CHAPTERS,
  ASVS_SOURCE,
  asvsRequirement,
  type AsvsRequirement,
  type AsvsLevel,
} from './requirements.js';
export { asvsTags, idsFromTitle, idsFromTags, idsFromMeta, isAsvsId, expandPattern, TAG_PREFIX } from './tags.js';
export {
  buildEvidence,
  checkEvidenceOptions,
  failures,
  summaryLine,
  type Evidence,
  type EvidenceOptions,
  type FailOn,
  type RequirementEvidence,
  type RequirementStatus,
  type RunMetadata,
  type StatusCounts,
  type TestRecord,
  type TestResult,
} from './evidence.js';
export { toMarkdown, toCycloneDx, writeEvidence } from './outputs.js';
export { runMetadata } from './metadata.js';
export { AsvsReporter, recordFromTestCase, type AsvsReporterOptions } from './reporter.js';
export { recordsFromJunit } from './junit.js';
export { runCli, type CliIo } from './run-cli.js';
