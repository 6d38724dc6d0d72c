// The development DPoP client behind `npm run token -- --dpop` and `npm run dpop-proof`: its token and proofs pass jwtAuth.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { jwtAuth } from '@portcullis/auth';
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevKeys, signDevToken, type DevKeys } from '../src/devkeys.js';
import { createDpopClientKey, parseDpopClientKey, signDpopProof } from '../src/dpop-client.js';

let dir: string;
let keys: DevKeys;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'case-api-dpop-'));
  keys = (await loadOrCreateDevKeys(dir)).keys;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function verify(authorization: string, proof: string | undefined, url: string): Promise<unknown> {
  const mw = jwtAuth({
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    algorithms: ['ES256'],
    jwks: keys.jwks,
    dpop: { mode: 'required', publicOrigin: 'http://localhost:3000' },
  });
  const headers: Record<string, string> = { authorization };
  const rawHeaders = ['Authorization', authorization];
  if (proof !== undefined) {
    headers['dpop'] = proof;
    rawHeaders.push('DPoP', proof);
  }
  const req = { headers, rawHeaders, method: 'GET', url } as unknown as IncomingMessage;
  return new Promise((resolve) => {
    mw(req, {} as ServerResponse, resolve);
  });
}

describe('development DPoP client', () => {
  it('binds the token to the client key (cnf.jkt) and signs proofs jwtAuth accepts', async () => {
    const client = await createDpopClientKey();
    const token = await signDevToken(keys, { sub: 'u1', tenantId: 't1', roles: ['reviewer'], jkt: client.jkt });
    expect(decodeJwt(token)['cnf']).toEqual({ jkt: client.jkt });
    // The key round-trips through the DPOP_KEY text `npm run token -- --dpop` prints.
    const again = await parseDpopClientKey(JSON.stringify(client.privateJwk));
    expect(again.jkt).toBe(client.jkt);
    const proof = await signDpopProof(again, { method: 'GET', url: 'http://localhost:3000/cases?status=open', token });
    expect(await verify(`DPoP ${token}`, proof, '/cases?status=open')).toBeUndefined();
  });

  it('a bound token without its proof is refused, and as Bearer too', async () => {
    const client = await createDpopClientKey();
    const token = await signDevToken(keys, { sub: 'u1', tenantId: 't1', roles: ['reviewer'], jkt: client.jkt });
    expect(await verify(`DPoP ${token}`, undefined, '/cases')).toMatchObject({
      status: 401,
      code: 'invalid_dpop_proof',
    });
    expect(await verify(`Bearer ${token}`, undefined, '/cases')).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('refuses a DPOP_KEY that holds no private key', async () => {
    const client = await createDpopClientKey();
    await expect(parseDpopClientKey(JSON.stringify(client.publicJwk))).rejects.toThrow();
  });
});
