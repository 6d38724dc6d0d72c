// resolveSafePath against the traversal corpus and real filesystem layouts.
import { mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathError, resolveSafePath } from '@portcullis/paths';
import { mapFsError } from '../src/resolve.js';
import { CORPUS } from './corpus.js';
import { makeTree, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.cleanup();
});

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PathError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('traversal corpus [ASVS V5.3.2]', () => {
  it('has at least 45 entries', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(45);
  });

  it.each(CORPUS.map((e) => [e.title, e] as const))('%s', async (_title, entry) => {
    const reason = await reasonOf(resolveSafePath(tree.base, entry.input as string, entry.options));
    expect(reason).toBe(entry.reason);
  });

  it.each(CORPUS.map((e) => [e.title, e] as const))(
    'never echoes the input or base in the client detail: %s',
    async (_title, entry) => {
      const error = await resolveSafePath(tree.base, entry.input as string, entry.options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PathError);
      const e = error as PathError;
      expect([400, 403, 404]).toContain(e.status);
      expect(e.detail).toBeDefined();
      expect(e.detail).not.toContain(tree.root);
      if (typeof entry.input === 'string' && entry.input.length > 2) expect(e.detail).not.toContain(entry.input);
      expect(e.message).not.toContain(tree.root);
    },
  );
});

describe('resolveSafePath on a real tree [ASVS V5.3.2]', () => {
  it('returns the real path of a plain file', async () => {
    await expect(resolveSafePath(tree.base, 'report.csv')).resolves.toBe(path.join(tree.base, 'report.csv'));
  });

  it('allows a symlink inside the base to a file inside, returning the target', async () => {
    await expect(resolveSafePath(tree.base, 'link-inside.csv')).resolves.toBe(path.join(tree.base, 'report.csv'));
  });

  it('allows a symlink to a file in a subdirectory of the base', async () => {
    await expect(resolveSafePath(tree.base, 'to-nested.csv', { allowedExtensions: ['.csv'] })).resolves.toBe(
      path.join(tree.base, 'nested', 'inner.csv'),
    );
  });

  it('allows a symlink to a dotfile when allowDotfiles is true', async () => {
    await expect(resolveSafePath(tree.base, 'to-env.csv', { allowDotfiles: true })).resolves.toBe(
      path.join(tree.base, '.env'),
    );
  });

  it('allows a subdirectory only when allowSubdirectories is true', async () => {
    await expect(resolveSafePath(tree.base, 'nested/inner.csv', { allowSubdirectories: true })).resolves.toBe(
      path.join(tree.base, 'nested', 'inner.csv'),
    );
    await expect(resolveSafePath(tree.base, 'nested/inner.csv')).rejects.toMatchObject({
      reason: 'invalid',
      status: 400,
    });
  });

  it('allows a dotfile only when allowDotfiles is true', async () => {
    await expect(resolveSafePath(tree.base, '.env', { allowDotfiles: true })).resolves.toBe(
      path.join(tree.base, '.env'),
    );
    await expect(resolveSafePath(tree.base, '.env')).rejects.toMatchObject({
      reason: 'dotfile',
      code: 'forbidden_path',
    });
  });

  it('compares extensions case-insensitively', async () => {
    await expect(resolveSafePath(tree.base, 'REPORT.CSV', { allowedExtensions: ['.csv'] })).rejects.toMatchObject({
      reason: 'not_found',
    });
    await expect(resolveSafePath(tree.base, 'report.csv', { allowedExtensions: ['.CSV'] })).resolves.toBe(
      path.join(tree.base, 'report.csv'),
    );
  });

  it('accepts a non-ASCII NFC name', async () => {
    await expect(resolveSafePath(tree.base, 'résumé.pdf')).resolves.toBe(path.join(tree.base, 'résumé.pdf'));
  });

  it('rejects a same-prefix sibling reached through the base (base "exports", sibling "exports-evil")', async () => {
    const error = await resolveSafePath(tree.base, 'evil.csv').catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'symlink_escape', status: 403, code: 'forbidden_path' });
  });

  it('works when the base itself is reached through a symlink', async () => {
    const alias = path.join(tree.root, 'alias');
    await symlink(tree.base, alias);
    await expect(resolveSafePath(alias, 'report.csv')).resolves.toBe(path.join(tree.base, 'report.csv'));
    await expect(resolveSafePath(alias, 'link-outside.csv')).rejects.toMatchObject({ reason: 'symlink_escape' });
    await rm(alias);
  });

  it('fails closed with a non-PathError when the base directory is missing', async () => {
    const error = await resolveSafePath(path.join(tree.root, 'nope'), 'report.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PathError);
  });
});

describe('resolveSafePath with mustExist: false', () => {
  it('returns the path of a free name in the base', async () => {
    await expect(resolveSafePath(tree.base, 'new.csv', { mustExist: false })).resolves.toBe(
      path.join(tree.base, 'new.csv'),
    );
  });

  it('returns a free name in an existing subdirectory', async () => {
    await expect(
      resolveSafePath(tree.base, 'nested/new.csv', { mustExist: false, allowSubdirectories: true }),
    ).resolves.toBe(path.join(tree.base, 'nested', 'new.csv'));
  });

  it('rejects a name already in use', async () => {
    await expect(resolveSafePath(tree.base, 'report.csv', { mustExist: false })).rejects.toMatchObject({
      reason: 'invalid',
    });
  });

  it('rejects a dangling symlink name (writing through it would escape)', async () => {
    await expect(resolveSafePath(tree.base, 'dangling.csv', { mustExist: false })).rejects.toMatchObject({
      reason: 'invalid',
    });
  });

  it('rejects a missing parent directory', async () => {
    await expect(
      resolveSafePath(tree.base, 'nope/new.csv', { mustExist: false, allowSubdirectories: true }),
    ).rejects.toMatchObject({
      reason: 'not_found',
    });
  });

  it('rejects a parent that is a symlink outside the base', async () => {
    await expect(
      resolveSafePath(tree.base, 'linkdir/new.csv', { mustExist: false, allowSubdirectories: true }),
    ).rejects.toMatchObject({
      reason: 'symlink_escape',
    });
  });

  it('still applies every lexical rule', async () => {
    await expect(resolveSafePath(tree.base, '../new.csv', { mustExist: false })).rejects.toMatchObject({
      reason: 'traversal',
    });
  });
});

describe('resolveSafePath filesystem errors', () => {
  // root ignores permissions; the EACCES mapping is also covered by the mapFsError unit test.
  it.skipIf(process.getuid?.() === 0)('maps an unreadable directory to not_found', async () => {
    const locked = path.join(tree.base, 'locked');
    await mkdir(locked, { mode: 0o000 });
    await expect(resolveSafePath(tree.base, 'locked/x.csv', { allowSubdirectories: true })).rejects.toMatchObject({
      reason: 'not_found',
    });
    await rm(locked, { recursive: true, force: true });
  });

  it('maps a file used as a directory to not_found', async () => {
    await expect(resolveSafePath(tree.base, 'report.csv/x', { allowSubdirectories: true })).rejects.toMatchObject({
      reason: 'not_found',
    });
  });

  it.each([
    ['EACCES', 'not_found'],
    ['EPERM', 'not_found'],
    ['ELOOP', 'not_found'],
    ['ENOTDIR', 'not_found'],
    ['ENAMETOOLONG', 'invalid'],
  ])('maps %s to %s', (code, reason) => {
    const error = Object.assign(new Error('x'), { code });
    expect(() => mapFsError(error)).toThrow(PathError);
    try {
      mapFsError(error);
    } catch (e) {
      expect((e as PathError).reason).toBe(reason);
    }
  });

  it('rethrows an unexpected I/O error (a server fault, not the client)', () => {
    const error = Object.assign(new Error('disk'), { code: 'EIO' });
    expect(() => mapFsError(error)).toThrow(error);
    expect(() => mapFsError('weird')).toThrow('weird');
  });

  it('returns a real path that is its own realpath', async () => {
    await writeFile(path.join(tree.base, 'again.csv'), 'x');
    const resolved = await resolveSafePath(tree.base, 'again.csv');
    expect(await realpath(resolved)).toBe(resolved);
  });
});
