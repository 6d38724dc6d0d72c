// Test fixtures: real temp directories, byte-exact sample files, raw multipart bodies and a node:http client.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/** A fresh 0700 directory under the OS temp dir. */
export function privateDir(prefix = 'upload-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The stored files and the quarantine's content, sorted. */
export function listing(dir: string): { stored: string[]; quarantine: string[] } {
  const stored = readdirSync(dir)
    .filter((n) => n !== '.quarantine')
    .sort();
  const quarantine = readdirSync(path.join(dir, '.quarantine')).sort();
  return { stored, quarantine };
}

function crc32(buf: Buffer): number {
  let c = ~0 >>> 0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid PNG header of the given size (IHDR, one small IDAT, IEND); the pixels are not all there, as in an attack. */
export function png(width = 2, height = 2): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(width <= 16 && height <= 16 ? (width * 3 + 1) * height : 64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal baseline JPEG header (SOI, APP0 JFIF, SOF0 with the size, EOI). */
export function jpeg(width = 2, height = 2): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

/** A tiny PDF. */
export function pdf(text = 'hello'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

/** A GIF89a header whose bytes are also valid JavaScript: GIF89a=/*…*\/alert(1)//. */
export function gifJsPolyglot(): Buffer {
  // "GIF89a" then width bytes "/*" (0x2f 0x2a), height 0x0a 0x00, then a comment closed in the payload.
  const header = Buffer.from('GIF89a/*\x0a\x00\x00\x00\x00', 'latin1');
  const trailer = Buffer.from('*/=1;alert(document.domain);//\x3b', 'latin1');
  return Buffer.concat([header, Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00]), trailer]);
}

export interface Part {
  name?: string | undefined;
  filename?: string | undefined;
  contentType?: string | undefined;
  /** Raw extra header lines. */
  headers?: string[];
  body: Buffer | string;
}

export const BOUNDARY = '----portcullisBoundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body written byte for byte. */
export function multipart(parts: Part[], boundary = BOUNDARY, close = true): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    let disposition = 'Content-Disposition: form-data';
    if (p.name !== undefined) disposition += `; name="${p.name}"`;
    if (p.filename !== undefined) disposition += `; filename="${p.filename}"`;
    const lines = [`--${boundary}`, disposition];
    if (p.contentType !== undefined) lines.push(`Content-Type: ${p.contentType}`);
    lines.push(...(p.headers ?? []));
    out.push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'));
    out.push(typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body);
    out.push(Buffer.from('\r\n'));
  }
  if (close) out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: Record<string, unknown> | undefined;
}

export interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  /** Chunks written in order, with an optional pause (ms) before each. */
  chunks: (Buffer | { pause: number; data: Buffer })[];
  /** Leave the request open after the chunks (for slow drips). */
  keepOpen?: boolean;
  /** Destroy the socket after the chunks (client abort); resolves with status 0. */
  abort?: boolean;
}

/** Sends a request with node:http and returns the response (never throws for a reset after the response). */
export function send(server: http.Server, options: SendOptions): Promise<RawResponse> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'POST',
      path: options.path ?? '/upload',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...options.headers },
      agent: false,
    });
    req.on('response', (res) => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.on('error', () => undefined);
      res.on('end', () => {
        settled = true;
        const buf = Buffer.concat(body);
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (settled) return;
      if (options.abort) {
        settled = true;
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0), json: undefined });
        return;
      }
      reject(error);
    });
    void (async () => {
      for (const c of options.chunks) {
        if (settled || req.destroyed) return;
        if (Buffer.isBuffer(c)) {
          req.write(c);
        } else {
          await new Promise((r) => setTimeout(r, c.pause));
          if (settled || req.destroyed) return;
          req.write(c.data);
        }
      }
      if (options.abort) {
        await new Promise((r) => setTimeout(r, 50));
        req.destroy();
        settled = true;
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0), json: undefined });
        return;
      }
      if (!options.keepOpen) req.end();
    })();
  });
}

export function listen(app: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(app);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(server);
    }),
  );
}

export function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
