// inspectZip / extractZip: each hostile archive is refused for its own reason; nothing is left behind.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { extractZip, inspectZip, UploadError } from '../src/index.js';
import { pdf, privateDir, removeDir } from './fixtures.js';

interface Item {
  name: string;
  data: Buffer;
  mode?: number;
  compress?: boolean;
}

function buildZip(items: Item[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const it of items) {
    if (it.name.endsWith('/')) {
      zip.addEmptyDirectory(it.name);
      continue;
    }
    zip.addBuffer(it.data, it.name, {
      compress: it.compress ?? true,
      ...(it.mode === undefined ? {} : { mode: it.mode }),
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    zip.outputStream.on('error', reject);
  });
}

/** Replaces every occurrence of a same-length placeholder (names appear in local and central headers). */
function patchAll(buf: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from, 'utf8');
  const b = Buffer.from(to, 'utf8');
  if (a.length !== b.length) throw new Error('same length only');
  const out = Buffer.from(buf);
  for (let i = out.indexOf(a); i !== -1; i = out.indexOf(a, i + 1)) b.copy(out, i);
  return out;
}

function offsets(buf: Buffer, signature: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= buf.length; i++) if (buf.readUInt32LE(i) === signature) out.push(i);
  return out;
}
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

let dir: string;
let n = 0;
function write(buf: Buffer): string {
  const file = path.join(dir, `a${n++}.zip`);
  writeFileSync(file, buf);
  return file;
}

beforeAll(() => {
  dir = privateDir('zip-');
});
afterAll(() => {
  removeDir(dir);
});

type Fixture = () => Promise<Buffer>;
const refused: [string, string, Fixture][] = [
  [
    'refuses overlapping entries (two central records on one local file)',
    'zip_overlap',
    async () => {
      const buf = await buildZip([
        { name: 'a.txt', data: Buffer.from('aaaa') },
        { name: 'b.txt', data: Buffer.from('bbbb') },
      ]);
      const second = offsets(buf, CENTRAL)[1]!;
      buf.writeUInt32LE(0, second + 42);
      return buf;
    },
  ],
  [
    'refuses 10,000 empty entries before reading any',
    'zip_too_many_entries',
    () =>
      buildZip(Array.from({ length: 10_000 }, (_, i) => ({ name: `e${i}`, data: Buffer.alloc(0), compress: false }))),
  ],
  [
    'refuses a 1000:1 compression ratio',
    'zip_ratio',
    () => buildZip([{ name: 'zeros.bin', data: Buffer.alloc(1024 * 1024) }]),
  ],
  [
    'refuses ../x',
    'zip_malformed',
    async () => patchAll(await buildZip([{ name: 'AAAx', data: Buffer.from('x') }]), 'AAAx', '../x'),
  ],
  [
    'refuses /abs',
    'zip_malformed',
    async () => patchAll(await buildZip([{ name: 'Zabs', data: Buffer.from('x') }]), 'Zabs', '/abs'),
  ],
  [
    'refuses C:/x',
    'zip_malformed',
    async () => patchAll(await buildZip([{ name: 'CQQx', data: Buffer.from('x') }]), 'CQQx', 'C:/x'),
  ],
  [
    'refuses ..\\x',
    'zip_malformed',
    async () => patchAll(await buildZip([{ name: 'QQQx', data: Buffer.from('x') }]), 'QQQx', '..\\x'),
  ],
  [
    'refuses NFC/NFD twins',
    'zip_name_collision',
    () =>
      buildZip([
        { name: 'caf\u00e9.txt', data: Buffer.from('1') },
        { name: 'cafe\u0301.txt', data: Buffer.from('2') },
      ]),
  ],
  [
    'refuses names that differ only in case',
    'zip_name_collision',
    () =>
      buildZip([
        { name: 'Report.txt', data: Buffer.from('1') },
        { name: 'report.TXT', data: Buffer.from('2') },
      ]),
  ],
  [
    'refuses a symlink entry',
    'zip_symlink',
    () => buildZip([{ name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
  ],
  [
    'refuses a FIFO entry',
    'zip_special_file',
    () => buildZip([{ name: 'fifo', data: Buffer.alloc(0), mode: 0o010644 }]),
  ],
  [
    'refuses an encrypted entry',
    'zip_encrypted',
    async () => {
      const buf = await buildZip([{ name: 'secret.txt', data: Buffer.from('secret secret secret') }]);
      for (const at of offsets(buf, CENTRAL)) buf.writeUInt16LE(buf.readUInt16LE(at + 8) | 1, at + 8);
      for (const at of offsets(buf, LOCAL)) buf.writeUInt16LE(buf.readUInt16LE(at + 6) | 1, at + 6);
      return buf;
    },
  ],
  [
    'refuses a ZIP64 sentinel without its extra field',
    'zip_zip64_inconsistent',
    async () => {
      const buf = await buildZip([{ name: 'big.txt', data: Buffer.from('small really') }]);
      for (const at of offsets(buf, CENTRAL)) buf.writeUInt32LE(0xffffffff, at + 24);
      return buf;
    },
  ],
  [
    'refuses a local name that differs from the central name',
    'zip_name_mismatch',
    async () => {
      const buf = await buildZip([{ name: 'good.txt', data: Buffer.from('x') }]);
      const local = offsets(buf, LOCAL)[0]!;
      buf.write('evil', local + 30, 'latin1');
      return buf;
    },
  ],
  [
    'refuses a control character in a name',
    'zip_name_control',
    () => buildZip([{ name: 'a\u0007b', data: Buffer.from('x') }]),
  ],
  [
    'refuses an RTLO character in a name',
    'zip_name_control',
    () => buildZip([{ name: 'x\u202Etxt.exe', data: Buffer.from('x') }]),
  ],
  ['refuses a colon in a name', 'zip_name_invalid', () => buildZip([{ name: 'ab:c', data: Buffer.from('x') }])],
  [
    'refuses an entry that inflates to more than it declares',
    'zip_size_mismatch',
    async () => {
      const buf = await buildZip([{ name: 'liar.txt', data: Buffer.alloc(5000, 0x61) }]);
      for (const at of offsets(buf, CENTRAL)) buf.writeUInt32LE(100, at + 24);
      for (const at of offsets(buf, LOCAL)) {
        // yazl writes sizes in a data descriptor; keep the local header consistent with the lie.
        buf.writeUInt32LE(100, at + 22);
      }
      return buf;
    },
  ],
  [
    'refuses a tar archive',
    'zip_tar',
    () => {
      const tar = Buffer.alloc(1024);
      tar.write('x.txt', 0);
      tar.write('ustar\u000000', 257, 'latin1');
      return Promise.resolve(tar);
    },
  ],
  ['refuses a file that is not a zip', 'zip_not_zip', () => Promise.resolve(pdf())],
  [
    'refuses a zip whose central directory is cut',
    'zip_malformed',
    async () => {
      const buf = await buildZip([{ name: 'a.txt', data: Buffer.from('a') }]);
      return Buffer.concat([buf.subarray(0, 4), Buffer.alloc(20), buf.subarray(buf.length - 22)]);
    },
  ],
];

describe('inspectZip [ASVS V5.2.3, V5.2.5, V5.3.3]', () => {
  it.each(refused)('%s', async (_title, reason, fixture) => {
    const file = write(await fixture());
    const error = await inspectZip(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).status).toBe(422);
    expect((error as UploadError).code).toBe('upload_rejected');
    expect((error as UploadError).reason).toBe(reason);
  });

  it('stops a lying entry at maxEntryBytes while inflating', async () => {
    const file = write(await buildZip([{ name: 'a.txt', data: Buffer.alloc(50_000, 0x61) }]));
    await expect(inspectZip(file, { maxEntryBytes: 10_000, maxRatio: 1_000_000 })).rejects.toMatchObject({
      reason: 'zip_entry_too_large',
    });
  });

  it('refuses an archive over maxTotalBytes', async () => {
    const file = write(
      await buildZip([
        { name: 'a.txt', data: Buffer.alloc(6000, 0x61), compress: false },
        { name: 'b.txt', data: Buffer.alloc(6000, 0x62), compress: false },
      ]),
    );
    await expect(inspectZip(file, { maxTotalBytes: 10_000 })).rejects.toMatchObject({ reason: 'zip_total_too_large' });
  });

  it('refuses a name over maxNameBytes', async () => {
    const file = write(await buildZip([{ name: `${'n'.repeat(300)}.txt`, data: Buffer.from('x') }]));
    await expect(inspectZip(file)).rejects.toMatchObject({ reason: 'zip_name_too_long' });
  });

  it('lists a zip inside a zip without expanding it', async () => {
    const inner = await buildZip([{ name: 'deep.txt', data: Buffer.from('deep') }]);
    const file = write(
      await buildZip([
        { name: 'dir/', data: Buffer.alloc(0) },
        { name: 'inner.zip', data: inner },
        { name: 'notes.txt', data: Buffer.from('hello') },
      ]),
    );
    const result = await inspectZip(file);
    expect(result.entries.map((e) => [e.name, e.size, e.archive, e.directory])).toEqual([
      ['dir/', 0, false, true],
      ['inner.zip', inner.length, true, false],
      ['notes.txt', 5, false, false],
    ]);
    expect(result.totalBytes).toBe(inner.length + 5);
  });

  it.each([[{ maxEntries: 0 }], [{ maxRatio: -1 }], [{ maxTotalBytes: '1' }], [{ maxEntrys: 5 }]])(
    'refuses bad limits %j at the call',
    async (limits) => {
      const file = write(await buildZip([{ name: 'a.txt', data: Buffer.from('a') }]));
      await expect(inspectZip(file, limits as never)).rejects.toThrow(TypeError);
    },
  );

  it('refuses a relative archive path', async () => {
    await expect(inspectZip('relative.zip')).rejects.toThrow(TypeError);
  });
});

describe('extractZip [ASVS V5.3.3]', () => {
  it('writes generated names and a manifest, never entry names', async () => {
    const dest = privateDir('extract-');
    try {
      const file = write(
        await buildZip([
          { name: 'docs/', data: Buffer.alloc(0) },
          { name: 'docs/a.txt', data: Buffer.from('alpha') },
          { name: 'b.pdf', data: pdf() },
        ]),
      );
      const manifest = await extractZip(file, dest);
      const names = readdirSync(dest).sort();
      expect(names).toHaveLength(3);
      expect(names).toContain(manifest.manifestName);
      for (const name of names) expect(name).toMatch(/^[a-z2-7]{26}(\.manifest\.json)?$/);
      const a = manifest.entries.find((e) => e.name === 'docs/a.txt')!;
      expect(readFileSync(path.join(dest, a.storedName!), 'utf8')).toBe('alpha');
      expect(manifest.entries.find((e) => e.name === 'docs/')!.storedName).toBeUndefined();
      const written = JSON.parse(readFileSync(path.join(dest, manifest.manifestName), 'utf8')) as {
        entries: unknown[];
      };
      expect(written.entries).toHaveLength(3);
    } finally {
      removeDir(dest);
    }
  });

  it('removes every file written when a later entry is refused', async () => {
    const dest = privateDir('extract-');
    try {
      const file = write(
        await buildZip([
          { name: 'ok.txt', data: Buffer.from('fine') },
          { name: 'zeros.bin', data: Buffer.alloc(1024 * 1024) },
        ]),
      );
      await expect(extractZip(file, dest)).rejects.toMatchObject({ reason: 'zip_ratio' });
      expect(readdirSync(dest)).toEqual([]);
    } finally {
      removeDir(dest);
    }
  });

  it('removes the partial file when inflation stops at the limit', async () => {
    const dest = privateDir('extract-');
    try {
      const file = write(await buildZip([{ name: 'a.txt', data: Buffer.alloc(200_000, 0x61) }]));
      await expect(extractZip(file, dest, { maxEntryBytes: 100_000, maxRatio: 1_000_000 })).rejects.toMatchObject({
        reason: 'zip_entry_too_large',
      });
      expect(readdirSync(dest)).toEqual([]);
    } finally {
      removeDir(dest);
    }
  });

  it('refuses a relative or missing destination', async () => {
    const file = write(await buildZip([{ name: 'a.txt', data: Buffer.from('a') }]));
    await expect(extractZip(file, 'rel')).rejects.toThrow(TypeError);
    await expect(extractZip(file, path.join(dir, 'missing'))).rejects.toThrow(TypeError);
  });
});
