// The shapes every check shares: rule ids, severities, findings and per-rule statuses.

/** Stable rule ids. SC15 is the typosquat warning. */
export type RuleId =
  | 'SC1'
  | 'SC2'
  | 'SC3'
  | 'SC4'
  | 'SC5'
  | 'SC6'
  | 'SC7'
  | 'SC8'
  | 'SC9'
  | 'SC10'
  | 'SC11'
  | 'SC12'
  | 'SC13'
  | 'SC14'
  | 'SC15';

/** `error` fails the run (exit 1); `warning` and `note` are reported only. */
export type Severity = 'error' | 'warning' | 'note';

/**
 * What a rule concluded. `unavailable` (advisories) and `unverifiable` (signatures) mean the check
 * could not look: they are never reported as `pass`.
 */
export type RuleStatus = 'pass' | 'fail' | 'warn' | 'unavailable' | 'unverifiable' | 'skipped';

/** One problem found by a rule. */
export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  /** The file the finding is about, relative to the project directory. */
  readonly file: string;
  /** The lockfile key, manifest field or similar inside that file. */
  readonly where?: string | undefined;
  /** The package the finding is about, when there is one. */
  readonly package?: string | undefined;
  readonly version?: string | undefined;
  /** Set when a baseline entry accepted the finding (it then no longer counts as an error). */
  readonly accepted?: { readonly reason: string; readonly expires: string } | undefined;
}

/** The result of one `check` run. */
export interface Report {
  readonly tool: { readonly name: '@portcullis/supply-chain'; readonly version: string };
  readonly dir: string;
  readonly statuses: Readonly<Record<RuleId, RuleStatus>>;
  /** Why a rule is unavailable, unverifiable or skipped. */
  readonly notes: Readonly<Partial<Record<RuleId, string>>>;
  readonly findings: readonly Finding[];
  /** Findings of severity error that no baseline entry accepts. */
  readonly errorCount: number;
  readonly warningCount: number;
  /** Package changes against `--previous`, when given (SC9). */
  readonly sbomDiff?: SbomDiff | undefined;
}

/** Added, removed and changed packages between two SBOMs. */
export interface SbomDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly { readonly name: string; readonly from: string; readonly to: string }[];
}

/** Human-readable titles of the rules, for reports. */
export const RULE_TITLES: Readonly<Record<RuleId, string>> = {
  SC1: 'package-lock.json present, lockfileVersion 3, in step with package.json',
  SC2: 'every registry entry has a sha512 integrity',
  SC3: 'resolved URLs are https on the registry host and name the package',
  SC4: 'runtime dependencies of publishable packages are exact versions',
  SC5: 'internal-scope packages are workspace links, never registry tarballs',
  SC6: 'install scripts only with a version-pinned allowScripts approval',
  SC7: '.npmrc sets strict-allow-scripts=true',
  SC8: '.npmrc sets min-release-age',
  SC9: 'CycloneDX SBOM written (and diffed against the previous one)',
  SC10: 'runtime licences in the allowlist',
  SC11: 'known advisories (npm audit or an offline OSV file)',
  SC12: 'registry signatures (npm audit signatures)',
  SC13: 'no known-dangerous package versions',
  SC14: 'accepted findings carry a reason and an unexpired date',
  SC15: 'no direct dependency named like a popular package (typosquat)',
};

export const RULE_IDS = Object.keys(RULE_TITLES) as readonly RuleId[];
