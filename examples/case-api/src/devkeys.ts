// The development signing key: an ES256 pair generated on first start into DATA_DIR (mode 0600, git-ignored).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { z } from 'zod';

/** `iss` of development tokens. Trusted only in the development/test profile. */
export const DEV_ISSUER = 'urn:portcullis:case-api:dev-issuer';
/** `aud` of development tokens. */
export const DEV_AUDIENCE = 'case-api';
/** File name of the key pair inside DATA_DIR. */
export const DEV_KEY_FILE = 'dev-signing-key.json';

/** The development key pair. */
export interface DevKeys {
  /** Private JWK (never leaves DATA_DIR). */
  readonly privateJwk: JWK;
  /** Public key set to verify with. */
  readonly jwks: JSONWebKeySet;
  readonly kid: string;
}

// z.object strips unknown keys: a private "d" in the public entry is dropped, never published.
const EC_PUBLIC_JWK = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  kid: z.string(),
  alg: z.literal('ES256'),
});
const EC_PRIVATE_JWK = EC_PUBLIC_JWK.extend({ d: z.string() });
const KEY_FILE = z.object({ privateJwk: EC_PRIVATE_JWK, publicJwk: EC_PUBLIC_JWK });

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

function toDevKeys(privateJwk: JWK, publicJwk: JWK, kid: string): DevKeys {
  return { privateJwk, jwks: { keys: [publicJwk] }, kid };
}

/**
 * Loads the key pair from `dataDir`, generating it on first use. The directory is created 0700 and
 * the file written 0600 with O_EXCL, so a concurrent first start cannot overwrite it.
 * @returns the keys and whether they were created now.
 */
export async function loadOrCreateDevKeys(dataDir: string): Promise<{ keys: DevKeys; created: boolean }> {
  const file = join(dataDir, DEV_KEY_FILE);
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR is operator configuration
    const parsed = KEY_FILE.parse(JSON.parse(await readFile(file, 'utf8')));
    return { keys: toDevKeys(parsed.privateJwk, parsed.publicJwk, parsed.privateJwk.kid), created: false };
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const pub: JWK = { ...publicJwk, kid, alg: 'ES256', use: 'sig' };
  const priv: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR is operator configuration
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR is operator configuration
  await writeFile(file, `${JSON.stringify({ privateJwk: priv, publicJwk: pub }, null, 2)}\n`, {
    flag: 'wx',
    mode: 0o600,
  });
  return { keys: toDevKeys(priv, pub, kid), created: true };
}

/** Claims of a development token. */
export interface DevTokenClaims {
  readonly sub: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  /** Lifetime in seconds. @default 900 */
  readonly ttlSec?: number | undefined;
  /** RFC 9068 §2.2 `client_id`. @default "case-api-dev" */
  readonly clientId?: string | undefined;
  /** RFC 9449 §6.1: bind the token to this DPoP key thumbprint (`cnf.jkt`). @default unbound */
  readonly jkt?: string | undefined;
}

/** Signs an RFC 9068 access token (typ at+jwt) with the development key. */
export async function signDevToken(keys: DevKeys, claims: DevTokenClaims, now: Date = new Date()): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256');
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({
    client_id: claims.clientId ?? 'case-api-dev',
    tenant_id: claims.tenantId,
    roles: [...claims.roles],
    ...(claims.jkt === undefined ? {} : { cnf: { jkt: claims.jkt } }),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: keys.kid })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.ttlSec ?? 900))
    .setJti(randomUUID())
    .sign(key);
}
