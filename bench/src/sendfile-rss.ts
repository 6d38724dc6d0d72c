// `npm run bench:sendfile -w @portcullis-bench/bench`: streams a 1 GiB file through sendSafeFile and reports the RSS growth (goal < 50 MB).
// The file is sparse (no disk space, reads come from the page cache of zeros); the client runs in the
// same process and drops every chunk, so the growth measured is an upper bound for the server alone.
// Env: SENDFILE_BYTES (default 1 GiB), SENDFILE_LIMIT_MB (default 50). Exit code 1 when the goal is missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { sendSafeFile } from '@portcullis/paths';

const SIZE = Number(process.env['SENDFILE_BYTES'] ?? 1024 ** 3);
const LIMIT_MB = Number(process.env['SENDFILE_LIMIT_MB'] ?? 50);
const MB = 1024 * 1024;

function download(port: number, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, bytes });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-sendfile-'));
  const server = http.createServer(
    express().get('/files/:name', sendSafeFile(dir, { contentTypes: { '.bin': 'application/octet-stream' } })),
  );
  try {
    await writeFile(join(dir, 'big.bin'), '');
    await truncate(join(dir, 'big.bin'), SIZE);
    await writeFile(join(dir, 'small.bin'), Buffer.alloc(MB));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    // Warm-up: modules loaded, code compiled, buffers pooled before the baseline is taken.
    for (let i = 0; i < 5; i++) await download(port, '/files/small.bin');
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    const started = process.hrtime.bigint();
    const result = await download(port, '/files/big.bin');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());

    const growthMb = (peak - baseline) / MB;
    const complete = result.status === 200 && result.bytes === SIZE;
    const ok = complete && growthMb < LIMIT_MB;
    process.stdout.write(
      [
        `sendSafeFile, ${(SIZE / MB).toFixed(0)} MiB sparse file, one download on loopback (Node ${process.version})`,
        `  status ${result.status}, ${result.bytes} bytes (${complete ? 'complete' : 'INCOMPLETE'})`,
        `  ${seconds.toFixed(2)} s, ${(result.bytes / MB / seconds).toFixed(0)} MiB/s`,
        `  RSS baseline ${(baseline / MB).toFixed(1)} MiB, peak ${(peak / MB).toFixed(1)} MiB, growth ${growthMb.toFixed(1)} MiB (goal < ${LIMIT_MB} MB): ${ok ? 'met' : 'MISSED'}`,
        '',
      ].join('\n'),
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
