#!/usr/bin/env node
// portcullis-asvs: ASVS 5.0 evidence report from JUnit XML (exit 1 when a mapped requirement failed).
import { runCli } from './run-cli.js';

process.exitCode = runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
