#!/usr/bin/env node
// portcullis-scan [globs] [--format text|sarif] [--output file] [--baseline file.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatSarif, formatText, scan } from './scan.js';

const USAGE = 'usage: portcullis-scan [globs...] [--format text|sarif] [--output file] [--baseline file.json]\n';

/** Runs the CLI; resolves to the exit code (0 clean, 1 an error finding, 2 a usage or baseline problem). */
export async function main(argv: readonly string[], cwd = process.cwd()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        output: { type: 'string' },
        baseline: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`portcullis-scan: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'sarif') {
    process.stderr.write(
      `portcullis-scan: --format must be text or sarif, got ${JSON.stringify(values.format)}\n${USAGE}`,
    );
    return 2;
  }
  let result;
  try {
    result = await scan({
      patterns: positionals.length > 0 ? positionals : ['.'],
      cwd,
      ...(values.baseline === undefined ? {} : { baseline: values.baseline }),
    });
  } catch (error) {
    process.stderr.write(`portcullis-scan: ${(error as Error).message}\n`);
    return 2;
  }
  const out = values.format === 'sarif' ? `${JSON.stringify(formatSarif(result, cwd), null, 2)}\n` : formatText(result);
  if (values.output === undefined) process.stdout.write(out);
  else {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the report path the operator named on the command line
    writeFileSync(values.output, out);
    if (values.format === 'sarif') process.stdout.write(formatText(result));
  }
  return result.exitCode;
}

if (process.argv[1] !== undefined && /portcullis-scan|cli\.[cm]?[jt]s$/.test(process.argv[1])) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
