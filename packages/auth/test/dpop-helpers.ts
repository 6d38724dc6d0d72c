// DPoP test fixtures: a client key pair, proofs built with jose (or by hand for proofs jose will not build).
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';
import { accessTokenHash } from '../src/dpop.js';
import { b64, claims, jwt, keys, now, rawToken, type TestKey } from './helpers.js';

export const ORIGIN = 'https://api.example';

/** A DPoP client: its key pair, public JWK and RFC 7638 thumbprint. */
export interface Client {
  readonly alg: 'ES256' | 'EdDSA';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JWK;
  readonly jkt: string;
}

export async function makeClient(alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<Client> {
  const pair =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('ed25519');
  const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  return { alg, ...pair, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** An access token bound to the client's key (cnf.jkt). */
export function boundToken(client: Client, extra: Record<string, unknown> = {}): Promise<string> {
  return jwt(keys.ec, claims({ cnf: { jkt: client.jkt }, ...extra }));
}

export interface ProofInput {
  readonly method?: string;
  readonly url?: string;
  readonly token?: string;
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
}

/** A valid proof for `method url` and `token`, signed by the client; overrides change claims and header. */
export function proof(client: Client, input: ProofInput = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: randomUUID(),
    htm: input.method ?? 'GET',
    htu: input.url ?? `${ORIGIN}/r`,
    iat: now(),
    ...(input.token === undefined ? {} : { ath: accessTokenHash(input.token) }),
    ...input.claims,
  };
  const header: Record<string, unknown> = { alg: client.alg, typ: 'dpop+jwt', jwk: client.jwk, ...input.header };
  return new SignJWT(Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)))
    .setProtectedHeader(
      Object.fromEntries(Object.entries(header).filter(([, v]) => v !== undefined)) as { alg: string },
    )
    .sign(client.privateKey);
}

/** A proof signed over raw JSON with a test key (for alg none, another signer, a private jwk...). */
export function rawProof(
  headerJson: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: TestKey,
): string {
  return rawToken(JSON.stringify(headerJson), JSON.stringify(payload), signer);
}

export { b64 };
