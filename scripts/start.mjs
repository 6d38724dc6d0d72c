// `npm start`: runs the reference case-tracker API (examples/case-api) on embedded defaults.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';

const root = resolve(import.meta.dirname, '..');
const main = resolve(root, 'examples/case-api/src/main.ts');
if (!existsSync(main)) {
  process.stderr.write('portcullis: the reference service (examples/case-api) is not built yet; see README.md.\n');
  process.exit(1);
}
const child = spawn('npm', ['run', 'start', '-w', '@portcullis-example/case-api'], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
