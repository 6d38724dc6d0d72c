// uploadGuard options: every bad value throws a TypeError at creation naming the option; dirs are checked for real.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadGuard } from '../src/index.js';
import { png, privateDir, removeDir } from './fixtures.js';

let root: string;
let dir: string;
const fields = { f: { types: ['application/pdf'], maxBytes: 1000 } };

beforeAll(() => {
  root = privateDir('opts-');
  dir = path.join(root, 'uploads');
  mkdirSync(dir, { mode: 0o700 });
});
afterAll(() => {
  removeDir(root);
});

function make(extra: Record<string, unknown>): unknown {
  return uploadGuard({ dir, fields, ...extra });
}

describe('uploadGuard options [ASVS V5.3.1]', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown key', { maxFileSize: 5 }, /"maxFileSize" is not a known option/],
    ['a relative dir', { dir: 'uploads' }, /"dir" must be an absolute path/],
    ['a missing dir', { dir: '/nonexistent/portcullis-upload' }, /"dir" the directory does not exist/],
    ['no fields', { fields: {} }, /"fields" must be a non-empty object/],
    [
      'a field without types',
      { fields: { f: { types: [], maxBytes: 1 } } },
      /"fields\.f\.types" must be a non-empty array/,
    ],
    ['an unknown type', { fields: { f: { types: ['application/x-msdownload'], maxBytes: 1 } } }, /unknown media type/],
    [
      'a type listed twice',
      { fields: { f: { types: ['image/png', 'image/png'], maxBytes: 1 } } },
      /lists a type twice/,
    ],
    [
      'active content without the opt-in',
      { fields: { f: { types: ['image/svg+xml'], maxBytes: 1 } } },
      /script-capable/,
    ],
    ['a field without maxBytes', { fields: { f: { types: ['image/png'] } } }, /"fields\.f\.maxBytes" is required/],
    [
      'an infinite maxBytes',
      { fields: { f: { types: ['image/png'], maxBytes: Infinity } } },
      /"fields\.f\.maxBytes" must be an integer/,
    ],
    [
      'an unknown field key',
      { fields: { f: { types: ['image/png'], maxBytes: 1, max: 2 } } },
      /"fields\.f\.max" is not a known option/,
    ],
    ['maxFiles 0', { fields: { f: { types: ['image/png'], maxBytes: 1, maxFiles: 0 } } }, /maxFiles/],
    ['an empty field name', { fields: { '': { types: ['image/png'], maxBytes: 1 } } }, /bad field name/],
    ['maxTotalBytes below a field limit', { maxTotalBytes: 10 }, /"maxTotalBytes" is smaller/],
    ['a NaN timeout', { timeoutMs: Number.NaN }, /"timeoutMs" must be an integer/],
    ['a string limit', { maxParts: '10' }, /"maxParts" must be an integer/],
    ['a negative field limit', { maxFields: -1 }, /"maxFields"/],
    ['a bad image option', { image: { maxPixel: 5 } }, /"image\.maxPixel" is not a known option/],
    ['a zero maxPixels', { image: { maxPixels: 0 } }, /"image\.maxPixels"/],
    ['a non-function scan', { scan: 'clamd' }, /"scan" must be a function/],
    ['a non-boolean opt-in', { dangerouslyAllowActiveContent: 'yes' }, /must be a boolean/],
    ['relative publicDirs', { publicDirs: ['public'] }, /"publicDirs" must hold absolute paths/],
    ['publicDirs not an array', { publicDirs: '/srv' }, /"publicDirs" must be an array/],
  ];
  it.each(bad)('refuses %s', (_t, extra, message) => {
    expect(() => make(extra)).toThrow(TypeError);
    expect(() => make(extra)).toThrow(message);
  });

  it('refuses a dir with mode 0755 (other users could read uploads)', () => {
    const open = path.join(root, 'open');
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o755);
    expect(() => make({ dir: open })).toThrow(/must have mode 0700 \(has 0755\)/);
  });

  it('refuses a symlinked dir', () => {
    const link = path.join(root, 'link');
    symlinkSync(dir, link);
    expect(() => make({ dir: link })).toThrow(/is a symlink/);
  });

  it('refuses a dir that is a file', () => {
    const file = path.join(root, 'file');
    writeFileSync(file, 'x', { mode: 0o700 });
    expect(() => make({ dir: file })).toThrow(/is not a directory/);
  });

  it('refuses a dir inside a public directory', () => {
    expect(() => make({ publicDirs: [root] })).toThrow(/"dir" is inside a public directory/);
    expect(() => make({ publicDirs: [dir] })).toThrow(/"dir" is inside a public directory/);
    expect(() => make({ publicDirs: [path.join(root, 'elsewhere')] })).not.toThrow();
  });

  it('refuses a planted .quarantine symlink', () => {
    const other = path.join(root, 'other');
    mkdirSync(other, { mode: 0o700 });
    symlinkSync(root, path.join(other, '.quarantine'));
    expect(() => make({ dir: other })).toThrow(/\.quarantine directory is a symlink/);
  });

  it('accepts frozen options and treats undefined as absent', async () => {
    const frozen = Object.freeze({
      dir,
      fields: Object.freeze({ f: Object.freeze({ types: Object.freeze(['image/png']), maxBytes: 1000 }) }),
    });
    const a = uploadGuard(frozen);
    const b = uploadGuard({ ...frozen, maxParts: undefined, image: undefined, scan: undefined });
    const file = { field: 'f', buffer: png(), clientName: 'a.png', contentType: 'image/png' };
    expect(await b.validateBuffer(file)).toEqual(await a.validateBuffer(file));
  });

  it('refuses a missing options argument', () => {
    expect(() => uploadGuard(undefined as never)).toThrow(TypeError);
  });
});

describe('validateBuffer', () => {
  const guard = (): ReturnType<typeof uploadGuard> =>
    uploadGuard({ dir, fields: { img: { types: ['image/png'], maxBytes: 2000 } }, image: { maxPixels: 10_000 } });

  it('returns the sniffed type and the SHA-256', async () => {
    const result = await guard().validateBuffer({ field: 'img', buffer: png(), clientName: 'a.png' });
    expect(result).toMatchObject({
      field: 'img',
      mime: 'image/png',
      ext: 'png',
      size: png().length,
      clientName: 'a.png',
    });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['an unknown field', { field: 'x', buffer: png() }, 'upload_unexpected_field'],
    ['a buffer over maxBytes', { field: 'img', buffer: Buffer.alloc(2001) }, 'upload_too_large'],
    ['a PNG over maxPixels', { field: 'img', buffer: png(101, 100) }, 'upload_rejected'],
    ['a PNG declared image/jpeg', { field: 'img', buffer: png(), contentType: 'image/jpeg' }, 'upload_type_mismatch'],
    ['text', { field: 'img', buffer: Buffer.from('hello') }, 'upload_type'],
  ])('refuses %s with the same checks as the middleware', async (_t, file, code) => {
    await expect(guard().validateBuffer(file)).rejects.toMatchObject({ code });
  });

  it('refuses a non-buffer with a TypeError', async () => {
    await expect(guard().validateBuffer({ field: 'img', buffer: 'x' } as never)).rejects.toThrow(TypeError);
  });
});
