// Child process: serves one variant (or, for the smoke test, several: one port each) on 127.0.0.1
// (port 0) and talks to the harness over IPC. argv[2] = variant name(s), comma-separated;
// env BENCH_MATERIAL = JSON of the public key material.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { buildApp, type BuiltApp } from './apps.js';
import type { Material } from './shared.js';

/** Messages from the harness. */
export type ToServer = 'cpu' | 'stop';
/** Messages to the harness. */
export type FromServer =
  | { type: 'ready'; ports: Record<string, number> }
  | { type: 'cpu'; micros: number }
  | { type: 'failed'; message: string };

function send(message: FromServer): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const names = (process.argv[2] ?? '').split(',');
  const material = JSON.parse(process.env['BENCH_MATERIAL'] ?? 'null') as Material | null;
  if (material === null) throw new Error('BENCH_MATERIAL is not set');
  const running: { built: BuiltApp; server: Server }[] = [];
  const ports: Record<string, number> = {};
  for (const name of names) {
    const built = await buildApp(name, material);
    const server = built.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.keepAliveTimeout = 30_000;
    running.push({ built, server });
    ports[name] = (server.address() as AddressInfo).port;
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const { built, server } of running) {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await built.close();
    }
    // process.exit() lets --cpu-prof write its profile; a killed process would not.
    process.exit(0);
  };
  process.on('message', (m: ToServer) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      send({ type: 'cpu', micros: u.user + u.system });
    } else if (m === 'stop') {
      void stop();
    }
  });
  // The harness went away: do not linger.
  process.on('disconnect', () => void stop());
  send({ type: 'ready', ports });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
