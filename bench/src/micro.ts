// `npm run bench:micro`: per-call costs, each next to the plain library call it wraps, interleaved in
// short slices over several rounds (ratios within each round, medians over rounds), about 40 s.
// Flags / env: --quick or BENCH_QUICK=1 (3 rounds of 150 ms slices); BENCH_ROUNDS, BENCH_SLICE_MS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { importJWK, jwtVerify, type CryptoKey, type JWTVerifyOptions } from 'jose';
import { pino } from 'pino';
import { jwtAuth } from '@portcullis/auth';
import { createOriginMatcher } from '@portcullis/cors';
import { DEFAULT_REDACT_PATHS, createLogger } from '@portcullis/logging';
import { resolveSafePath } from '@portcullis/paths';
import { AUDIENCE, ISSUER, ORIGIN, discard, makeKeys, median } from './shared.js';

const quick =
  process.argv.includes('--quick') || process.env['BENCH_QUICK'] === '1' || process.env['npm_config_quick'] === 'true';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? (quick ? 3 : 7));
const SLICE_MS = Number(process.env['BENCH_SLICE_MS'] ?? (quick ? 150 : 350));

type Op = () => unknown;

interface Subject {
  readonly name: string;
  readonly op: Op;
  /** The op returns a promise: await each call. */
  readonly async: boolean;
}

interface Group {
  readonly title: string;
  /** The first subject is the reference the others are compared with. */
  readonly subjects: readonly Subject[];
}

interface Rate {
  /** Calls per wall-clock second. */
  wall: number;
  /** Calls per second of this process's CPU time (robust when other processes share the cores). */
  cpu: number;
}

async function slice(s: Subject, ms: number): Promise<Rate> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const end = start + ms;
  let n = 0;
  while (performance.now() < end) {
    if (s.async) {
      for (let i = 0; i < 32; i++) await s.op();
    } else {
      for (let i = 0; i < 256; i++) s.op();
    }
    n += s.async ? 32 : 256;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: n / ((performance.now() - start) / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const sync = (name: string, op: Op): Subject => ({ name, op, async: false });
const async = (name: string, op: () => Promise<unknown>): Subject => ({ name, op, async: true });

/** Calls a jwtAuth middleware with a minimal request, as Express would, and settles when it calls next(). */
function viaMiddleware(mw: ReturnType<typeof jwtAuth>, token: string): () => Promise<void> {
  const authorization = `Bearer ${token}`;
  const req = {
    headers: { authorization, host: 'bench' },
    rawHeaders: ['Host', 'bench', 'Authorization', authorization],
    url: '/cases/123',
    method: 'GET',
  } as unknown as IncomingMessage;
  const res = {} as ServerResponse;
  return () =>
    new Promise<void>((resolve, reject) => {
      mw(req, res, (err?: unknown) => {
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error('jwtAuth rejected the token'));
      });
    });
}

async function groups(): Promise<{ list: Group[]; cleanup: () => void }> {
  const keys = await makeKeys({ es256: 1, hs256: 1 });
  const esToken = keys.tokens.es256[0] ?? '';
  const hsToken = keys.tokens.hs256[0] ?? '';
  const verifyOptions = (alg: string): JWTVerifyOptions => ({
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: 5,
  });
  const esKey = (await importJWK(keys.material.jwk, 'ES256')) as CryptoKey;
  // Pre-imported keys: what a careful direct integration would hold (jose re-imports raw secrets per call).
  const hsKey = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(keys.material.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  // express-oauth2-jwt-bearer bundles jose 4, whose Node build verifies with node:crypto: shown for context.
  const jose4 = createRequire(createRequire(import.meta.url).resolve('express-oauth2-jwt-bearer'))('jose') as {
    jwtVerify: (jwt: string, key: unknown, options: object) => Promise<unknown>;
  };
  const esKeyObject = createPublicKey({ key: keys.material.jwk as import('node:crypto').JsonWebKey, format: 'jwk' });

  const es = jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: { keys: [keys.material.jwk] },
  });
  const esPublic = jwtAuth({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], publicKey: esKeyObject });
  await esPublic.ready();
  const hs = jwtAuth({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], secret: keys.material.secret });
  const esCached = jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: { keys: [keys.material.jwk] },
    verifiedTokenCache: { maxEntries: 10_000 },
  });
  await esCached.ready();
  await es.ready();
  await hs.ready();

  const line = {
    event: 'case.viewed',
    caseId: '123',
    user: { id: 'user-1', password: 'hunter2' },
    headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', accept: 'application/json' },
    query: 'page=2&access_token=abc',
  };
  const ours = createLogger({ destination: discard, base: null });
  const plain = pino({ redact: [...DEFAULT_REDACT_PATHS], base: null }, discard);

  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  writeFileSync(join(dir, 'report.csv'), 'id\n1\n');

  const allowed = [ORIGIN, 'https://admin.example.com', 'https://partner.example.org'];
  const match = createOriginMatcher(allowed);
  const evil = 'https://app.example.com.evil.example';

  const list: Group[] = [
    {
      title: 'JWT ES256 verification',
      subjects: [
        async('jose.jwtVerify direct', () => jwtVerify(esToken, esKey, verifyOptions('ES256'))),
        async('jwtAuth middleware, local key set (jwks) — as in (b)', viaMiddleware(es, esToken)),
        async('jwtAuth middleware, publicKey', viaMiddleware(esPublic, esToken)),
        async('jwtAuth middleware, jwks + verifiedTokenCache hit — as in (b2)', viaMiddleware(esCached, esToken)),
        async('(context) jose 4 jwtVerify, node:crypto — the peer stack', () =>
          jose4.jwtVerify(esToken, esKeyObject, verifyOptions('ES256')),
        ),
      ],
    },
    {
      title: 'JWT HS256 verification',
      subjects: [
        async('jose.jwtVerify direct', () => jwtVerify(hsToken, hsKey, verifyOptions('HS256'))),
        async('jwtAuth middleware', viaMiddleware(hs, hsToken)),
      ],
    },
    {
      title: 'One log line with secrets (to a discarding stream)',
      subjects: [
        sync('pino with redact (DEFAULT_REDACT_PATHS) only', () => {
          plain.info(line, 'case viewed with Bearer abc.def.ghi');
        }),
        sync('createLogger (redact + key scrubber + text scrubber)', () => {
          ours.info(line, 'case viewed with Bearer abc.def.ghi');
        }),
      ],
    },
    {
      title: 'Resolving a user-named file',
      subjects: [
        async('fs.realpath(join(base, name)) — no checks', () => realpath(join(dir, 'report.csv'))),
        async('resolveSafePath(base, "report.csv")', () => resolveSafePath(dir, 'report.csv')),
        async('resolveSafePath(base, "../../etc/passwd") → rejected', () =>
          resolveSafePath(dir, '../../etc/passwd').catch(() => undefined),
        ),
      ],
    },
    {
      title: 'Origin matching (3 allowed origins)',
      subjects: [
        sync('Array.includes — exact string only', () => allowed.includes(ORIGIN) && !allowed.includes(evil)),
        sync('createOriginMatcher: allowed + rejected', () => match(ORIGIN) !== null && match(evil) === null),
      ],
    },
  ];
  return {
    list,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { list, cleanup } = await groups();
  try {
    // Warm-up: every op once for correctness, then a short slice for the JIT.
    for (const g of list) for (const s of g.subjects) await slice(s, 100);
    const rates = new Map<Subject, Rate[]>();
    const ratios = new Map<Subject, { wall: number[]; cpu: number[] }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const g of list) {
        // Alternate the order within a group so drift and GC hit every subject alike.
        const order = round % 2 === 0 ? g.subjects : [...g.subjects].reverse();
        const got = new Map<Subject, Rate>();
        for (const s of order) got.set(s, await slice(s, SLICE_MS));
        const ref = got.get(g.subjects[0] as Subject) as Rate;
        for (const s of g.subjects) {
          const r = got.get(s) as Rate;
          rates.set(s, [...(rates.get(s) ?? []), r]);
          const q = ratios.get(s) ?? { wall: [], cpu: [] };
          q.wall.push(r.wall / ref.wall);
          q.cpu.push(r.cpu / ref.cpu);
          ratios.set(s, q);
        }
      }
    }
    const out: string[] = [
      `Node ${process.version}; ${ROUNDS} interleaved rounds of ${SLICE_MS} ms per subject; medians over rounds; ratios vs the first line of each group, within each round.`,
      '',
    ];
    for (const g of list) {
      out.push(
        `### ${g.title}`,
        '',
        '| subject | ops/s (wall) | ops per CPU-s | ratio (wall) | ratio (CPU) |',
        '|---|---:|---:|---:|---:|',
      );
      for (const s of g.subjects) {
        const r = rates.get(s) ?? [];
        const q = ratios.get(s) ?? { wall: [], cpu: [] };
        out.push(
          `| ${s.name} | ${Math.round(median(r.map((x) => x.wall))).toLocaleString('en-US')} | ${Math.round(median(r.map((x) => x.cpu))).toLocaleString('en-US')} | ${median(q.wall).toFixed(2)}× | ${median(q.cpu).toFixed(2)}× |`,
        );
      }
      out.push('');
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`micro failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
