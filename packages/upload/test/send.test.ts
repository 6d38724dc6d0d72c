// sendStoredFile: a stored upload (the GIF/JavaScript polyglot included) downloads only as a sandboxed attachment.
import { unlinkSync } from 'node:fs';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'express';
import { errorHandler } from '@portcullis/errors';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { sendStoredFile, uploadGuard, type UploadedFile } from '../src/index.js';
import { close, gifJsPolyglot, listen, multipart, pdf, privateDir, removeDir, send } from './fixtures.js';

describe.each(expressFlavours)('sendStoredFile on $name [ASVS V3.2.1, V5.4.2]', (flavour) => {
  let dir: string;
  let server: http.Server;
  const byId = new Map<string, UploadedFile>();

  beforeAll(async () => {
    dir = privateDir();
    const guard = uploadGuard({
      dir,
      fields: { file: { types: ['image/gif', 'application/pdf', 'text/plain'], maxBytes: 4096 } },
    });
    const app = buildApp(flavour, (a) => {
      a.post('/upload', guard.middleware(), (req, res) => {
        for (const f of req.uploads ?? []) byId.set(f.id, f);
        res.json(req.uploads);
      });
      a.get('/files/:id', (req, res: Response, next) => {
        const file = byId.get(req.params['id'] ?? '');
        if (file === undefined) {
          res.status(404).end();
          return;
        }
        sendStoredFile(res, file, { filename: file.clientName }).catch(next);
      });
      a.head('/files/:id', (req, res, next) => {
        const file = byId.get(req.params['id'] ?? '')!;
        sendStoredFile(res, file, { filename: file.clientName }).catch(next);
      });
      a.get('/early/:id', (req, res, next) => {
        const file = byId.get(req.params['id'] ?? '')!;
        res.status(204).end();
        sendStoredFile(res, file, { filename: 'x' }).catch(next);
      });
      a.use(errorHandler());
    });
    server = await listen(app);
  });

  afterAll(async () => {
    await close(server);
    removeDir(dir);
  });

  async function upload(filename: string, contentType: string, body: Buffer | string): Promise<UploadedFile> {
    const raw = multipart([{ name: 'file', filename, contentType, body }]);
    const res = await send(server, { headers: { 'content-length': raw.length }, chunks: [raw] });
    expect(res.status).toBe(200);
    return (res.json as unknown as UploadedFile[])[0]!;
  }

  it('serves the GIF/JavaScript polyglot as an image/gif attachment with nosniff and a sandbox CSP', async () => {
    const file = await upload('cat.gif', 'image/gif', gifJsPolyglot());
    const res = await send(server, { method: 'GET', path: `/files/${file.id}`, headers: {}, chunks: [] });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['content-disposition']).toBe('attachment; filename="cat.gif"');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.body.equals(gifJsPolyglot())).toBe(true);
  });

  it('encodes a non-ASCII download name per RFC 8187 and never lets it break the header', async () => {
    const file = await upload('Bericht März.pdf', 'application/pdf', pdf());
    const res = await send(server, { method: 'GET', path: `/files/${file.id}`, headers: {}, chunks: [] });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Bericht M_rz.pdf"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf`,
    );
  });

  it('serves text with a charset', async () => {
    const file = await upload('notes.txt', 'text/plain', 'hello');
    const res = await send(server, { method: 'GET', path: `/files/${file.id}`, headers: {}, chunks: [] });
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body.toString()).toBe('hello');
  });

  it('answers HEAD with the headers and no body', async () => {
    const file = await upload('h.pdf', 'application/pdf', pdf());
    const res = await send(server, { method: 'HEAD', path: `/files/${file.id}`, headers: {}, chunks: [] });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(pdf().length));
    expect(res.body.length).toBe(0);
  });

  it('serves a byte range (206) and answers a matching If-None-Match with 304', async () => {
    const file = await upload('r.pdf', 'application/pdf', pdf());
    const ranged = await send(server, {
      method: 'GET',
      path: `/files/${file.id}`,
      headers: { range: 'bytes=0-3' },
      chunks: [],
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 0-3/${pdf().length}`);
    expect(ranged.body.toString('latin1')).toBe('%PDF');
    expect(ranged.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    const etag = ranged.headers['etag']!;
    const cached = await send(server, {
      method: 'GET',
      path: `/files/${file.id}`,
      headers: { 'if-none-match': etag },
      chunks: [],
    });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    const stale = await send(server, {
      method: 'GET',
      path: `/files/${file.id}`,
      headers: { 'if-match': '"other"' },
      chunks: [],
    });
    expect(stale.status).toBe(412);
    expect(stale.json?.['code']).toBe('precondition_failed');
  });

  it('is 404 not_found when the stored file is gone', async () => {
    const file = await upload('gone.pdf', 'application/pdf', pdf());
    unlinkSync(file.path);
    const res = await send(server, { method: 'GET', path: `/files/${file.id}`, headers: {}, chunks: [] });
    expect(res.status).toBe(404);
    expect(res.json?.['code']).toBe('not_found');
  });

  it('leaves a response that was already sent alone (no crash, next request served)', async () => {
    const file = await upload('e.pdf', 'application/pdf', pdf());
    const res = await send(server, { method: 'GET', path: `/early/${file.id}`, headers: {}, chunks: [] });
    expect(res.status).toBe(204);
    const again = await send(server, { method: 'GET', path: `/files/${file.id}`, headers: {}, chunks: [] });
    expect(again.status).toBe(200);
  });
});

describe('sendStoredFile arguments', () => {
  const res = {} as http.ServerResponse;
  it.each([
    ['a relative path', { path: 'x/abcdefghijklmnopqrstuvwxyz.pdf', mime: 'application/pdf' }],
    ['a name that was not generated', { path: '/tmp/report.pdf', mime: 'application/pdf' }],
    ['a type that does not match the extension', { path: '/tmp/abcdefghijklmnopqrstuvwxyz.pdf', mime: 'image/png' }],
    ['an unknown type', { path: '/tmp/abcdefghijklmnopqrstuvwxyz.pdf', mime: 'application/x-evil' }],
    ['a response without a request', { path: '/tmp/abcdefghijklmnopqrstuvwxyz.pdf', mime: 'application/pdf' }],
  ])('refuses %s', async (_t, ref) => {
    await expect(sendStoredFile(res, ref, { filename: 'x' })).rejects.toThrow(TypeError);
  });
});
