// SC14: a baseline file of accepted findings; each acceptance needs a reason and an expiry date, and expires.
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { readFileSync } from 'node:fs';
import type { Finding, RuleId } from './types.js';
import { RULE_IDS } from './types.js';

/** One accepted finding: the rule, optionally the package it is about, why, and until when (YYYY-MM-DD). */
export interface Acceptance {
  readonly rule: RuleId;
  readonly package?: string | undefined;
  readonly reason: string;
  readonly expires: string;
}

/** Reads and checks a baseline file (`{ "accepted": [...] }` or an array). Problems become SC14 errors. */
export function readBaseline(
  path: string,
  file: string,
  today: Date,
): { acceptances: Acceptance[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const acceptances: Acceptance[] = [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return {
      acceptances,
      findings: [{ rule: 'SC14', severity: 'error', file, message: 'the baseline file cannot be read as JSON' }],
    };
  }
  const list: unknown = Array.isArray(data) ? data : (data as { accepted?: unknown } | null)?.accepted;
  if (!Array.isArray(list))
    return {
      acceptances,
      findings: [
        {
          rule: 'SC14',
          severity: 'error',
          file,
          message: 'the baseline file must be an array or { "accepted": [...] }',
        },
      ],
    };
  const day = today.toISOString().slice(0, 10);
  list.forEach((raw: unknown, i) => {
    const where = `accepted[${i}]`;
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const rule = item['rule'];
    const reason = item['reason'];
    const expires = item['expires'];
    const pkg = item['package'];
    if (typeof rule !== 'string' || !(RULE_IDS as readonly string[]).includes(rule)) {
      findings.push({
        rule: 'SC14',
        severity: 'error',
        file,
        where,
        message: `${where}: "rule" must be one of ${RULE_IDS.join(', ')}`,
      });
      return;
    }
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      findings.push({
        rule: 'SC14',
        severity: 'error',
        file,
        where,
        message: `${where}: an acceptance needs a "reason" (at least 10 characters) a reviewer can check`,
      });
      return;
    }
    if (typeof expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))) {
      findings.push({
        rule: 'SC14',
        severity: 'error',
        file,
        where,
        message: `${where}: an acceptance needs an "expires" date (YYYY-MM-DD)`,
      });
      return;
    }
    if (expires < day) {
      findings.push({
        rule: 'SC14',
        severity: 'error',
        file,
        where,
        message: `${where}: the acceptance of ${rule}${typeof pkg === 'string' ? ` for ${pkg}` : ''} expired on ${expires}; review the finding again`,
      });
      return;
    }
    acceptances.push({ rule: rule as RuleId, package: typeof pkg === 'string' ? pkg : undefined, reason, expires });
  });
  return { acceptances, findings };
}

/** Marks the findings a live acceptance covers (same rule, and same package when the acceptance names one). */
export function applyBaseline(findings: readonly Finding[], acceptances: readonly Acceptance[]): Finding[] {
  return findings.map((finding) => {
    if (finding.rule === 'SC14') return finding;
    const hit = acceptances.find(
      (a) => a.rule === finding.rule && (a.package === undefined || a.package === finding.package),
    );
    return hit === undefined ? finding : { ...finding, accepted: { reason: hit.reason, expires: hit.expires } };
  });
}
