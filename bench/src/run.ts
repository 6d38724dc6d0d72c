// `npm run bench`: every variant in its own child process on a loopback port, loaded with autocannon
// from this process, interleaved A B C … and repeated; ratios are computed within each round, then
// the median over rounds is reported. Writes bench/RESULTS.md (full runs only).
//
// Flags / env: --quick or BENCH_QUICK=1 (1 round, 1 s + 3 s: about a minute); --only=a,b,c (variant
// ids or names); --write / --no-write; BENCH_ROUNDS, BENCH_WARMUP_SEC, BENCH_DURATION_SEC.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuOf, load, startServer, stopServer, type RunningServer } from './harness.js';
import {
  CACHE_MAX_ENTRIES,
  E_ROUNDS,
  MISS_TOKENS,
  TokenRotation,
  USERS,
  VARIANTS,
  makeKeys,
  median,
  tokenCounts,
  type Variant,
} from './shared.js';

const args = process.argv.slice(2);
const env = process.env;
// `npm run bench -- --quick` at the root reaches us as npm config (npm_config_quick), not as an argument.
const quick = args.includes('--quick') || env['BENCH_QUICK'] === '1' || env['npm_config_quick'] === 'true';

function positive(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got ${JSON.stringify(raw)})`);
  return n;
}

const ROUNDS = Math.floor(positive('BENCH_ROUNDS', quick ? 1 : 3));
const WARMUP_SEC = positive('BENCH_WARMUP_SEC', quick ? 1 : 2);
const DURATION_SEC = positive('BENCH_DURATION_SEC', quick ? 3 : 8);
const CONNECTIONS = 10;
const WRITE = args.includes('--write') || (!quick && !args.includes('--no-write'));
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const selected: readonly Variant[] =
  onlyArg === undefined ? VARIANTS : VARIANTS.filter((v) => onlyArg.split(',').some((x) => x === v.id || x === v.name));
if (selected.length === 0)
  throw new Error(`--only=${onlyArg ?? ''} selects no variant (ids: ${VARIANTS.map((v) => v.id).join(', ')})`);

const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
const MANUAL_START = '<!-- profile:start -->';
const MANUAL_END = '<!-- profile:end -->';

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time per request, µs. */
  cpu: number;
}

const servers: RunningServer[] = [];
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function stopAll(): Promise<void> {
  await Promise.all(servers.map((s) => stopServer(s, 3_000)));
}

// Every load is bounded by autocannon's duration; this bounds the whole run as well.
const loads = selected.reduce((n, v) => n + Math.min(ROUNDS, v.maxRounds ?? ROUNDS), 0);
const budgetSec = 180 + loads * (WARMUP_SEC + DURATION_SEC + 3) * 1.5;
const watchdog = setTimeout(() => {
  log(`bench: over the time budget (${Math.round(budgetSec)} s); stopping`);
  for (const s of servers) s.child.kill('SIGKILL');
  process.exit(2);
}, budgetSec * 1000);
watchdog.unref();

async function main(): Promise<void> {
  const started = new Date();
  const keys = await makeKeys(tokenCounts(selected));
  const rotations = new Map(selected.map((v) => [v.id, new TokenRotation(keys.tokens[v.token], v.tokens ?? USERS)]));
  log(
    `Portcullis bench: ${selected.length} variants, ${loads} loads (${ROUNDS} rounds; (b3) and (e) variants ${Math.min(ROUNDS, E_ROUNDS)}), ${CONNECTIONS} connections, ${WARMUP_SEC} s warm-up + ${DURATION_SEC} s measured`,
  );

  // Start every child first (two at a time: tsx compiles the sources in each), then load one at a time.
  const byName = new Map<string, RunningServer>();
  for (let i = 0; i < selected.length; i += 2) {
    const batch = selected.slice(i, i + 2);
    const up = await Promise.all(batch.map((v) => startServer(v.name, keys.material)));
    for (const s of up) {
      servers.push(s);
      byName.set(s.name, s);
      log(`  started ${s.name} on 127.0.0.1:${s.port} (pid ${String(s.child.pid)})`);
    }
  }

  const samples = new Map<string, Sample[]>(selected.map((v) => [v.id, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of selected) {
      if (round > (v.maxRounds ?? ROUNDS)) continue;
      const server = byName.get(v.name);
      if (server === undefined) throw new Error(`no server for ${v.name}`);
      const tokens = rotations.get(v.id);
      if (tokens === undefined) throw new Error(`no tokens for ${v.name}`);
      await load(server.port, tokens, WARMUP_SEC, CONNECTIONS);
      const cpu0 = await cpuOf(server);
      const r = await load(server.port, tokens, DURATION_SEC, CONNECTIONS);
      const cpu1 = await cpuOf(server);
      if (r.failures > 0 || r.total === 0)
        throw new Error(`${v.name}: ${r.failures} failed responses of ${r.total}: the variant is broken`);
      const s: Sample = { rps: r.rps, p50: r.p50, p99: r.p99, cpu: (cpu1 - cpu0) / r.total };
      samples.get(v.id)?.push(s);
      log(
        `  round ${round}/${ROUNDS} (${v.id}) ${v.name.padEnd(17)} ${fmt(s.rps, 0).padStart(6)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms  ${fmt(s.cpu, 0)} µs CPU/req`,
      );
    }
  }
  await stopAll();
  const report = render(started, samples);
  log(`\n${report.table}\n\n${report.goal}`);
  if (WRITE) {
    writeFileSync(RESULTS_FILE, resultsMarkdown(started, report));
    log(`\nwrote ${RESULTS_FILE}`);
  }
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/** Ratio of `id`'s req/s to `ref`'s in each round, then the median over rounds. */
function ratio(
  samples: Map<string, Sample[]>,
  id: string,
  ref: string,
  key: 'rps' | 'cpu' = 'rps',
): { median: number; rounds: number[] } {
  const a = samples.get(id) ?? [];
  const b = samples.get(ref) ?? [];
  const rounds: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as Sample;
    const y = b[i] as Sample;
    // For CPU, a cost: the ratio is ref cost / own cost, so > 1 means cheaper, like req/s.
    rounds.push(key === 'rps' ? x.rps / y.rps : y.cpu / x.cpu);
  }
  return { median: median(rounds), rounds };
}

interface Report {
  table: string;
  rounds: string;
  goal: string;
  met: boolean | undefined;
}

function render(_started: Date, samples: Map<string, Sample[]>): Report {
  const lines = [
    '| variant | what | req/s | p50 ms | p99 ms | server CPU µs/req | CPU µs/req over (a) | × (a) bare | × (c) peer ES256 | × (d1) peer HS256 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const bareCpu = median((samples.get('a') ?? []).map((x) => x.cpu));
  for (const v of selected) {
    const s = samples.get(v.id) ?? [];
    const cpu = median(s.map((x) => x.cpu));
    lines.push(
      `| (${v.id}) ${v.name} | ${v.label} | ${fmt(median(s.map((x) => x.rps)), 0)} | ${fmt(median(s.map((x) => x.p50)), 1)} | ${fmt(median(s.map((x) => x.p99)), 1)} | ${fmt(cpu, 0)} | ${v.id === 'a' ? '–' : `${cpu - bareCpu >= 0 ? '+' : ''}${fmt(cpu - bareCpu, 0)}`} | ${fmt(ratio(samples, v.id, 'a').median, 2)} | ${fmt(ratio(samples, v.id, 'c').median, 2)} | ${fmt(ratio(samples, v.id, 'd1').median, 2)} |`,
    );
  }
  const roundLines = [
    `| variant | ${Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1} req/s`).join(' | ')} |`,
    `|---|${'---:|'.repeat(ROUNDS)}`,
  ];
  for (const v of selected) {
    const got = (samples.get(v.id) ?? []).map((x) => fmt(x.rps, 0));
    while (got.length < ROUNDS) got.push('–');
    roundLines.push(`| (${v.id}) ${v.name} | ${got.join(' | ')} |`);
  }

  const bc = ratio(samples, 'b', 'c');
  const ba = ratio(samples, 'b', 'a');
  const bcCpu = ratio(samples, 'b', 'c', 'cpu');
  const baCpu = ratio(samples, 'b', 'a', 'cpu');
  const d = ratio(samples, 'd2', 'd1');
  const b2c = ratio(samples, 'b2', 'c');
  const b2a = ratio(samples, 'b2', 'a');
  const b2cCpu = ratio(samples, 'b2', 'c', 'cpu');
  const b2aCpu = ratio(samples, 'b2', 'a', 'cpu');
  const d3 = ratio(samples, 'd3', 'd1');
  const b3b = ratio(samples, 'b3', 'b');
  const b3c = ratio(samples, 'b3', 'c');
  let goal: string;
  let met: boolean | undefined;
  if (Number.isFinite(bc.median) && Number.isFinite(ba.median)) {
    const okPeer = bc.median >= 1.25;
    const okBare = ba.median >= 0.5;
    met = okPeer && okBare;
    const per = (r: number[]): string => r.map((x) => x.toFixed(2)).join(', ');
    const cacheLines: string[] = [];
    if (Number.isFinite(b2c.median) && Number.isFinite(b2a.median)) {
      const okPeer2 = b2c.median >= 1.25;
      const okBare2 = b2a.median >= 0.5;
      cacheLines.push(
        '',
        `**(b2): the same stack with the opt-in \`verifiedTokenCache: { maxEntries: ${String(CACHE_MAX_ENTRIES)} }\`** (off by default). A token`,
        'that passed full verification is remembered under its SHA-256 for at most min(exp, 60 s); on a hit only',
        'the signature check is skipped — every claim and time check and the revocation hook still run. The',
        `load is the same as for every variant: ${String(USERS)} users, each request carrying the next user's token, so after`,
        'the first pass (in the warm-up) requests are hits, as for an API whose clients reuse their token for',
        'more than one request a minute.',
        '',
        `- (b2) / (c) = **${b2c.median.toFixed(2)}×** (rounds: ${per(b2c.rounds)}) — ${okPeer2 ? 'met' : 'NOT met'}`,
        `- (b2) / (a) = **${b2a.median.toFixed(2)}×** (rounds: ${per(b2a.rounds)}) — ${okBare2 ? 'met' : 'NOT met'}`,
        `- In server CPU time per request: (b2) vs (c) ${fmt(b2cCpu.median, 2)}×, (b2) vs (a) ${fmt(b2aCpu.median, 2)}×.`,
        ...(Number.isFinite(d3.median)
          ? [`- HS256 with the cache: (d3) / (d1) peer = ${d3.median.toFixed(2)}× (rounds: ${per(d3.rounds)}).`]
          : []),
        ...(Number.isFinite(b3b.median)
          ? [
              `- Worst case, (b3): ${String(MISS_TOKENS)} tokens in rotation through a ${String(CACHE_MAX_ENTRIES)}-entry cache, so every request misses`,
              `  (hash + lookup + insert, then the full verification): (b3) / (b) = ${b3b.median.toFixed(2)}× (rounds: ${per(b3b.rounds)}), (b3) / (c) = ${fmt(b3c.median, 2)}×.`,
            ]
          : []),
        '',
        okPeer2 && okBare2
          ? '**Goal met with the opt-in cache, not with the defaults.**'
          : '**Goal not met even with the opt-in cache.**',
      );
    }
    goal = [
      `Goal: (b) ≥ 1.25× (c) and ≥ 0.50× (a), in requests/s.`,
      '',
      '**(b): Portcullis with its defaults (every request verifies the signature).**',
      '',
      `- (b) / (c) = **${bc.median.toFixed(2)}×** (rounds: ${per(bc.rounds)}) — ${okPeer ? 'met' : 'NOT met'}`,
      `- (b) / (a) = **${ba.median.toFixed(2)}×** (rounds: ${per(ba.rounds)}) — ${okBare ? 'met' : 'NOT met'}`,
      `- The same ratios in server CPU time per request (less sensitive to other load on the machine): (b) vs (c) ${fmt(bcCpu.median, 2)}×, (b) vs (a) ${fmt(baCpu.median, 2)}×.`,
      ...(Number.isFinite(d.median)
        ? [`- HS256: (d2) Portcullis / (d1) peer = ${d.median.toFixed(2)}× (rounds: ${per(d.rounds)}).`]
        : []),
      '',
      met
        ? '**Goal met with the defaults.**'
        : '**Goal not met with the defaults.** The profile of (b) and its hot spots are under "Profile notes" below.',
      ...cacheLines,
    ].join('\n');
  } else {
    goal = 'Goal: (b) ≥ 1.25× (c) and ≥ 0.50× (a) — not evaluated (run with variants a, b and c).';
  }
  return { table: lines.join('\n'), rounds: roundLines.join('\n'), goal, met };
}

function resultsMarkdown(started: Date, report: Report): string {
  const cpuList = cpus();
  let manual = `${MANUAL_START}\n${MANUAL_END}`;
  if (existsSync(RESULTS_FILE)) {
    const old = readFileSync(RESULTS_FILE, 'utf8');
    const a = old.indexOf(MANUAL_START);
    const b = old.indexOf(MANUAL_END);
    if (a >= 0 && b > a) manual = old.slice(a, b + MANUAL_END.length);
  }
  return `# Benchmark results

Generated by \`npm run bench\` (bench/src/run.ts) — do not edit the generated parts by hand; the
profile notes between the markers are kept when the file is regenerated.

## Machine

- Date: ${started.toISOString()}
- CPUs: ${cpuList.length} × ${cpuList[0]?.model.trim() ?? 'unknown'}; memory ${Math.round(totalmem() / 2 ** 30)} GiB
- Node ${process.version} (${process.platform}/${process.arch}); Express 5; autocannon 9
- Shared machine: other engineers were running test suites at the same time, so absolute numbers
  are noisy; the same-round ratios are what to read.

## Method

- Route: \`GET /cases/123\` returning \`{"id":"123","tenantId":"t1","title":"Bench case","status":"open"}\`,
  with a valid RFC 9068 access token (\`typ: at+jwt\`, ES256 or HS256) and \`Origin: https://app.example.com\`
  (an allowed origin) on every request, whatever the variant verifies.
- Tokens: ${String(USERS)} users with one token each (they differ in \`sub\` and \`jti\`); request n of a variant
  carries user n mod ${String(USERS)}'s token, one counter for all connections, kept across warm-up, measured run
  and rounds. (b3) rotates ${String(MISS_TOKENS)} tokens instead (see the table).
- Each variant runs in its own child process (tsx, Express 5, \`NODE_ENV=production\`) on
  127.0.0.1 with port 0; autocannon runs in the parent process: ${CONNECTIONS} connections, no pipelining,
  ${WARMUP_SEC} s warm-up (discarded) then ${DURATION_SEC} s measured.
- Variants are interleaved (a, b, b2, b3, c, d1, d2, d3, e1 … e6) and the sequence is repeated ${ROUNDS} times;
  (b3) and the (e) variants run in the first ${Math.min(ROUNDS, E_ROUNDS)} rounds only (to keep the whole run near 6 minutes).
  Ratios are computed within each round, then the median over rounds is reported; req/s, p50 and p99
  are medians over rounds too. Server CPU µs/req = the child's user + system CPU time during the
  measured run / completed requests.
- Every response must be 2xx (a single failure aborts the run). Rate limits are set to 10⁹ per
  minute: the limiters do all their bookkeeping but never answer 429.
- Both stacks log one line per request through pino to the same discarding stream.

| variant | stack |
|---|---|
| (a) bare | \`express()\` + \`express.json()\` + the route |
| (b) portcullis | \`secureBaseline({ config, auth: { jwks }, logger })\`: requestLogger → securityHeaders("api") → strictCors → apiLimiter (memory) → jsonBody → requireJson → jwtAuth ES256 (local key set, RFC 9068 profile) → \`authorize(policy, 'VIEW', { principal: principalFromClaims(zod schema), load })\` → route → notFound → errorHandler |
| (c) peer | pino-http (redact authorization, cookie) → helmet() → cors({ origin: [allowed], credentials: true }) → express-rate-limit (memory, draft-8 headers) → express.json() → express-oauth2-jwt-bearer (ES256, \`strict: true\` = RFC 9068 checks, JWKS from a loopback HTTP server in the same child, cached) → route → hand-written error handler |
| (d1) peer-hs256 | (c) with express-jwt (HS256, issuer, audience; the secret as a KeyObject — given a string, jsonwebtoken 9 tries \`createPublicKey()\` on it per request) instead of express-oauth2-jwt-bearer |
| (b2) portcullis-cache | (b) plus the opt-in \`verifiedTokenCache: { maxEntries: ${String(CACHE_MAX_ENTRIES)} }\` in the jwtAuth options (a token seen in the last 60 s skips the signature check; every other check runs) |
| (b3) portcullis-cache-miss | (b2), loaded with ${String(MISS_TOKENS)} distinct tokens in rotation: the LRU never holds the next token, every request misses (the cache's worst case) |
| (d2) portcullis-hs256 | (b) with HS256 (JWT_SECRET) |
| (d3) portcullis-hs256-cache | (d2) plus \`verifiedTokenCache: { maxEntries: ${String(CACHE_MAX_ENTRIES)} }\` |
| (e1–e6) | one Portcullis middleware on (a), plus errorHandler (idle on success) |

## Results (median of ${ROUNDS} rounds; (b3) and (e): of ${Math.min(ROUNDS, E_ROUNDS)})

${report.table}

Requests/s of each round:

${report.rounds}

## Goal

${report.goal}

## Profile notes

${manual}
`;
}

main().catch(async (err: unknown) => {
  log(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
