// uploadGuard through real Express 5 and 4 apps: raw multipart bodies over node:http, real temp directories.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { uploadGuard, type UploadedFile } from '../src/index.js';
import {
  BOUNDARY,
  close,
  gifJsPolyglot,
  jpeg,
  listen,
  listing,
  multipart,
  pdf,
  png,
  privateDir,
  removeDir,
  send,
  type Part,
  type RawResponse,
} from './fixtures.js';

const PDF_MAX = 2048;

function pdfOfSize(size: number): Buffer {
  const base = pdf();
  return Buffer.concat([base, Buffer.alloc(size - base.length, 0x20)]);
}

interface Case {
  title: string;
  parts?: Part[];
  body?: Buffer;
  status: number;
  code?: string;
  /** For accepted cases: the sniffed types of the stored files, in order. */
  mimes?: string[];
  chunked?: boolean;
  headers?: Record<string, string | number>;
}

const cases: Case[] = [
  {
    title: 'stores a PDF under a generated name',
    parts: [{ name: 'evidence', filename: 'report.pdf', contentType: 'application/pdf', body: pdf() }],
    status: 200,
    mimes: ['application/pdf'],
  },
  {
    title: 'accepts a file of exactly maxBytes',
    parts: [{ name: 'evidence', filename: 'full.pdf', contentType: 'application/pdf', body: pdfOfSize(PDF_MAX) }],
    status: 200,
    mimes: ['application/pdf'],
  },
  {
    title: 'refuses a file one byte over maxBytes (busboy truncation is an error)',
    parts: [{ name: 'evidence', filename: 'big.pdf', contentType: 'application/pdf', body: pdfOfSize(PDF_MAX + 1) }],
    status: 413,
    code: 'upload_too_large',
  },
  {
    title: 'refuses a file one byte over a smaller field limit',
    parts: [
      {
        name: 'avatar',
        filename: 'a.png',
        contentType: 'image/png',
        body: Buffer.concat([png(), Buffer.alloc(1024 - png().length + 1)]),
      },
    ],
    status: 413,
    code: 'upload_too_large',
  },
  {
    title: 'refuses an empty field name',
    parts: [{ name: '', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }],
    status: 400,
    code: 'upload_malformed',
  },
  {
    title: 'refuses a part without a name',
    parts: [{ filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }],
    status: 400,
    code: 'upload_malformed',
  },
  {
    title: 'treats a part without Content-Type as text/plain (RFC 7578): a PNG then contradicts it',
    parts: [{ name: 'avatar', filename: 'a.png', body: png() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'accepts a CSV part without Content-Type',
    parts: [{ name: 'sheet', filename: 'rows.csv', body: 'title,description\r\na,b\r\n' }],
    status: 200,
    mimes: ['text/csv'],
  },
  {
    title: 'refuses a body ending mid-part',
    body: multipart(
      [{ name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }],
      BOUNDARY,
      false,
    ),
    status: 400,
    code: 'upload_malformed',
  },
  {
    title: 'refuses a Content-Length over maxTotalBytes before reading the body',
    body: multipart([{ name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }]),
    headers: { 'content-length': 7000 },
    status: 413,
    code: 'upload_too_large',
  },
  {
    title: 'refuses a chunked body over maxTotalBytes across files',
    parts: [1, 2, 3].map((i) => ({
      name: 'evidence',
      filename: `${i}.pdf`,
      contentType: 'application/pdf',
      body: pdfOfSize(PDF_MAX),
    })),
    chunked: true,
    status: 413,
    code: 'upload_too_large',
  },
  {
    title: 'refuses more files than maxFiles',
    parts: [1, 2].map((i) => ({ name: 'avatar', filename: `${i}.png`, contentType: 'image/png', body: png() })),
    status: 413,
    code: 'upload_too_many',
  },
  {
    title: 'refuses a file in a field that is not listed',
    parts: [{ name: 'other', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }],
    status: 400,
    code: 'upload_unexpected_field',
  },
  {
    title: 'accepts a GIF/JavaScript polyglot only as image/gif',
    parts: [{ name: 'avatar', filename: 'cat.gif', contentType: 'image/gif', body: gifJsPolyglot() }],
    status: 200,
    mimes: ['image/gif'],
  },
  {
    title: 'refuses the GIF/JavaScript polyglot named .js',
    parts: [{ name: 'avatar', filename: 'cat.js', contentType: 'image/gif', body: gifJsPolyglot() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'refuses an SVG with a script declared image/png',
    parts: [
      {
        name: 'avatar',
        filename: 'x.png',
        contentType: 'image/png',
        body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      },
    ],
    status: 415,
    code: 'upload_type',
  },
  {
    title: 'refuses HTML sent as a text file',
    parts: [
      {
        name: 'sheet',
        filename: 'x.txt',
        contentType: 'text/plain',
        body: '<html><body onload="alert(1)">hi</body></html>',
      },
    ],
    status: 415,
    code: 'upload_type',
  },
  {
    title: 'refuses a .js file declared image/png',
    parts: [{ name: 'avatar', filename: 'x.js', contentType: 'image/png', body: 'fetch("/steal?c="+document.cookie)' }],
    status: 415,
    code: 'upload_type',
  },
  {
    title: 'refuses a PDF declared image/png',
    parts: [{ name: 'evidence', filename: 'x.pdf', contentType: 'image/png', body: pdf() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'refuses x.png.html',
    parts: [{ name: 'avatar', filename: 'x.png.html', contentType: 'image/png', body: png() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'refuses x.php.png',
    parts: [{ name: 'avatar', filename: 'x.php.png', contentType: 'image/png', body: png() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'refuses x.png. (trailing dot)',
    parts: [{ name: 'avatar', filename: 'x.png.', contentType: 'image/png', body: png() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'refuses a name with an RTLO character (xgnp.exe shown as xexe.png)',
    parts: [{ name: 'avatar', filename: 'x\u202Egnp.png', contentType: 'image/png', body: png() }],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'refuses a PNG header claiming 50,000 x 50,000 pixels',
    parts: [{ name: 'avatar', filename: 'bomb.png', contentType: 'image/png', body: png(50_000, 50_000) }],
    status: 422,
    code: 'upload_rejected',
  },
  {
    title: 'stores a JPEG named .jpeg as .jpg',
    parts: [{ name: 'evidence', filename: 'photo.jpeg', contentType: 'image/jpeg', body: jpeg() }],
    status: 200,
    mimes: ['image/jpeg'],
  },
  {
    title: 'refuses an unrecognised binary',
    parts: [
      {
        name: 'evidence',
        filename: 'x.pdf',
        contentType: 'application/octet-stream',
        body: Buffer.from([0, 1, 2, 3, 4, 5]),
      },
    ],
    status: 415,
    code: 'upload_type',
  },
  {
    title: 'refuses an empty file',
    parts: [{ name: 'evidence', filename: 'x.pdf', contentType: 'application/pdf', body: Buffer.alloc(0) }],
    status: 415,
    code: 'upload_type',
  },
  {
    title: 'refuses a field value over maxFieldBytes',
    parts: [{ name: 'note', body: 'x'.repeat(65) }],
    status: 413,
    code: 'upload_too_large',
  },
  {
    title: 'refuses more fields than maxFields',
    parts: ['a', 'b', 'c'].map((n) => ({ name: n, body: 'v' })),
    status: 413,
    code: 'upload_too_many',
  },
  {
    title: 'refuses a repeated field (parameter pollution)',
    parts: [
      { name: 'note', body: 'a' },
      { name: 'note', body: 'b' },
    ],
    status: 400,
    code: 'upload_malformed',
  },
  {
    title: 'refuses a base64 Content-Transfer-Encoding',
    parts: [
      {
        name: 'evidence',
        filename: 'a.pdf',
        contentType: 'application/pdf',
        headers: ['Content-Transfer-Encoding: base64'],
        body: pdf().toString('base64'),
      },
    ],
    status: 400,
    code: 'upload_malformed',
  },
  {
    title: 'removes the files already stored when a later file of the request is refused',
    parts: [
      { name: 'evidence', filename: 'ok.pdf', contentType: 'application/pdf', body: pdf() },
      { name: 'avatar', filename: 'x.png.html', contentType: 'image/png', body: png() },
    ],
    status: 415,
    code: 'upload_type_mismatch',
  },
  {
    title: 'stores several files of one request with fields',
    parts: [
      { name: 'note', body: 'two files' },
      { name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdf('a') },
      { name: 'evidence', filename: 'b.png', contentType: 'image/png', body: png() },
    ],
    status: 200,
    mimes: ['application/pdf', 'image/png'],
  },
];

async function waitForEmptyQuarantine(dir: string): Promise<void> {
  for (let i = 0; i < 100 && listing(dir).quarantine.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

describe.each(expressFlavours)('uploadGuard on $name [ASVS V5.2.1, V5.2.2, V5.2.6, V5.3.2]', (flavour) => {
  let dir: string;
  let server: http.Server;
  const stored: string[] = [];

  beforeAll(async () => {
    dir = privateDir();
    const guard = uploadGuard({
      dir,
      fields: {
        evidence: { types: ['application/pdf', 'image/png', 'image/jpeg'], maxBytes: PDF_MAX, maxFiles: 3 },
        avatar: { types: ['image/png', 'image/gif'], maxBytes: 1024 },
        sheet: { types: ['text/csv', 'text/plain'], maxBytes: 1024 },
      },
      maxTotalBytes: 6000,
      maxFields: 2,
      maxFieldBytes: 64,
      timeoutMs: 400,
    });
    // Module loading is not what the short timeoutMs of this suite is about.
    await guard.validateBuffer({ field: 'evidence', buffer: pdf() });
    const app = buildApp(flavour, (a) => {
      a.post('/upload', guard.middleware(), (req, res) => {
        res.json({ files: req.uploads, body: req.body as unknown });
      });
      a.use(errorHandler());
    });
    server = await listen(app);
  });

  afterAll(async () => {
    await close(server);
    removeDir(dir);
  });

  function expectOnlyEarlierFiles(): void {
    expect(listing(dir)).toEqual({ stored: [...stored].sort(), quarantine: [] });
  }

  function run(c: Case): Promise<RawResponse> {
    const body = c.body ?? multipart(c.parts ?? []);
    const headers: Record<string, string | number> = {
      ...(c.chunked ? {} : { 'content-length': body.length }),
      ...c.headers,
    };
    return send(server, { headers, chunks: c.chunked ? [body.subarray(0, 100), body.subarray(100)] : [body] });
  }

  it.each(cases)('$title', async (c) => {
    const res = await run(c);
    expect(res.status).toBe(c.status);
    if (c.code !== undefined) {
      expect(res.json?.['code']).toBe(c.code);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    } else {
      const files = (res.json?.['files'] ?? []) as UploadedFile[];
      expect(files.map((f) => f.mime)).toEqual(c.mimes);
      const sent = (c.parts ?? []).filter((p) => p.filename !== undefined);
      files.forEach((f, i) => {
        expect(f.storedName).toMatch(/^[a-z2-7]{26}\.[a-z]+$/);
        expect(f.storedName).toBe(`${f.id}.${f.ext}`);
        expect(f.path).toBe(path.join(dir, f.storedName));
        const content = sent[i]!.body;
        expect(f.size).toBe(Buffer.byteLength(content));
        expect(f.sha256).toBe(createHash('sha256').update(content).digest('hex'));
        expect(statSync(f.path).mode & 0o777).toBe(0o600);
        stored.push(f.storedName);
      });
    }
    expectOnlyEarlierFiles();
  });

  it('refuses a slow drip with 408 upload_timeout and keeps nothing', async () => {
    const body = multipart([{ name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }]);
    const res = await send(server, {
      headers: { 'content-length': body.length },
      chunks: [
        body.subarray(0, 150),
        { pause: 300, data: body.subarray(150, 160) },
        { pause: 300, data: body.subarray(160, 170) },
      ],
      keepOpen: true,
    });
    expect(res.status).toBe(408);
    expect(res.json?.['code']).toBe('upload_timeout');
    expectOnlyEarlierFiles();
  });

  it('refuses a body cut short by a Content-Length smaller than the body', async () => {
    const body = multipart([{ name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }]);
    // The surplus bytes follow after a pause: Node's parser would otherwise answer them as a next request.
    const res = await send(server, {
      headers: { 'content-length': 120 },
      chunks: [body.subarray(0, 120), { pause: 300, data: body.subarray(120) }],
    });
    expect(res.status).toBe(400);
    expect(res.json?.['code']).toBe('upload_malformed');
    expectOnlyEarlierFiles();
  });

  it('refuses a Content-Length larger than the body sent (it times out)', async () => {
    const body = multipart([{ name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() }]);
    const res = await send(server, { headers: { 'content-length': body.length + 50 }, chunks: [body], keepOpen: true });
    expect(res.status).toBe(408);
    expect(res.json?.['code']).toBe('upload_timeout');
    expectOnlyEarlierFiles();
  });

  it('deletes the partial file when the client aborts mid-file', async () => {
    const body = multipart([
      { name: 'evidence', filename: 'a.pdf', contentType: 'application/pdf', body: pdfOfSize(PDF_MAX) },
    ]);
    const res = await send(server, {
      headers: { 'content-length': body.length },
      chunks: [body.subarray(0, 1500)],
      abort: true,
    });
    expect(res.status).toBe(0);
    await waitForEmptyQuarantine(dir);
    expectOnlyEarlierFiles();
  });

  it('refuses a body that is not multipart/form-data', async () => {
    const res = await send(server, { headers: { 'content-type': 'application/json' }, chunks: [Buffer.from('{}')] });
    expect(res.status).toBe(415);
    expect(res.json?.['code']).toBe('upload_type');
    expectOnlyEarlierFiles();
  });

  it('refuses multipart without a boundary', async () => {
    const res = await send(server, {
      headers: { 'content-type': 'multipart/form-data; charset=utf-8' },
      chunks: [Buffer.from('x')],
    });
    expect(res.status).toBe(400);
    expect(res.json?.['code']).toBe('upload_malformed');
    expectOnlyEarlierFiles();
  });

  it('refuses garbage in place of a multipart body', async () => {
    const res = await send(server, { chunks: [Buffer.from('\x00\xff garbage without any delimiter\r\n\r\n')] });
    expect(res.status).toBe(400);
    expect(res.json?.['code']).toBe('upload_malformed');
    expectOnlyEarlierFiles();
  });
});

describe.each(expressFlavours)('uploadGuard scan hook and active content on $name [ASVS V1.3.4]', (flavour) => {
  let dir: string;
  let server: http.Server;
  const verdicts: (boolean | 'throw')[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    dir = privateDir();
    const guard = uploadGuard({
      dir,
      fields: {
        doc: { types: ['application/pdf'], maxBytes: 4096, maxFiles: 2 },
        drawing: { types: ['image/svg+xml'], maxBytes: 4096 },
      },
      dangerouslyAllowActiveContent: true,
      scan: (file) => {
        seen.push(`${file.field}:${file.mime}:${path.dirname(file.path) === path.join(dir, '.quarantine')}`);
        const verdict = verdicts.shift() ?? true;
        if (verdict === 'throw') throw new Error('scanner down');
        return Promise.resolve(verdict);
      },
    });
    await guard.validateBuffer({ field: 'doc', buffer: pdf() });
    const app = buildApp(flavour, (a) => {
      a.post('/upload', guard.middleware(), (req, res) => {
        res.json(req.uploads);
      });
      a.use(errorHandler());
    });
    server = await listen(app);
  });

  afterAll(async () => {
    await close(server);
    removeDir(dir);
  });

  function post(parts: Part[]): Promise<RawResponse> {
    const body = multipart(parts);
    return send(server, { headers: { 'content-length': body.length }, chunks: [body] });
  }
  const doc: Part = { name: 'doc', filename: 'a.pdf', contentType: 'application/pdf', body: pdf() };

  it('shows the scan hook the quarantined file and stores it when the hook accepts', async () => {
    verdicts.push(true);
    const res = await post([doc]);
    expect(res.status).toBe(200);
    expect(seen.pop()).toBe('doc:application/pdf:true');
    expect(listing(dir).stored).toHaveLength(1);
  });

  it('refuses a file the scan hook refuses (422) and keeps nothing of the request', async () => {
    verdicts.push(true, false);
    const res = await post([doc, { ...doc, filename: 'b.pdf' }]);
    expect(res.status).toBe(422);
    expect(res.json?.['code']).toBe('upload_rejected');
    expect(listing(dir)).toMatchObject({ quarantine: [] });
    expect(listing(dir).stored).toHaveLength(1);
  });

  it('fails closed with 503 when the scanner throws', async () => {
    verdicts.push('throw');
    const res = await post([doc]);
    expect(res.status).toBe(503);
    expect(res.json?.['code']).toBe('unavailable');
    expect(listing(dir)).toMatchObject({ quarantine: [] });
    expect(listing(dir).stored).toHaveLength(1);
  });

  it('stores an SVG only in a field that lists it, with the opt-in', async () => {
    const res = await post([
      {
        name: 'drawing',
        filename: 'd.svg',
        contentType: 'image/svg+xml',
        body: '<svg xmlns="http://www.w3.org/2000/svg"/>',
      },
    ]);
    expect(res.status).toBe(200);
    expect((res.json as unknown as UploadedFile[])[0]!.mime).toBe('image/svg+xml');
    const refused = await post([
      {
        name: 'doc',
        filename: 'd.pdf',
        contentType: 'application/pdf',
        body: '<svg xmlns="http://www.w3.org/2000/svg"/>',
      },
    ]);
    expect(refused.status).toBe(415);
    expect(refused.json?.['code']).toBe('upload_type');
  });
});
