// portcullis-scan's engine: ESLint with only this plugin's rules, baseline of accepted findings, text and SARIF.
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { portcullisPlugin as plugin, recommendedRules, rules } from './index.js';

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Files, directories or globs, relative to `cwd`. @default ['.'] */
  readonly patterns?: readonly string[];
  /** Directory paths are reported relative to. @default process.cwd() */
  readonly cwd?: string;
  /** Path of a baseline JSON file of accepted findings (see README). @default undefined (none) */
  readonly baseline?: string;
  /** "Today" for baseline expiry. @default new Date() */
  readonly now?: Date;
}

/** One finding, suppressed or not. */
export interface Finding {
  /** `@portcullis/<rule>`, `portcullis-scan/baseline-expired`, `portcullis-scan/unjustified-suppression` or `parse-error`. */
  readonly ruleId: string;
  /** error or warning. */
  readonly level: 'error' | 'warning';
  /** Human-readable message. */
  readonly message: string;
  /** File path relative to `cwd`, with `/` separators. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** Present when an inline directive suppressed it: the directive's reason. */
  readonly suppressed?: string;
  /** Present when a baseline entry accepted it: the entry's reason. */
  readonly accepted?: string;
}

/** What {@link scan} found. */
export interface ScanResult {
  /** Every finding: active, suppressed (inline) and accepted (baseline). */
  readonly findings: readonly Finding[];
  /** Files linted. */
  readonly files: number;
  /** 1 when an active error finding remains, else 0. */
  readonly exitCode: 0 | 1;
}

interface BaselineEntry {
  readonly rule: string;
  readonly file: string;
  readonly line?: number;
  readonly reason: string;
  readonly expires: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads and checks a baseline file; throws a message naming the entry and the fix. */
export function readBaseline(path: string): BaselineEntry[] {
  let data: unknown;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the baseline file the operator named with --baseline
    data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`baseline ${path}: not readable JSON (${(error as Error).message})`, { cause: error });
  }
  const list = data !== null && typeof data === 'object' ? (data as { findings?: unknown }).findings : undefined;
  if (!Array.isArray(list)) throw new Error(`baseline ${path}: expected { "findings": [ ... ] }`);
  return list.map((raw: unknown, i): BaselineEntry => {
    const e = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const where = `baseline ${path}: findings[${i}]`;
    if (typeof e['rule'] !== 'string' || e['rule'] === '') throw new Error(`${where}: "rule" must name the rule`);
    if (typeof e['file'] !== 'string' || e['file'] === '')
      throw new Error(`${where}: "file" must be a path relative to the scan root`);
    if (typeof e['reason'] !== 'string' || e['reason'].trim() === '')
      throw new Error(`${where}: "reason" must say why the finding is accepted`);
    if (typeof e['expires'] !== 'string' || !DATE.test(e['expires']) || Number.isNaN(Date.parse(e['expires'])))
      throw new Error(`${where}: "expires" must be a date YYYY-MM-DD`);
    if (e['line'] !== undefined && (typeof e['line'] !== 'number' || !Number.isInteger(e['line']) || e['line'] < 1))
      throw new Error(`${where}: "line" must be a positive integer when given`);
    const rule = e['rule'].startsWith('@portcullis/') ? e['rule'] : `@portcullis/${e['rule']}`;
    return {
      rule,
      file: e['file'],
      reason: e['reason'],
      expires: e['expires'],
      ...(e['line'] === undefined ? {} : { line: e['line'] }),
    };
  });
}

const UNKNOWN_RULE = /^Definition for rule '.*' was not found\.$/;

/** Lints `patterns` with this plugin's recommended rules only and applies the baseline. */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const baseline = options.baseline === undefined ? [] : readBaseline(resolve(cwd, options.baseline));
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const { ESLint } = await import('eslint');
  const { parser } = await import('typescript-eslint');
  const eslint = new ESLint({
    cwd,
    overrideConfigFile: true,
    errorOnUnmatchedPattern: false,
    overrideConfig: [
      { ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/.tsbuild/**'] },
      {
        files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'],
        languageOptions: { parser: parser, ecmaVersion: 'latest', sourceType: 'module' },
        linterOptions: { reportUnusedDisableDirectives: 'off' },
        plugins: { '@portcullis': plugin as never },
        rules: recommendedRules,
      },
      { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
    ],
  });
  // ESLint matches globs against files only: a glob naming directories (`packages/*/src`) means what is below them.
  const patterns = (options.patterns ?? ['.']).map((p) =>
    /[*?{[]/.test(p) && !/\.[A-Za-z0-9]+$/.test(p) && !p.endsWith('**') ? `${p}/**` : p,
  );
  const results = await eslint.lintFiles(patterns);
  const findings: Finding[] = [];
  const used = new Set<BaselineEntry>();
  for (const result of results) {
    const file = relative(cwd, result.filePath).split(sep).join('/');
    for (const m of result.messages) {
      // Directives naming rules of other plugins (not loaded here) are not this scan's business.
      if (!m.fatal && UNKNOWN_RULE.test(m.message)) continue;
      const base = {
        ruleId: m.ruleId ?? 'parse-error',
        level: m.severity === 2 ? ('error' as const) : ('warning' as const),
        message: m.message,
        file,
        line: m.line,
        column: m.column,
      };
      const entry = baseline.find(
        (b) => b.rule === base.ruleId && b.file === file && (b.line === undefined || b.line === m.line),
      );
      if (entry && entry.expires >= today) {
        used.add(entry);
        findings.push({ ...base, accepted: entry.reason });
      } else
        findings.push(entry ? { ...base, message: `${base.message} (baseline entry expired ${entry.expires})` } : base);
    }
    for (const m of result.suppressedMessages) {
      const reason = m.suppressions
        .map((s) => s.justification.trim())
        .filter((j) => j !== '')
        .join('; ');
      const finding: Finding = {
        ruleId: m.ruleId ?? 'parse-error',
        level: m.severity === 2 ? 'error' : 'warning',
        message: m.message,
        file,
        line: m.line,
        column: m.column,
      };
      if (reason === '' || m.ruleId === '@portcullis/require-suppression-reason')
        findings.push({
          ...finding,
          ruleId: 'portcullis-scan/unjustified-suppression',
          level: 'error',
          message: `suppressed without a reason: ${m.message}`,
        });
      else findings.push({ ...finding, suppressed: reason });
    }
  }
  for (const entry of baseline)
    if (entry.expires < today)
      findings.push({
        ruleId: 'portcullis-scan/baseline-expired',
        level: 'error',
        message: `baseline entry for ${entry.rule} in ${entry.file} expired on ${entry.expires} (${entry.reason}); fix the finding or renew the entry`,
        file: relative(cwd, resolve(cwd, options.baseline ?? ''))
          .split(sep)
          .join('/'),
        line: 1,
        column: 1,
      });
  findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
  const active = findings.filter((f) => f.suppressed === undefined && f.accepted === undefined);
  return { findings, files: results.length, exitCode: active.some((f) => f.level === 'error') ? 1 : 0 };
}

/** The text report: active findings, then every suppression and every accepted baseline finding. */
export function formatText(result: ScanResult): string {
  const active = result.findings.filter((f) => f.suppressed === undefined && f.accepted === undefined);
  const suppressed = result.findings.filter((f) => f.suppressed !== undefined);
  const accepted = result.findings.filter((f) => f.accepted !== undefined);
  const lines: string[] = [];
  for (const f of active) lines.push(`${f.file}:${f.line}:${f.column}  ${f.level}  ${f.message}  ${f.ruleId}`);
  lines.push('', `Suppressions (${suppressed.length}):`);
  for (const f of suppressed) lines.push(`  ${f.file}:${f.line}  ${f.ruleId} -- ${f.suppressed ?? ''}`);
  lines.push(`Accepted by baseline (${accepted.length}):`);
  for (const f of accepted) lines.push(`  ${f.file}:${f.line}  ${f.ruleId} -- ${f.accepted ?? ''}`);
  const errors = active.filter((f) => f.level === 'error').length;
  lines.push(
    '',
    `${result.files} files, ${errors} errors, ${active.length - errors} warnings, ${suppressed.length} suppressed, ${accepted.length} accepted`,
  );
  return `${lines.join('\n')}\n`;
}

interface RuleMeta {
  readonly docs?: { readonly description?: string };
}

/** SARIF 2.1.0: one run, rules from the plugin, suppressions as `inSource` / `external` with their reasons. */
export function formatSarif(result: ScanResult, cwd: string): object {
  const ruleIds = Object.keys(rules).map((id) => `@portcullis/${id}`);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portcullis-scan',
            version: plugin.meta.version,
            informationUri: 'https://github.com/portcullis/portcullis/tree/main/packages/eslint-plugin',
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: {
                text: ((rules[id.slice('@portcullis/'.length)]?.meta ?? {}) as RuleMeta).docs?.description ?? id,
              },
              defaultConfiguration: { level: recommendedRules[id] === 'warn' ? 'warning' : 'error' },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `${pathToFileURL(resolve(cwd)).href}/` } },
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          level: f.level,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file, uriBaseId: 'SRCROOT' },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
          ...(f.suppressed !== undefined ? { suppressions: [{ kind: 'inSource', justification: f.suppressed }] } : {}),
          ...(f.accepted !== undefined ? { suppressions: [{ kind: 'external', justification: f.accepted }] } : {}),
        })),
      },
    ],
  };
}
