// Runs the npm CLI with an argument array (never a shell string) and a time limit.
import { execFile } from 'node:child_process';

/** What an npm run returned; `error` is set when it could not run, timed out or exited non-zero. */
export interface NpmResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly error?: string | undefined;
}

/** Runs `npm <args>` in `cwd`; never rejects. */
export function runNpm(
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NpmResult> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      [...args],
      { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, exitCode: 0 });
          return;
        }
        const code = typeof error.code === 'number' ? error.code : null;
        resolve({
          stdout,
          stderr,
          exitCode: code,
          error: error.killed ? `timed out after ${timeoutMs} ms` : (error.message.split('\n')[0] ?? 'failed'),
        });
      },
    );
  });
}
