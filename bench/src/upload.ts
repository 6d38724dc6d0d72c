// Upload guard bench: a 1 GB upload against a 5 MiB limit (RSS growth, time to the 413) and zip bombs (time to refusal).
// One process runs server and client (the client streams one reused 64 KiB buffer), so RSS covers both.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import express from 'express';
import yazl from 'yazl';
import { errorHandler } from '@portcullis/errors';
import { inspectZip, uploadGuard } from '@portcullis/upload';

const MiB = 1024 * 1024;
const TOTAL = 1024 * MiB;
const BOUNDARY = 'benchBoundary4f9c';
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Run {
  status: number;
  code: unknown;
  msToResponse: number;
  sentMiB: number;
  rssGrowthMiB: number;
}

function upload(port: number, chunked: boolean): Promise<Run> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const block = Buffer.alloc(64 * 1024, 0x20);
  const length = head.length + TOTAL + tail.length;
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = process.hrtime.bigint();
  let sent = 0;
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/upload',
      agent: false,
      headers: {
        // A browser's connection: keep-alive. (Node's agent-less client would ask for Connection: close, and the
        // server then closes right after its early 413, resetting a client still sending.)
        connection: 'keep-alive',
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...(chunked ? {} : { 'content-length': length }),
      },
    });
    req.on('response', (res) => {
      responded = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.on('error', () => undefined);
      res.on('end', () => {
        clearInterval(sampler);
        req.destroy();
        let code: unknown;
        try {
          code = (JSON.parse(Buffer.concat(body).toString()) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          code,
          msToResponse: ms,
          sentMiB: sent / MiB,
          rssGrowthMiB: (peak - rss0) / MiB,
        });
      });
    });
    req.on('error', (error) => {
      if (!responded) {
        clearInterval(sampler);
        reject(error);
      }
    });
    const pump = (): void => {
      while (!responded && !req.destroyed) {
        let chunk: Buffer;
        if (sent === 0) chunk = head;
        else if (sent >= head.length + TOTAL) {
          req.end(tail);
          return;
        } else chunk = block;
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function zipOf(items: { name: string; data: Buffer; compress?: boolean }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const it of items) zip.addBuffer(it.data, it.name, { compress: it.compress ?? true });
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

function centralOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= buf.length; i++) if (buf.readUInt32LE(i) === 0x02014b50) out.push(i);
  return out;
}

async function bombs(dir: string): Promise<{ name: string; reason: string; ms: number }[]> {
  const ratio = await zipOf([{ name: 'zeros.bin', data: Buffer.alloc(64 * MiB) }]);
  const many = await zipOf(
    Array.from({ length: 10_000 }, (_, i) => ({ name: `e${i}`, data: Buffer.alloc(0), compress: false })),
  );
  const liar = await zipOf([{ name: 'liar.bin', data: Buffer.alloc(256 * MiB) }]);
  for (const at of centralOffsets(liar)) liar.writeUInt32LE(1000, at + 24);
  // The local header tells the same lie (uncompressed size at offset 22), so only counting can catch it.
  liar.writeUInt32LE(1000, 22);
  const overlap = await zipOf([
    { name: 'a.bin', data: randomBytes(4 * MiB) },
    { name: 'b.bin', data: randomBytes(4 * MiB) },
  ]);
  const second = centralOffsets(overlap)[1] ?? 0;
  overlap.writeUInt32LE(0, second + 42);
  const fixtures: [string, Buffer][] = [
    ['64 MiB of zeros (ratio ~1000:1)', ratio],
    ['10,000 empty entries', many],
    ['256 MiB of zeros declared as 1000 bytes', liar],
    ['overlapping entries (2 x 4 MiB)', overlap],
  ];
  const out: { name: string; reason: string; ms: number }[] = [];
  for (const [name, buf] of fixtures) {
    const file = path.join(dir, `${out.length}.zip`);
    writeFileSync(file, buf);
    const t0 = process.hrtime.bigint();
    const reason = await inspectZip(file).then(
      () => 'accepted (!)',
      (e: unknown) => String((e as { reason?: unknown }).reason),
    );
    out.push({ name, reason, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-upload-'));
  chmodSync(dir, 0o700);
  const guard = uploadGuard({
    dir,
    fields: { file: { types: ['application/pdf'], maxBytes: 5 * MiB } },
  });
  const app = express();
  app.post('/upload', guard.middleware(), (_req, res) => {
    res.status(201).end();
  });
  app.use(errorHandler());
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    say(`node ${process.version}, ${new Date().toISOString()}`);
    await upload(port, true); // warm-up: module loading and JIT are not what is measured
    for (const chunked of [true, false]) {
      const run = await upload(port, chunked);
      say(
        `1 GiB upload, ${chunked ? 'chunked (counted)' : 'Content-Length'} vs 5 MiB: ${run.status} ${String(run.code)} after ${run.msToResponse.toFixed(0)} ms, client had written ${run.sentMiB.toFixed(1)} MiB, peak RSS growth ${run.rssGrowthMiB.toFixed(1)} MiB`,
      );
    }
    for (const b of await bombs(dir)) say(`zip bomb: ${b.name}: refused ${b.reason} in ${b.ms.toFixed(1)} ms`);
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
