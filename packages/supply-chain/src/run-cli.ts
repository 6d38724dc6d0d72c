// The portcullis-supply command line: parse arguments, run the check, print, and say the exit code.
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkSupplyChain, readDangerousFile, type CheckOptions } from './check.js';
import { formatJson, formatSarif, formatText } from './report.js';

/** Where the CLI writes. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `usage: portcullis-supply check [options]
  --dir <path>             project folder (default: .)
  --format text|json|sarif output format (default: text)
  --output <file>          write the report to a file instead of stdout
  --registry <url>         registry host resolved URLs must use (default: .npmrc registry or registry.npmjs.org)
  --scope <@scope>         internal scope that must be workspace links (default: @portcullis)
  --licenses <a,b,...>     allowed SPDX licence ids (default: MIT,ISC,BSD-2-Clause,BSD-3-Clause,Apache-2.0,0BSD,BlueOak-1.0.0)
  --sbom <file>            where to write the CycloneDX SBOM (default: reports/sbom.cdx.json)
  --no-sbom                do not write an SBOM
  --previous <file>        previous SBOM: print added, removed and changed packages
  --advisories <osv.json>  match OSV records offline
  --require-advisories     make "advisories unavailable" an error
  --online                 run npm audit and npm audit signatures (default: offline)
  --baseline <file>        accepted findings, each with a reason and an expiry date
  --dangerous <file>       extra known-dangerous versions (JSON array of { name, below?, why, since })
exit: 0 no error finding, 1 an error finding, 2 usage error`;

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
        registry: { type: 'string' },
        scope: { type: 'string' },
        licenses: { type: 'string' },
        sbom: { type: 'string' },
        'no-sbom': { type: 'boolean' },
        previous: { type: 'string' },
        advisories: { type: 'string' },
        'require-advisories': { type: 'boolean' },
        online: { type: 'boolean' },
        baseline: { type: 'string' },
        dangerous: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : 'bad arguments'}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'check') {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') {
    io.stderr.write(`--format must be text, json or sarif (got ${JSON.stringify(format.slice(0, 20))})\n`);
    return 2;
  }
  const options: CheckOptions = {
    dir: values.dir,
    registry: values.registry,
    scope: values.scope,
    licenses: values.licenses
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    sbom: values['no-sbom'] === true ? false : values.sbom,
    previous: values.previous,
    advisories: values.advisories,
    requireAdvisories: values['require-advisories'],
    online: values.online,
    baseline: values.baseline,
    dangerous: values.dangerous === undefined ? undefined : readDangerousFile(values.dangerous),
  };
  let report;
  try {
    report = await checkSupplyChain(options);
  } catch (error) {
    io.stderr.write(`portcullis-supply: ${error instanceof Error ? error.message : 'check failed'}\n`);
    return 2;
  }
  const text = format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report) : formatText(report);
  if (values.output !== undefined) {
    writeFileSync(values.output, text);
    io.stdout.write(
      `${report.errorCount} errors, ${report.warningCount} warnings (report written to ${values.output})\n`,
    );
  } else {
    io.stdout.write(text);
  }
  return report.errorCount > 0 ? 1 : 0;
}
