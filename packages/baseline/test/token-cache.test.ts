// JWT_VERIFIED_TOKEN_CACHE_*: the config turns jwtAuth's verified-token cache on through secureBaseline.
// Signature checks are counted by spying on crypto.subtle.verify (what jose calls), so no timing is involved.
import request from 'supertest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, expressFlavours, type ExpressFlavour } from '../../../test-support/express.js';
import { countSignatureChecks } from '../../../test-support/signature-checks.js';
import type { SecurityConfig } from '@portcullis/config';
import { createLogger } from '@portcullis/logging';
import { secureBaseline, type SecureBaselineOptions } from '@portcullis/baseline';
import { makeKeys, testConfig, type Keys } from './helpers.js';

let keys: Keys;
let token: string;
beforeAll(async () => {
  keys = await makeKeys();
  token = await keys.token();
});

const signatureChecks = countSignatureChecks();

const CACHE_ON = { JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '100' };
const code = (res: request.Response): string => (res.body as { code: string }).code;

function appFrom(
  flavour: ExpressFlavour,
  config: SecurityConfig,
  auth: SecureBaselineOptions['auth'] = { jwks: keys.jwks },
) {
  const baseline = secureBaseline({ config, auth, logger: createLogger({ level: 'silent' }) });
  const app = buildApp(flavour, (a) => {
    a.use(baseline.before);
    a.get('/cases/:id', (req, res) => res.json({ id: req.params['id'], subject: req.auth?.subject }));
    a.use(baseline.after);
  });
  return (t: string) => request(app).get('/cases/7').set('Authorization', `Bearer ${t}`);
}

function appWith(flavour: ExpressFlavour, env: Record<string, string>, auth?: SecureBaselineOptions['auth']) {
  return appFrom(flavour, testConfig(env), auth);
}

/** Only the Date clock is faked: sockets and timers stay real. */
function freezeClock(): number {
  vi.useFakeTimers({ toFake: ['Date'] });
  const t = Date.now();
  vi.setSystemTime(t);
  return t;
}

/** The token with one character of its signature changed. */
function tampered(t: string): string {
  const [h, p, s] = t.split('.') as [string, string, string];
  const i = 10;
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}

describe.each(expressFlavours)('secureBaseline: verified-token cache from the config on $name', (flavour) => {
  it("checks a repeated token's signature once when JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES is set", async () => {
    const get = appWith(flavour, CACHE_ON);
    for (let i = 0; i < 3; i++) {
      const res = await get(token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: '7', subject: 'user-1' });
    }
    expect(signatureChecks()).toBe(1);
  });

  it.each([
    ['unset', {}],
    ['0', { JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '0' }],
    ['unset with only a max age', { JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: '3600' }],
  ])(
    'keeps the cache off when JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES is %s: every request checks the signature',
    async (_title, env) => {
      const get = appWith(flavour, env);
      for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
      expect(signatureChecks()).toBe(3);
    },
  );

  it('rejects a forged token that differs from a cached one by one character (401 invalid_token)', async () => {
    const get = appWith(flavour, CACHE_ON);
    expect((await get(token)).status).toBe(200);
    const res = await get(tampered(token));
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
    // The forged token was verified in full, not served from the cache.
    expect(signatureChecks()).toBe(2);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(2);
  });

  it('rejects a token revoked after it was cached: isRevoked is consulted on every hit', async () => {
    let revokedNow = false;
    const isRevoked = vi.fn(() => Promise.resolve(revokedNow));
    const get = appWith(flavour, CACHE_ON, { jwks: keys.jwks, isRevoked });
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(1);
    revokedNow = true;
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
    expect(isRevoked).toHaveBeenCalledTimes(3);
    // Refused on the hit path: the signature was not checked again.
    expect(signatureChecks()).toBe(1);
  });

  it('stops serving a cached token after JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC (a removed key is not trusted longer)', async () => {
    const t0 = freezeClock();
    const get = appWith(flavour, { ...CACHE_ON, JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: '2' });
    expect((await get(token)).status).toBe(200);
    vi.setSystemTime(t0 + 1_000);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(1);
    vi.setSystemTime(t0 + 2_500);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(2);
  });

  it('lets an explicit auth.verifiedTokenCache win over the config', async () => {
    // The config allows 100 entries; the explicit option allows 1, so a evicts b and b evicts a.
    const get = appWith(
      flavour,
      { ...CACHE_ON, JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: '3600' },
      { jwks: keys.jwks, verifiedTokenCache: { maxEntries: 1 } },
    );
    const [a, b] = await Promise.all([keys.token({ jti: 'a' }), keys.token({ jti: 'b' })]);
    for (const t of [a, b, a, b]) expect((await get(t)).status).toBe(200);
    expect(signatureChecks()).toBe(4);
    expect((await get(b)).status).toBe(200);
    expect(signatureChecks()).toBe(4);
  });

  it('lets an explicit auth.verifiedTokenCache turn the cache on when the config leaves it off', async () => {
    const get = appWith(flavour, {}, { jwks: keys.jwks, verifiedTokenCache: { maxEntries: 10 } });
    for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(1);
  });

  it('lets auth.verifiedTokenCache: false keep the cache off whatever the environment sets', async () => {
    const get = appWith(flavour, CACHE_ON, { jwks: keys.jwks, verifiedTokenCache: false });
    for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(3);
  });
});

describe('secureBaseline: verified-token cache settings jwtAuth refuses', () => {
  it.each([
    ['a negative size', { jwtVerifiedTokenCacheMaxEntries: -1 }],
    ['a fractional size', { jwtVerifiedTokenCacheMaxEntries: 1.5 }],
    ['a max age over an hour', { jwtVerifiedTokenCacheMaxEntries: 10, jwtVerifiedTokenCacheMaxAgeSec: 7200 }],
  ])('throws at startup for a hand-built config with %s', (_title, fields) => {
    const config = { ...testConfig(), ...fields } as SecurityConfig;
    expect(() =>
      secureBaseline({ config, auth: { jwks: keys.jwks }, logger: createLogger({ level: 'silent' }) }),
    ).toThrow(/verifiedTokenCache\./);
  });
});
