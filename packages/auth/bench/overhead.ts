// jwtAuth() overhead vs calling jose.jwtVerify directly with the same preloaded key: ES256 and HS256 bearer, and
// ES256 through DPoP (token + one proof per request) against the same direct bearer call; interleaved, ~45 s.
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  calculateJwkThumbprint,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTVerifyOptions,
} from 'jose';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 24);
const SLICE_MS = Number(process.env['BENCH_SLICE_MS'] ?? 300);

interface Subject {
  name: string;
  direct: () => Promise<unknown>;
  middleware: () => Promise<unknown>;
}

async function subject(alg: 'ES256' | 'HS256', dpop = false): Promise<Subject> {
  const now = Math.floor(Date.now() / 1000);
  const client = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const clientJwk = client.publicKey.export({ format: 'jwk' }) as JWK;
  const claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 3600,
    scope: 'cases:read cases:write',
    client_id: 'bench-client',
    jti: randomUUID(),
    ...(dpop ? { cnf: { jkt: await calculateJwkThumbprint(clientJwk) } } : {}),
  };
  let signKey: Parameters<SignJWT['sign']>[0];
  let verifyKey: CryptoKey;
  let keyOption: Partial<JwtAuthOptions>;
  if (alg === 'ES256') {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    signKey = pair.privateKey;
    verifyKey = (await importJWK(pair.publicKey.export({ format: 'jwk' }) as JWK, 'ES256')) as CryptoKey;
    keyOption = { publicKey: pair.publicKey };
  } else {
    const secret = Buffer.from('bench-secret-bench-secret-bench-secret-!!');
    signKey = secret;
    verifyKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    keyOption = { secret };
  }
  const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt' }).sign(signKey);

  // The direct call checks what a careful hand-written integration would: alg, iss, aud, typ, required claims.
  const options: JWTVerifyOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: 5,
  };
  const direct = () => jwtVerify(token, verifyKey, options);

  // DPoP: one proof, reused, with a replay store that never says "seen": this measures the proof verification
  // (jose EmbeddedJWK signature check, claims, htu, ath, thumbprint), not a store round trip.
  const dpopOption = dpop
    ? { dpop: { mode: 'allowed', publicOrigin: 'https://bench', replay: { seen: () => Promise.resolve(false) } } }
    : {};
  const mw = jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [alg],
    ...keyOption,
    ...dpopOption,
  } as JwtAuthOptions);
  await mw.ready();
  const authorization = `${dpop ? 'DPoP' : 'Bearer'} ${token}`;
  const headers: Record<string, string> = { authorization, host: 'bench' };
  const rawHeaders = ['Host', 'bench', 'Authorization', authorization];
  if (dpop) {
    const proof = await new SignJWT({
      htm: 'GET',
      htu: 'https://bench/cases',
      ath: createHash('sha256').update(token).digest('base64url'),
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: clientJwk })
      .setIssuedAt()
      .sign(client.privateKey);
    headers['dpop'] = proof;
    rawHeaders.push('DPoP', proof);
  }
  const req = { headers, rawHeaders, method: 'GET', url: '/cases?page=1' } as unknown as IncomingMessage;
  const res = {} as ServerResponse;
  const middleware = () =>
    new Promise<void>((resolve, reject) => {
      mw(req, res, (err?: unknown) => {
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error('middleware failed'));
      });
    });
  await direct();
  await middleware();
  return { name: dpop ? `${alg} DPoP` : alg, direct, middleware };
}

interface Rate {
  /** Operations per wall-clock second. */
  wall: number;
  /** Operations per second of process CPU time (user + system, all threads): robust when other processes share the cores. */
  cpu: number;
}

async function slice(fn: () => Promise<unknown>, ms: number): Promise<Rate> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const end = start + ms;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: n / ((performance.now() - start) / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const subjects = [await subject('ES256'), await subject('HS256'), await subject('ES256', true)];
  for (const s of subjects) {
    await slice(s.direct, 300);
    await slice(s.middleware, 300);
  }
  const results = subjects.map((s) => ({ s, direct: [] as Rate[], middleware: [] as Rate[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of results) {
      // Alternate which side runs first so drift and GC hit both alike.
      let d: Rate;
      let m: Rate;
      if (round % 2 === 0) {
        d = await slice(r.s.direct, SLICE_MS);
        m = await slice(r.s.middleware, SLICE_MS);
      } else {
        m = await slice(r.s.middleware, SLICE_MS);
        d = await slice(r.s.direct, SLICE_MS);
      }
      r.direct.push(d);
      r.middleware.push(m);
    }
  }
  const lines = [
    '| alg | jose direct (ops/s wall) | jwtAuth (ops/s wall) | ratio wall (median of paired rounds) | jose direct (ops/CPU-s) | jwtAuth (ops/CPU-s) | ratio CPU (median of paired rounds) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    // Ratios are taken per round (the two sides ran back to back) and then the median: this cancels load drift.
    const ratio = (pick: (x: Rate) => number) =>
      median(r.middleware.map((m, i) => pick(m) / pick(r.direct[i] as Rate)));
    const dw = median(r.direct.map((x) => x.wall));
    const mw = median(r.middleware.map((x) => x.wall));
    const dc = median(r.direct.map((x) => x.cpu));
    const mc = median(r.middleware.map((x) => x.cpu));
    lines.push(
      `| ${r.s.name} | ${Math.round(dw)} | ${Math.round(mw)} | ${ratio((x) => x.wall).toFixed(2)}× | ${Math.round(dc)} | ${Math.round(mc)} | ${ratio((x) => x.cpu).toFixed(2)}× |`,
    );
  }
  process.stdout.write(
    `Node ${process.version}, ${ROUNDS} interleaved rounds of ${SLICE_MS} ms per side\n\n${lines.join('\n')}\n`,
  );
}

await main();
