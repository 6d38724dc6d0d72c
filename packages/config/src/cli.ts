#!/usr/bin/env node
// portcullis-config: deploy-pipeline check of the security configuration (exit 0 = safe to start, 1 = refused).
import { runCli } from './run-cli.js';

process.exitCode = runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
