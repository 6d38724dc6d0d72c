// `npm run bench:profile [variant]`: runs one variant's child under `node --cpu-prof`, loads it like
// the benchmark does, and prints where the server's CPU time went during the measured window only:
// self time per function (file:function), inclusive time of our packages' functions, time per area.
// Env: BENCH_WARMUP_SEC (2), BENCH_DURATION_SEC (8). Profiles are kept in bench/.data/profiles.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, startServer, stopServer } from './harness.js';
import { TokenRotation, USERS, makeKeys, tokenCounts, variantByName } from './shared.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROFILE_DIR = fileURLToPath(new URL('../.data/profiles/', import.meta.url));
const name = process.argv[2] ?? 'portcullis';
const WARMUP_SEC = Number(process.env['BENCH_WARMUP_SEC'] ?? 2);
const DURATION_SEC = Number(process.env['BENCH_DURATION_SEC'] ?? 8);
const TOP = 25;

const micros = (): number => Number(process.hrtime.bigint() / 1000n);

function short(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  return rel.replace(/^node_modules\//, '');
}

/** Where a frame belongs: one of our packages, an npm package, Node itself, or V8. */
function area(frame: CallFrame): string {
  const path = short(frame.url);
  const ours = /^packages\/([^/]+)\//.exec(path);
  if (ours !== null) return `@portcullis/${ours[1] ?? ''}`;
  if (path.startsWith('bench/')) return 'bench (apps, route)';
  const dep = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(path);
  if (dep !== null && !path.startsWith('node:')) return dep[1] ?? path;
  if (path.startsWith('node:')) return 'node core';
  return frame.functionName.startsWith('(') ? frame.functionName : 'V8 / native';
}

function label(frame: CallFrame): string {
  const file = short(frame.url);
  // Files compiled by tsx report line 0 for every function: show the file alone then.
  const where = file === '' ? '(native)' : frame.lineNumber > 0 ? `${file}:${frame.lineNumber + 1}` : file;
  return `${where} ${frame.functionName === '' ? '(anonymous)' : frame.functionName}`;
}

function analyse(profile: CpuProfile, from: number, to: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  const attributed = new Map<string, number>();
  const generic = (a: string): boolean => a === 'node core' || a === 'V8 / native';
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) continue;
    const node = byId.get(profile.samples[i] ?? -1);
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    total += dt;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    // Node core and native time charged to the nearest package frame up the stack (e.g. WebCrypto → jose).
    let owner = a;
    for (let id = parent.get(node.id); generic(owner) && id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (frame !== undefined && !generic(area(frame)) && !frame.functionName.startsWith('(')) owner = area(frame);
    }
    attributed.set(owner, (attributed.get(owner) ?? 0) + dt);
    // Inclusive time: once per function on the stack of this sample.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (frame === undefined) break;
      const k = label(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const pct = (x: number): string => `${((100 * x) / total).toFixed(1)}%`;
  const rows = (m: Map<string, number>, filter: (k: string) => boolean = () => true): string[] =>
    [...m.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([k, v]) => `| ${pct(v)} | \`${k}\` |`);
  return [
    `Busy CPU in the measured window: ${(total / 1e6).toFixed(2)} s (idle excluded). Percentages are of that.`,
    '',
    '### By area (self time)',
    '',
    '| self | area |',
    '|---:|---|',
    ...rows(areas),
    '',
    '### By area, node core and native time charged to the nearest package up the stack',
    '',
    '| self | area |',
    '|---:|---|',
    ...rows(attributed),
    '',
    '### Top functions (self time)',
    '',
    '| self | file:line function |',
    '|---:|---|',
    ...rows(self),
    '',
    '### Our packages (inclusive time)',
    '',
    '| incl. | file:line function |',
    '|---:|---|',
    ...rows(inclusive, (k) => k.startsWith('packages/')),
  ].join('\n');
}

async function main(): Promise<void> {
  if (name === '--analyse') {
    // Re-read a profile written earlier: `profile.ts --analyse <file.cpuprofile>` (window from its sidecar).
    const file = process.argv[3] ?? '';
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const windowFile = `${file}.window.json`;
    const w = existsSync(windowFile)
      ? (JSON.parse(readFileSync(windowFile, 'utf8')) as { from: number; to: number })
      : { from: profile.startTime, to: profile.endTime };
    process.stdout.write(`${analyse(profile, w.from, w.to)}\n`);
    return;
  }
  const variant = variantByName(name);
  if (variant === undefined) throw new Error(`unknown variant ${JSON.stringify(name)}`);
  mkdirSync(PROFILE_DIR, { recursive: true });
  const before = new Set(readdirSync(PROFILE_DIR));
  const keys = await makeKeys(tokenCounts([variant]));
  const server = await startServer(variant.name, keys.material, ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]);
  const tokens = new TokenRotation(keys.tokens[variant.token], variant.tokens ?? USERS);
  await load(server.port, tokens, WARMUP_SEC);
  const from = micros();
  const r = await load(server.port, tokens, DURATION_SEC);
  const to = micros();
  await stopServer(server);
  const file = readdirSync(PROFILE_DIR)
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (1 is tsx's loader thread).
    .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f) && !before.has(f))
    .map((f) => join(PROFILE_DIR, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (file === undefined) throw new Error('no .cpuprofile was written');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  writeFileSync(`${file}.window.json`, JSON.stringify({ from, to }));
  process.stdout.write(
    `Profile of (${variant.id}) ${variant.name}: ${r.rps.toFixed(0)} req/s over ${DURATION_SEC} s after ${WARMUP_SEC} s warm-up; ${relative(ROOT, file)}\n\n${analyse(profile, from, to)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
