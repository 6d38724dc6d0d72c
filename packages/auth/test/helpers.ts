// Test keys, token builders (jose and raw node:crypto for tokens jose refuses to build) and a loopback JWKS server.
import { createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWK, type JWTPayload } from 'jose';

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'https://api.example';
export const HMAC_SECRET = 'a-test-secret-that-is-at-least-32-bytes-long!!';

export interface TestKey {
  readonly alg: 'RS256' | 'ES256' | 'EdDSA';
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JWK;
}

function makeKey(alg: TestKey['alg'], kid: string): TestKey {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

/** Keys generated once per test file. */
export const keys = {
  rsa: makeKey('RS256', 'rsa-1'),
  ec: makeKey('ES256', 'ec-1'),
  ed: makeKey('EdDSA', 'ed-1'),
  /** Not in any key set: the attacker's own key. */
  attacker: makeKey('RS256', 'attacker'),
  rsa2: makeKey('RS256', 'rsa-2'),
};

export const now = (): number => Math.floor(Date.now() / 1000);

/** Valid RFC 9068 claims; pass `undefined` to drop one. */
export function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const merged: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now(),
    exp: now() + 600,
    scope: 'cases:read cases:write',
    client_id: 'client-1',
    jti: 'j1',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
}

/** A well-formed token signed with jose. */
export async function jwt(
  key: TestKey,
  payload: JWTPayload = claims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header })
    .sign(key.privateKey);
}

export async function hsJwt(
  payload: JWTPayload = claims(),
  header: Record<string, unknown> = {},
  secret: string = HMAC_SECRET,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header }).sign(Buffer.from(secret));
}

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/** Signs raw JSON text (for tokens jose will not build: exp 1e400, crit, b64:false...). */
export function rawToken(
  headerJson: string,
  payloadJson: string,
  signer: TestKey | { hmac: string | Buffer },
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): string {
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  let sig: Buffer;
  if ('hmac' in signer) sig = createHmac('sha256', signer.hmac).update(input).digest();
  else if (signer.alg === 'RS256') sig = cryptoSign('sha256', Buffer.from(input), signer.privateKey);
  else if (signer.alg === 'ES256')
    sig = cryptoSign('sha256', Buffer.from(input), { key: signer.privateKey, dsaEncoding });
  else sig = cryptoSign(null, Buffer.from(input), signer.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

export type JwksMode = 'ok' | 'down' | 'status500' | 'slow' | 'redirect' | 'huge' | 'not-json' | 'private';

/** A loopback JWKS endpoint whose behaviour a test can change. */
export interface JwksServer {
  readonly url: string;
  hits: number;
  mode: JwksMode;
  keys: JWK[];
  close(): Promise<void>;
}

export async function startJwksServer(initial: JWK[]): Promise<JwksServer> {
  const state = { hits: 0, mode: 'ok' as JwksMode, keys: initial };
  const server: Server = createServer((req, res) => {
    state.hits++;
    switch (state.mode) {
      case 'down':
        req.socket.destroy();
        return;
      case 'status500':
        res.writeHead(500).end('oops');
        return;
      case 'slow':
        setTimeout(
          () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys })),
          1500,
        ).unref();
        return;
      case 'redirect':
        res.writeHead(302, { location: `${url}/elsewhere` }).end();
        return;
      case 'huge': {
        // 2 MiB streamed without Content-Length: the client must stop reading at its bound.
        res.writeHead(200, { 'content-type': 'application/json' });
        const filler = 'x'.repeat(64 * 1024);
        res.write(`{"keys":[],"pad":"`);
        let sent = 0;
        const pump = (): void => {
          while (sent < 32) {
            sent++;
            if (!res.write(filler)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end('"}');
        };
        pump();
        return;
      }
      case 'not-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
        return;
      case 'private':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: state.keys.map((k) => ({ ...k, d: 'AAAA' })) }));
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
    }
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${url}/jwks.json`,
    get hits() {
      return state.hits;
    },
    set hits(v: number) {
      state.hits = v;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: JwksMode) {
      state.mode = m;
    },
    get keys() {
      return state.keys;
    },
    set keys(k: JWK[]) {
      state.keys = k;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
