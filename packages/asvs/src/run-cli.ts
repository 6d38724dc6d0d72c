// portcullis-asvs report --junit results.xml: the evidence report for runners other than vitest (Jest, node:test).
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own report and project files */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEvidence, failures, summaryLine } from './evidence.js';
import { recordsFromJunit } from './junit.js';
import { runMetadata } from './metadata.js';
import { writeEvidence } from './outputs.js';

/** Where the CLI writes. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `usage: portcullis-asvs report --junit <results.xml> [--junit <more.xml>] [options]
  --out <dir>              where asvs-evidence.{json,md,cdx.json} go (default: reports)
  --level 1|2|3            report requirements up to this level (default: 3)
  --config <file.json>     { "notApplicable": { "V17.*": "reason" }, "manual": { "V15.1.1": "docs/x.md#y" } }
  --fail-on failed|uncovered-l1   (default: failed)
exit: 0 pass, 1 a failed requirement (or uncovered L1 with --fail-on uncovered-l1), 2 usage or configuration error`;

/** Runs the CLI; returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo, cwd: string = process.cwd()): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        junit: { type: 'string', multiple: true },
        out: { type: 'string' },
        level: { type: 'string' },
        config: { type: 'string' },
        'fail-on': { type: 'string' },
      },
    });
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : 'bad arguments'}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const failOn = values['fail-on'] ?? 'failed';
  const level = Number(values.level ?? '3');
  if (
    positionals[0] !== 'report' ||
    positionals.length !== 1 ||
    (values.junit ?? []).length === 0 ||
    (failOn !== 'failed' && failOn !== 'uncovered-l1') ||
    (level !== 1 && level !== 2 && level !== 3)
  ) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const config =
      values.config === undefined
        ? {}
        : (JSON.parse(readFileSync(resolve(cwd, values.config), 'utf8')) as {
            notApplicable?: Record<string, string>;
            manual?: Record<string, string>;
          });
    const records = (values.junit ?? []).flatMap((file) => recordsFromJunit(readFileSync(resolve(cwd, file), 'utf8')));
    const run = runMetadata(cwd);
    const evidence = buildEvidence(records, { level, notApplicable: config.notApplicable, manual: config.manual }, run);
    const subject = {
      name: Object.keys(run.packages)[0] ?? 'application',
      version: Object.values(run.packages)[0] ?? '0.0.0',
    };
    const files = writeEvidence(evidence, resolve(cwd, values.out ?? 'reports'), subject);
    io.stdout.write(`${summaryLine(evidence)}\n${files.map((f) => `wrote ${f}`).join('\n')}\n`);
    const problems = failures(evidence, failOn);
    for (const p of problems) io.stdout.write(`ASVS: ${p}\n`);
    return problems.length > 0 ? 1 : 0;
  } catch (error) {
    io.stderr.write(`portcullis-asvs: ${error instanceof Error ? error.message : 'failed'}\n`);
    return 2;
  }
}
