// Report renderers: text for people, JSON for tools, SARIF 2.1.0 for code-scanning dashboards.
import { RULE_IDS, RULE_TITLES, type Report } from './types.js';

/** A plain-text report: one line per rule status, then each finding, then the summary. */
export function formatText(report: Report): string {
  const lines: string[] = [`portcullis-supply check — ${report.dir}`, ''];
  for (const id of RULE_IDS) {
    const note = report.notes[id];
    lines.push(
      `  ${id.padEnd(4)} ${report.statuses[id].padEnd(12)} ${RULE_TITLES[id]}${note === undefined ? '' : ` (${note})`}`,
    );
  }
  if (report.findings.length > 0) lines.push('');
  for (const f of report.findings) {
    const tag = f.accepted === undefined ? f.severity : `accepted until ${f.accepted.expires}`;
    lines.push(`${f.rule} ${tag}: ${f.message}${f.where === undefined ? '' : ` [${f.file} ${f.where}]`}`);
  }
  const diff = report.sbomDiff;
  if (diff !== undefined) {
    lines.push(
      '',
      `SBOM changes since the previous one: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`,
    );
    for (const a of diff.added) lines.push(`  + ${a}`);
    for (const r of diff.removed) lines.push(`  - ${r}`);
    for (const c of diff.changed) lines.push(`  ~ ${c.name} ${c.from} -> ${c.to}`);
  }
  lines.push('', `${report.errorCount} errors, ${report.warningCount} warnings`);
  return `${lines.join('\n')}\n`;
}

/** The report as JSON (stable field names: tool, dir, statuses, notes, findings, errorCount, warningCount, sbomDiff). */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The findings as a SARIF 2.1.0 log (one run, one rule per SC id; accepted findings carry a suppression). */
export function formatSarif(report: Report): string {
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portcullis-supply',
            version: report.tool.version,
            informationUri: 'https://www.npmjs.com/package/@portcullis/supply-chain',
            rules: RULE_IDS.map((id) => ({ id, shortDescription: { text: RULE_TITLES[id] } })),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          level: f.severity,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: f.file } },
              ...(f.where === undefined ? {} : { logicalLocations: [{ fullyQualifiedName: f.where }] }),
            },
          ],
          ...(f.accepted === undefined
            ? {}
            : {
                suppressions: [
                  { kind: 'external', justification: `${f.accepted.reason} (until ${f.accepted.expires})` },
                ],
              }),
        })),
        properties: { statuses: report.statuses, notes: report.notes },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
