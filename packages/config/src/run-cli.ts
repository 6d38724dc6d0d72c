// The logic of the portcullis-config CLI, as a function of argv/env/streams so that it can be tested in-process.
import { ConfigError } from './problems.js';
import type { Env } from './profile.js';
import { securityConfig } from './security.js';

/** Where the CLI writes. */
export interface CliStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `usage: portcullis-config check

  check   load the security configuration from the environment; print the redacted
          summary and exit 0, or print every problem and exit 1.
`;

/**
 * Runs `portcullis-config <args>` and returns the exit code: 0 when the configuration loads,
 * 1 when it is refused (problems on stderr), 2 on a usage error.
 */
export function runCli(args: readonly string[], env: Env, streams: CliStreams): number {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    streams.stdout.write(USAGE);
    return 0;
  }
  if (command !== 'check' || rest.length > 0) {
    streams.stderr.write(
      `portcullis-config: ${command === undefined ? 'missing command' : 'unknown arguments'}\n${USAGE}`,
    );
    return 2;
  }
  try {
    const config = securityConfig.load(env);
    streams.stdout.write(`portcullis-config: configuration OK\n${securityConfig.describe(config)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      streams.stderr.write(`${error.message}\n`);
      return 1;
    }
    // Anything else is a bug; say so without echoing a message that could carry a value.
    streams.stderr.write('portcullis-config: unexpected failure while checking the configuration\n');
    return 1;
  }
}
