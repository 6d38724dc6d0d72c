// Option validation, generateFileName and PathError: setup mistakes throw TypeError; names are random and safe.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, isHttpError } from '@portcullis/errors';
import {
  DEFAULT_CONTENT_TYPES,
  PATH_ERROR_REASONS,
  PathError,
  generateFileName,
  openSafeFile,
  resolveSafePath,
  sendSafeFile,
} from '@portcullis/paths';
import { contentDisposition } from '../src/send.js';
import { makeTree, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.cleanup();
});

const BAD_BOOLEANS: readonly unknown[] = ['true', 1, 0, null, [], {}, Number.NaN];
const BAD_EXTENSIONS: readonly unknown[] = [
  [],
  '.csv',
  ['csv'],
  ['.'],
  ['.tar.gz'],
  ['.c/v'],
  [42],
  [null],
  ['.csv\n'],
  {},
];
const BAD_BASES: readonly unknown[] = ['', 'relative/dir', './x', 42, null, undefined, '/tmp/\u0000x', ['/tmp']];

describe('resolveSafePath options', () => {
  it.each(
    ['allowSubdirectories', 'allowDotfiles', 'mustExist'].flatMap((key) => BAD_BOOLEANS.map((v) => [key, v] as const)),
  )('rejects %s = %o with a TypeError naming the package and option', async (key, value) => {
    const error = await resolveSafePath(tree.base, 'report.csv', { [key]: value }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('@portcullis/paths');
    expect((error as Error).message).toContain(`"${key}"`);
  });

  it.each(BAD_EXTENSIONS.map((v) => [v] as const))('rejects allowedExtensions = %o', async (value) => {
    const error = await resolveSafePath(tree.base, 'report.csv', { allowedExtensions: value as string[] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('"allowedExtensions"');
  });

  it('rejects unknown option keys (a typo must not turn a control off)', async () => {
    const error = await resolveSafePath(tree.base, 'report.csv', { allowDotFiles: true } as never).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^@portcullis\/paths: "allowDotFiles" is not a known option \(got true\); did you mean "allowDotfiles"\?$/,
    );
  });

  it.each([null, 'x', 42, []])('rejects options = %o', async (value) => {
    await expect(resolveSafePath(tree.base, 'report.csv', value as never)).rejects.toThrow(TypeError);
  });

  it.each(BAD_BASES.map((v) => [v] as const))('rejects baseDir = %o', async (value) => {
    const error = await resolveSafePath(value as string, 'report.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('"baseDir"');
  });

  it('treats { x: undefined } like {} and accepts frozen options without mutating them', async () => {
    const options = Object.freeze({ allowSubdirectories: undefined, allowedExtensions: Object.freeze(['.CSV']) });
    await expect(resolveSafePath(tree.base, 'report.csv', options)).resolves.toBe(path.join(tree.base, 'report.csv'));
    await expect(resolveSafePath(tree.base, 'report.csv', {})).resolves.toBe(path.join(tree.base, 'report.csv'));
    expect(options.allowedExtensions).toEqual(['.CSV']);
  });
});

describe('openSafeFile options', () => {
  it('rejects mustExist (opening always needs an existing file)', async () => {
    await expect(openSafeFile(tree.base, 'report.csv', { mustExist: false } as never)).rejects.toThrow(
      /"mustExist" is not a known option \(got false\)/,
    );
  });

  it.each(BAD_BOOLEANS.map((v) => [v] as const))('rejects rejectHardlinks = %o', async (value) => {
    await expect(openSafeFile(tree.base, 'report.csv', { rejectHardlinks: value as boolean })).rejects.toThrow(
      /"rejectHardlinks"/,
    );
  });

  it.each(BAD_BASES.map((v) => [v] as const))('rejects baseDir = %o', async (value) => {
    await expect(openSafeFile(value as string, 'report.csv')).rejects.toThrow(/"baseDir"/);
  });
});

describe('sendSafeFile options (validated at creation)', () => {
  it.each(BAD_BASES.map((v) => [v] as const))('throws for baseDir = %o', (value) => {
    expect(() => sendSafeFile(value as string)).toThrow(TypeError);
  });

  it.each([
    ['an empty map', {}],
    ['an array', []],
    ['a string', 'text/csv'],
    ['a key without a dot', { csv: 'text/csv' }],
    ['a header-splitting value', { '.csv': 'text/csv\r\nSet-Cookie: a=b' }],
    ['a non-string value', { '.csv': 42 }],
    ['a value without a subtype', { '.csv': 'text' }],
    ['duplicate keys differing in case', { '.csv': 'text/csv', '.CSV': 'text/csv' }],
  ])('throws for contentTypes with %s', (_title, value) => {
    expect(() => sendSafeFile(tree.base, { contentTypes: value as Record<string, string> })).toThrow(/"contentTypes"/);
  });

  it('throws when allowedExtensions lists an extension without a content type', () => {
    expect(() => sendSafeFile(tree.base, { allowedExtensions: ['.exe'] })).toThrow(
      /has \.exe but "contentTypes" has no type/,
    );
  });

  it.each(BAD_BOOLEANS.map((v) => [v] as const))('throws for ranges = %o, naming the option', (value) => {
    expect(() => sendSafeFile(tree.base, { ranges: value as boolean })).toThrow(
      /^@portcullis\/paths: "ranges" must be true or false \(got .+\); omit it to serve byte ranges$/,
    );
  });

  it.each([false, 'inline', 'report.csv', 1, null, {}, [], Number.NaN].map((v) => [v] as const))(
    'throws for attachment = %o (downloads are always attachments)',
    (value) => {
      expect(() => sendSafeFile(tree.base, { attachment: value as true })).toThrow(
        /^@portcullis\/paths: "attachment" must be true or a function \(name\) => string \(got .+\); /,
      );
    },
  );

  it('accepts ranges and attachment in their valid forms', () => {
    for (const options of [
      { ranges: true },
      { ranges: false },
      { attachment: true as const },
      { attachment: () => 'x' },
    ]) {
      expect(typeof sendSafeFile(tree.base, Object.freeze(options))).toBe('function');
    }
  });

  it('throws for unknown keys and mustExist', () => {
    expect(() => sendSafeFile(tree.base, { contentType: {} } as never)).toThrow(
      /"contentType" is not a known option \(got an object\); did you mean "contentTypes"\?/,
    );
    expect(() => sendSafeFile(tree.base, { mustExist: false } as never)).toThrow(
      /"mustExist" is not a known option \(got false\)/,
    );
  });

  it('accepts frozen options and media types with parameters, returning a named handler', () => {
    const options = Object.freeze({
      contentTypes: Object.freeze({ '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain;charset="utf-8"' }),
    });
    const handler = sendSafeFile(tree.base, options);
    expect(handler.name).toBe('sendSafeFileHandler');
    expect(options.contentTypes).toEqual({ '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain;charset="utf-8"' });
  });

  it('exports a frozen default content-type map', () => {
    expect(Object.isFrozen(DEFAULT_CONTENT_TYPES)).toBe(true);
    expect(Object.keys(DEFAULT_CONTENT_TYPES).sort()).toEqual(['.csv', '.jpg', '.json', '.pdf', '.png', '.txt']);
  });
});

describe('generateFileName', () => {
  it('returns 26 base32 characters (128 bits) plus the extension', () => {
    const name = generateFileName('.csv');
    expect(name).toMatch(/^[a-z2-7]{26}\.csv$/);
    expect(generateFileName('')).toMatch(/^[a-z2-7]{26}$/);
  });

  it('never repeats across many draws and uses the whole alphabet', () => {
    const names = new Set(Array.from({ length: 2000 }, () => generateFileName('.csv')));
    expect(names.size).toBe(2000);
    const chars = new Set([...names].join('').replace(/\.csv/g, ''));
    expect(chars.size).toBe(32);
  });

  it('produces names that pass resolveSafePath with mustExist: false', async () => {
    const name = generateFileName('.csv');
    await expect(resolveSafePath(tree.base, name, { mustExist: false, allowedExtensions: ['.csv'] })).resolves.toBe(
      path.join(tree.base, name),
    );
  });

  it.each([['csv'], ['.'], ['../x'], ['.csv/x'], [42], [null], [undefined], ['.c sv']])('rejects ext = %o', (ext) => {
    expect(() => generateFileName(ext as string)).toThrow(TypeError);
  });
});

describe('PathError', () => {
  it.each([
    ['invalid', 400, 'invalid_path'],
    ['absolute', 403, 'forbidden_path'],
    ['traversal', 403, 'forbidden_path'],
    ['symlink_escape', 403, 'forbidden_path'],
    ['dotfile', 403, 'forbidden_path'],
    ['extension', 403, 'forbidden_path'],
    ['not_found', 404, 'not_found'],
  ] as const)('maps reason %s to %i %s', (reason, status, code) => {
    const error = new PathError(reason);
    expect(error).toBeInstanceOf(HttpError);
    expect(isHttpError(error)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.reason).toBe(reason);
    expect(error.expose).toBe(true);
    expect(error.detail).toMatch(/^The requested file/);
    expect(error.name).toBe('PathError');
  });

  it('lists every reason', () => {
    expect(PATH_ERROR_REASONS).toEqual([
      'invalid',
      'absolute',
      'traversal',
      'symlink_escape',
      'dotfile',
      'extension',
      'not_found',
    ]);
  });

  it('falls back to invalid for an unknown reason', () => {
    const error = new PathError('nope' as never, 'log text', { cause: new Error('x') });
    expect(error.status).toBe(400);
    expect(error.reason).toBe('invalid');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('contentDisposition [ASVS V5.4.2]', () => {
  it.each([
    ['report.csv', 'attachment; filename="report.csv"'],
    ['a "quoted" name.csv', `attachment; filename="a _quoted_ name.csv"; filename*=UTF-8''a%20%22quoted%22%20name.csv`],
    ['100%.csv', `attachment; filename="100_.csv"; filename*=UTF-8''100%25.csv`],
    ["it's (1)*.csv", `attachment; filename="it's (1)*.csv"`],
    ['报告.csv', `attachment; filename="__.csv"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.csv`],
    ["é'(.csv", `attachment; filename="_'(.csv"; filename*=UTF-8''%C3%A9%27%28.csv`],
  ])('renders %s safely', (name, header) => {
    expect(contentDisposition(name)).toBe(header);
  });
});
