// createTestIssuer(): a loopback token issuer with a JWKS endpoint, outage modes and a callback listener that counts hits.
import { createHmac, createPublicKey, createSign, KeyObject, sign as cryptoSign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { PKG, checkOptions, optionError, type OptionKeys } from './options.js';

/** Asymmetric algorithms the issuer can sign with. */
export type IssuerAlgorithm = 'ES256' | 'ES384' | 'RS256' | 'PS256';
/** What the JWKS endpoint does: serve keys, or fail in one of five ways. */
export type IssuerMode = 'ok' | 'slow' | '500' | 'html' | 'redirect' | 'huge';

/** Options of {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /** The `iss` of signed tokens. */
  readonly issuer: string;
  /** The `aud` of signed tokens. */
  readonly audience: string;
  /** Algorithms with a published key each; the first signs by default. @default ["ES256"] */
  readonly algorithms?: readonly IssuerAlgorithm[] | undefined;
  /** How long the JWKS endpoint waits in mode `slow`, in milliseconds. @default 6000 */
  readonly slowMs?: number | undefined;
}

const ISSUER_KEYS: OptionKeys<TestIssuerOptions> = { issuer: true, audience: true, algorithms: true, slowMs: true };
const ALGS: readonly IssuerAlgorithm[] = ['ES256', 'ES384', 'RS256', 'PS256'];

/** Options of {@link TestIssuer.sign}. */
export interface SignOptions {
  /** @default the issuer's first algorithm */
  readonly alg?: IssuerAlgorithm | undefined;
  /** Extra protected-header members (override typ, kid, …). */
  readonly header?: Readonly<Record<string, unknown>> | undefined;
  /** Token lifetime in seconds (ignored when claims carry exp). @default 300 */
  readonly expiresInSec?: number | undefined;
  /** Which private key signs: the published one, one never published (rotation/outage) or an unrelated one. @default "published" */
  readonly key?: 'published' | 'unpublished' | 'foreign' | undefined;
}

/** One public key's encodings, for algorithm-confusion tests. */
export interface PublicKeyForms {
  readonly alg: IssuerAlgorithm;
  readonly kid: string;
  readonly spkiPem: string;
  /** Only for RSA keys. */
  readonly pkcs1Pem?: string | undefined;
  readonly jwkJson: string;
  readonly jwk: JWK;
}

/** A recorded request to the callback listener. */
export interface CallbackHit {
  readonly method: string;
  readonly path: string;
}

/** The running issuer. */
export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly IssuerAlgorithm[];
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  readonly jwksUri: string;
  /** Base URL of the callback listener (`jku`/`x5u` targets); any request to it is recorded. */
  readonly callbackUrl: string;
  /** Signs `claims` over the defaults `iss`, `aud`, `iat`, `exp` (a claim set to undefined is left out). */
  sign(claims?: Readonly<Record<string, unknown>>, options?: SignOptions): Promise<string>;
  /** Signs exact header and payload JSON text (for malformed and duplicate-member tokens). */
  signCompact(headerJson: string, payloadJson: string, options?: Omit<SignOptions, 'header' | 'expiresInSec'>): string;
  /** Public JWKs of the unrelated ("attacker") keys that `key: "foreign"` signs with (same kids as the published ones). */
  foreignJwks(): readonly JWK[];
  /** Public key encodings of every published key. */
  publicKeyForms(): readonly PublicKeyForms[];
  setMode(mode: IssuerMode): void;
  /** Requests the callback listener received (must stay empty in jku/x5u tests). */
  callbackHits(): readonly CallbackHit[];
  /** Requests the JWKS endpoint received. */
  jwksHits(): number;
  close(): Promise<void>;
}

interface KeyPairEntry {
  readonly alg: IssuerAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JWK;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function signingInput(alg: IssuerAlgorithm, input: string, key: KeyObject): Buffer {
  switch (alg) {
    case 'ES256':
    case 'ES384':
      return cryptoSign(alg === 'ES256' ? 'sha256' : 'sha384', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    case 'RS256':
      return createSign('sha256').update(input).sign(key);
    case 'PS256':
      return cryptoSign('sha256', Buffer.from(input), { key, padding: 6, saltLength: 32 });
  }
}

/** HS256 over `header.payload` with `secret` (for confusion and published-secret tokens). */
export function hs256(headerJson: string, payloadJson: string, secret: string | Buffer): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function makePair(alg: IssuerAlgorithm, kid: string): Promise<KeyPairEntry> {
  const pair = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const privateKey = KeyObject.from(pair.privateKey);
  const publicKey = createPublicKey(privateKey);
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

/** Starts a loopback issuer. Options are checked here: a bad one throws a TypeError naming it. */
export async function createTestIssuer(options: TestIssuerOptions): Promise<TestIssuer> {
  const opts = checkOptions<TestIssuerOptions>(PKG, options, ISSUER_KEYS);
  const { issuer, audience } = opts;
  if (typeof issuer !== 'string' || issuer === '')
    throw optionError(PKG, 'issuer', 'must be a non-empty string', 'pass the iss your app expects', issuer);
  if (typeof audience !== 'string' || audience === '')
    throw optionError(PKG, 'audience', 'must be a non-empty string', 'pass the aud your app expects', audience);
  const algorithms = opts.algorithms ?? ['ES256'];
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((a): a is IssuerAlgorithm => ALGS.includes(a as IssuerAlgorithm))
  )
    throw optionError(
      PKG,
      'algorithms',
      `must be a non-empty array of ${ALGS.join(', ')}`,
      'e.g. ["ES256"]',
      algorithms,
    );
  const slowMs = opts.slowMs ?? 6000;
  if (typeof slowMs !== 'number' || !Number.isInteger(slowMs) || slowMs < 1 || slowMs > 120_000)
    throw optionError(PKG, 'slowMs', 'must be an integer from 1 to 120000 milliseconds', 'e.g. 6000', slowMs);
  const algs = [...new Set(algorithms)];

  const published = await Promise.all(algs.map((alg, i) => makePair(alg, `kit-${alg.toLowerCase()}-${i}`)));
  const unpublished = await Promise.all(algs.map((alg) => makePair(alg, `kit-${alg.toLowerCase()}-next`)));
  const foreign = await Promise.all(algs.map((alg, i) => makePair(alg, `kit-${alg.toLowerCase()}-${i}`)));
  const jwksBody = JSON.stringify({ keys: published.map((k) => k.jwk) });
  const foreignBody = JSON.stringify({ keys: foreign.map((k) => k.jwk) });

  let mode: IssuerMode = 'ok';
  let jwksCount = 0;
  const hits: CallbackHit[] = [];
  const pending = new Set<NodeJS.Timeout>();

  const callback = createServer(function callbackListener(req: IncomingMessage, res: ServerResponse) {
    hits.push({ method: req.method ?? '', path: req.url ?? '' });
    // Serves the attacker's keys: an app that follows jku/x5u would trust them.
    res.writeHead(200, { 'content-type': 'application/json' }).end(foreignBody);
  });
  const callbackPort = await listen(callback);
  const callbackUrl = `http://127.0.0.1:${callbackPort}`;

  const jwksServer = createServer(function jwksEndpoint(req: IncomingMessage, res: ServerResponse) {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    jwksCount += 1;
    switch (mode) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody);
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          pending.delete(timer);
          res.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody);
        }, slowMs);
        timer.unref();
        pending.add(timer);
        return;
      }
      case '500':
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>maintenance</body></html>');
        return;
      case 'redirect':
        res.writeHead(302, { location: `${callbackUrl}/.well-known/jwks.json` }).end();
        return;
      case 'huge':
        // 4 MiB of padding inside otherwise valid JSON: a client must cap what it reads.
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(`{"keys":${JSON.stringify(published.map((k) => k.jwk))},"pad":"${'a'.repeat(4 * 1024 * 1024)}"}`);
        return;
    }
  });
  const jwksPort = await listen(jwksServer);

  const pick = (alg: IssuerAlgorithm | undefined, key: SignOptions['key']): KeyPairEntry => {
    const a = alg ?? algs[0] ?? 'ES256';
    const set = key === 'unpublished' ? unpublished : key === 'foreign' ? foreign : published;
    const found = set.find((k) => k.alg === a);
    if (found === undefined)
      throw optionError(PKG, 'alg', 'is not one of the issuer algorithms', `use one of ${algs.join(', ')}`, a);
    return found;
  };

  function signCompact(
    headerJson: string,
    payloadJson: string,
    signOptions: Omit<SignOptions, 'header' | 'expiresInSec'> = {},
  ): string {
    const entry = pick(signOptions.alg, signOptions.key);
    const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
    return `${input}.${b64url(signingInput(entry.alg, input, entry.privateKey))}`;
  }

  return {
    issuer,
    audience,
    algorithms: algs,
    jwksUri: `http://127.0.0.1:${jwksPort}/.well-known/jwks.json`,
    callbackUrl,
    sign(claims = {}, signOptions = {}) {
      let entry: KeyPairEntry;
      try {
        entry = pick(signOptions.alg, signOptions.key);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error('cannot sign'));
      }
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: audience,
        iat: now,
        exp: now + (signOptions.expiresInSec ?? 300),
        ...claims,
      };
      const defined = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
      const header = { alg: entry.alg, typ: 'at+jwt', kid: entry.kid, ...signOptions.header };
      return Promise.resolve(signCompact(JSON.stringify(header), JSON.stringify(defined), signOptions));
    },
    signCompact,
    foreignJwks: () => foreign.map((k) => k.jwk),
    publicKeyForms: () =>
      published.map((k) => ({
        alg: k.alg,
        kid: k.kid,
        spkiPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        pkcs1Pem:
          k.alg.startsWith('RS') || k.alg.startsWith('PS')
            ? k.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()
            : undefined,
        jwkJson: JSON.stringify(k.jwk),
        jwk: k.jwk,
      })),
    setMode(next) {
      if (!['ok', 'slow', '500', 'html', 'redirect', 'huge'].includes(next))
        throw optionError(PKG, 'mode', 'is not a known issuer mode', 'use ok, slow, 500, html, redirect or huge', next);
      mode = next;
    },
    callbackHits: () => [...hits],
    jwksHits: () => jwksCount,
    async close() {
      for (const t of pending) clearTimeout(t);
      pending.clear();
      await Promise.all([stop(jwksServer), stop(callback)]);
    },
  };
}
