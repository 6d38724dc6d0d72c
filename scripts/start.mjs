// `npm start`: runs the reference case-tracker API (examples/case-api) on embedded defaults;
// `npm run start:login` (`node scripts/start.mjs login`) runs the cookie-session login example (examples/login).
// tsx is started directly (not through `npm run`) so SIGINT/SIGTERM reach the server.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const name = args[0] === 'login' || args[0] === 'case-api' ? args.shift() : 'case-api';
const app = resolve(root, 'examples', name);
const main = resolve(app, 'src/main.ts');
const tsx = resolve(root, 'node_modules/tsx/dist/cli.mjs');
if (!existsSync(main)) {
  process.stderr.write(`portcullis: examples/${name} is not there; see README.md.\n`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  [tsx, '--conditions=@portcullis/source', main, '--default-profile', 'development', ...args],
  {
    cwd: app,
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
// `npm start` does not pass SIGTERM on to us when npm itself is terminated; notice that our parent
// went away and stop the server rather than leave it running orphaned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 500).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
