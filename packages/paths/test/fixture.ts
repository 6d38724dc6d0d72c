// A temporary tree shared by the tests: a base directory, an outside directory and a same-prefix sibling.
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Tree {
  root: string;
  /** root/exports: the base directory. */
  base: string;
  /** root/outside: never servable. */
  outside: string;
  /** root/exports-evil: shares the base's prefix. */
  sibling: string;
  /** Whether a FIFO could be created (mkfifo available). */
  hasFifo: boolean;
  cleanup: () => Promise<void>;
}

export const REPORT_CSV = 'id,name\n1,alpha\n2,beta\n';

export async function makeTree(): Promise<Tree> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'portcullis-paths-')));
  const base = path.join(root, 'exports');
  const outside = path.join(root, 'outside');
  const sibling = path.join(root, 'exports-evil');
  await mkdir(path.join(base, 'nested'), { recursive: true });
  await mkdir(path.join(base, 'dir.csv'));
  await mkdir(outside);
  await mkdir(sibling);
  await writeFile(path.join(base, 'report.csv'), REPORT_CSV);
  await writeFile(path.join(base, 'notes.txt'), 'hello\n');
  await writeFile(path.join(base, 'empty.csv'), '');
  await writeFile(path.join(base, 'résumé.pdf'), '%PDF-1.4\n');
  await writeFile(path.join(base, '.env'), 'SECRET=1\n');
  await writeFile(path.join(base, 'nested', 'inner.csv'), 'inner\n');
  await writeFile(path.join(outside, 'secret.csv'), 'outside-secret\n');
  await writeFile(path.join(sibling, 'secret.csv'), 'sibling-secret\n');
  await symlink('report.csv', path.join(base, 'link-inside.csv'));
  await symlink('../outside/secret.csv', path.join(base, 'link-outside.csv'));
  await symlink(path.join(outside, 'secret.csv'), path.join(base, 'link-absolute.csv'));
  await symlink('../outside', path.join(base, 'linkdir'));
  await symlink('../exports-evil/secret.csv', path.join(base, 'evil.csv'));
  await symlink('.', path.join(base, 'self'));
  await writeFile(path.join(base, 'tool.exe'), 'MZ');
  await symlink('.env', path.join(base, 'to-env.csv'));
  await symlink('tool.exe', path.join(base, 'to-exe.csv'));
  await symlink('nested/inner.csv', path.join(base, 'to-nested.csv'));
  await symlink('missing.csv', path.join(base, 'dangling.csv'));
  await symlink('loop-b.csv', path.join(base, 'loop-a.csv'));
  await symlink('loop-a.csv', path.join(base, 'loop-b.csv'));
  await link(path.join(outside, 'secret.csv'), path.join(base, 'hard.csv'));
  let hasFifo: boolean;
  try {
    execFileSync('mkfifo', [path.join(base, 'pipe.csv')]);
    hasFifo = true;
  } catch {
    hasFifo = false;
  }
  return { root, base, outside, sibling, hasFifo, cleanup: () => rm(root, { recursive: true, force: true }) };
}
