#!/usr/bin/env node
// portcullis-supply: offline supply-chain checks of an npm project (exit 1 on an error finding).
import { runCli } from './run-cli.js';

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
