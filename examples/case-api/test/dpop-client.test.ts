// The development DPoP client behind `npm run token -- --dpop` and `npm run dpop-proof`: its token and proofs pass jwtAuth.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { jwtAuth } from '@portcullis/auth';
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevKeys, signDevToken, type DevKeys } from '../src/devkeys.js';
import { createDpopClientKey, parseDpopClientKey, signDpopProof } from '../src/dpop-client.js';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

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

describe('the case API with JWT_DPOP=allowed (through authOptionsFromConfig)', () => {
  const database = testDatabases[0]!;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database, { JWT_DPOP: 'allowed', PUBLIC_ORIGIN: 'http://127.0.0.1:3000' });
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  it('serves GET /cases to a DPoP-bound token with its proof, refuses it as Bearer, and still takes unbound bearer tokens', async () => {
    const client = await createDpopClientKey();
    const token = await signDevToken(h.keys, { sub: 'u1', tenantId: 't1', roles: ['reviewer'], jkt: client.jkt });
    const proof = await signDpopProof(client, { method: 'GET', url: 'http://127.0.0.1:3000/cases', token });
    const ok = await request(h.server).get('/cases').set('Authorization', `DPoP ${token}`).set('DPoP', proof);
    expect(ok.status).toBe(200);
    const replayed = await request(h.server).get('/cases').set('Authorization', `DPoP ${token}`).set('DPoP', proof);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('invalid_dpop_proof');
    const asBearer = await request(h.server).get('/cases').set('Authorization', `Bearer ${token}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.code).toBe('invalid_token');
    const unbound = await request(h.server)
      .get('/cases')
      .set('Authorization', `Bearer ${await h.token('u1', 't1', ['reviewer'])}`);
    expect(unbound.status).toBe(200);
  });
});
