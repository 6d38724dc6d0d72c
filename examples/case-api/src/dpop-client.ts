// Development DPoP client (RFC 9449): a throwaway ES256 key pair for `npm run token -- --dpop`, and proofs signed with it.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { z } from 'zod';

/** A client key pair: the private JWK signs proofs; `jkt` (RFC 7638 thumbprint) goes into the token's cnf. */
export interface DpopClientKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly jkt: string;
}

const PRIVATE_EC_JWK = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  d: z.string(),
});

/** A fresh ES256 client key (never the server's signing key). */
export async function createDpopClientKey(): Promise<DpopClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateJwk: await exportJWK(privateKey), publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** Reads a client key printed by `npm run token -- --dpop` (the private JWK as JSON). */
export async function parseDpopClientKey(json: string): Promise<DpopClientKey> {
  const parsed = PRIVATE_EC_JWK.parse(JSON.parse(json));
  const publicJwk: JWK = { kty: parsed.kty, crv: parsed.crv, x: parsed.x, y: parsed.y };
  return { privateJwk: parsed, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** What a proof is for: the method and URL of one request, the access token it accompanies, a server nonce. */
export interface ProofRequest {
  readonly method: string;
  /** The full request URL; query and fragment are dropped from htu (RFC 9449 §4.2). */
  readonly url: string;
  readonly token?: string | undefined;
  readonly nonce?: string | undefined;
}

/** Signs a DPoP proof JWT for one request (typ dpop+jwt, the public key in the jwk header). */
export async function signDpopProof(
  key: DpopClientKey,
  request: ProofRequest,
  now: Date = new Date(),
): Promise<string> {
  const url = new URL(request.url);
  const htu = `${url.protocol}//${url.host}${url.pathname}`;
  const claims: Record<string, string> = { htm: request.method, htu };
  if (request.token !== undefined) claims['ath'] = createHash('sha256').update(request.token).digest('base64url');
  if (request.nonce !== undefined) claims['nonce'] = request.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk })
    .setJti(randomUUID())
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(await importJWK(key.privateJwk, 'ES256'));
}
