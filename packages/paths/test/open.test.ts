// openSafeFile: O_NOFOLLOW, fstat/lstat identity, regular files only, hard links, and swaps after resolution.
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathError, openSafeFile, resolveSafePath } from '@portcullis/paths';
import { openResolved } from '../src/open.js';
import { makeTree, REPORT_CSV, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.cleanup();
});

const RULES = {
  allowSubdirectories: true,
  allowDotfiles: false,
  allowedExtensions: undefined,
  rejectHardlinks: false,
} as const;

describe('openSafeFile', () => {
  it('opens a regular file and reports its real path and size', async () => {
    const file = await openSafeFile(tree.base, 'report.csv');
    try {
      expect(file.path).toBe(path.join(tree.base, 'report.csv'));
      expect(file.size).toBe(Buffer.byteLength(REPORT_CSV));
      expect(await file.handle.readFile('utf8')).toBe(REPORT_CSV);
    } finally {
      await file.handle.close();
    }
  });

  it('opens a symlink inside the base to a file inside (through its real path)', async () => {
    const file = await openSafeFile(tree.base, 'link-inside.csv');
    expect(file.path).toBe(path.join(tree.base, 'report.csv'));
    await file.handle.close();
  });

  it.each([
    ['rejects a symlink to a file outside', 'link-outside.csv', 'symlink_escape'],
    ['rejects a symlink into the same-prefix sibling', 'evil.csv', 'symlink_escape'],
    ['rejects a directory', 'dir.csv', 'not_found'],
    ['rejects traversal', '../outside/secret.csv', 'traversal'],
    ['rejects a missing file', 'missing.csv', 'not_found'],
  ])('%s', async (_title, name, reason) => {
    await expect(openSafeFile(tree.base, name)).rejects.toMatchObject({ reason });
  });

  it('rejects a symlinked subdirectory escaping', async () => {
    await expect(openSafeFile(tree.base, 'linkdir/secret.csv', { allowSubdirectories: true })).rejects.toMatchObject({
      reason: 'symlink_escape',
      status: 403,
      code: 'forbidden_path',
    });
  });

  it('rejects a FIFO without hanging', async ({ skip }) => {
    if (!tree.hasFifo) skip('mkfifo is not available');
    await expect(openSafeFile(tree.base, 'pipe.csv')).rejects.toMatchObject({ reason: 'not_found' });
  });

  it('serves a hard link by default but rejects it with rejectHardlinks', async () => {
    const file = await openSafeFile(tree.base, 'hard.csv');
    expect(await file.handle.readFile('utf8')).toBe('outside-secret\n');
    await file.handle.close();
    await expect(openSafeFile(tree.base, 'hard.csv', { rejectHardlinks: true })).rejects.toMatchObject({
      reason: 'symlink_escape',
      status: 403,
    });
    const single = await openSafeFile(tree.base, 'report.csv', { rejectHardlinks: true });
    await single.handle.close();
  });

  it('applies the extension allowlist', async () => {
    await expect(openSafeFile(tree.base, 'notes.txt', { allowedExtensions: ['.csv'] })).rejects.toMatchObject({
      reason: 'extension',
    });
  });
});

describe('swaps between resolve and open', () => {
  it('refuses a file swapped for a symlink to an outside file after resolution (O_NOFOLLOW)', async () => {
    const name = path.join(tree.base, 'swap1.csv');
    await writeFile(name, 'inside');
    const resolved = await resolveSafePath(tree.base, 'swap1.csv');
    await rm(name);
    await symlink(path.join(tree.outside, 'secret.csv'), name);
    const error = await openResolved(resolved, RULES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PathError);
    expect(error).toMatchObject({ reason: 'symlink_escape', status: 403 });
  });

  it('refuses when the file is replaced right after open (fstat dev/ino differs from lstat)', async () => {
    const name = path.join(tree.base, 'swap2.csv');
    await writeFile(name, 'inside');
    const resolved = await resolveSafePath(tree.base, 'swap2.csv');
    const replacement = path.join(tree.base, 'swap2.tmp');
    await writeFile(replacement, 'replacement');
    const error = await openResolved(resolved, RULES, {
      afterOpen: () => rename(replacement, name),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'symlink_escape' });
    expect(await readFile(name, 'utf8')).toBe('replacement');
  });

  it('refuses when the file is swapped for a symlink right after open', async () => {
    const name = path.join(tree.base, 'swap3.csv');
    await writeFile(name, 'inside');
    const resolved = await resolveSafePath(tree.base, 'swap3.csv');
    const error = await openResolved(resolved, RULES, {
      afterOpen: async () => {
        await rm(name);
        await symlink(path.join(tree.outside, 'secret.csv'), name);
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'symlink_escape' });
  });

  it('refuses when the file is removed right after open', async () => {
    const name = path.join(tree.base, 'swap4.csv');
    await writeFile(name, 'inside');
    const resolved = await resolveSafePath(tree.base, 'swap4.csv');
    const error = await openResolved(resolved, RULES, { afterOpen: () => rm(name) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'symlink_escape' });
  });

  it('refuses a directory on the way swapped for a symlink to an outside directory (O_NOFOLLOW alone would follow it)', async () => {
    const dir = path.join(tree.base, 'swapdir');
    await mkdir(dir);
    await writeFile(path.join(dir, 'secret.csv'), 'inside');
    const resolved = await resolveSafePath(tree.base, 'swapdir/secret.csv', { allowSubdirectories: true });
    await rm(dir, { recursive: true });
    await symlink(tree.outside, dir);
    const error = await openResolved(resolved, RULES).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'symlink_escape' });
  });

  it('opens the resolved file when nothing changed', async () => {
    const resolved = await resolveSafePath(tree.base, 'notes.txt');
    const file = await openResolved(resolved, RULES);
    expect(file.size).toBe(6);
    await file.handle.close();
  });
});
