// The login flow through HTTP on SQLite and PostgreSQL, Express 5 and 4: every control named after its threat.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '@portcullis/secrets';
import { expressFlavours } from '../../../test-support/express.js';
import { newEmail, sessionCookie, startHarness, testDatabases, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const matrix = testDatabases.flatMap((database) => expressFlavours.map((flavour) => ({ database, flavour })));

// Headers that differ between any two requests (ids, dates) or by the submitted email (the limiter's key hash).
const VARYING = new Set(['x-request-id', 'date', 'ratelimit', 'ratelimit-policy', 'etag', 'keep-alive', 'connection']);
function stable(res: request.Response): { status: number; body: unknown; headers: Record<string, unknown> } {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([k]) => !VARYING.has(k)));
  const body = { ...(res.body as Record<string, unknown>) };
  delete body['requestId'];
  delete body['instance'];
  return { status: res.status, body, headers };
}

describe.each(matrix)('login app on $database.name, $flavour.name', ({ database, flavour }) => {
  let h: Harness;
  let now = Date.UTC(2026, 0, 1);
  beforeAll(async () => {
    h = await startHarness(await database.open(), flavour, { now: () => now });
  });
  afterAll(async () => {
    await h.close();
    await h.store.close();
    await database.cleanup();
  });

  const register = (email: string, password = PASSWORD) =>
    request(h.server).post('/register').send({ email, password });
  const login = (email: string, password = PASSWORD, cookie?: string) => {
    const r = request(h.server).post('/login');
    if (cookie !== undefined) r.set('Cookie', cookie);
    return r.send({ email, password });
  };
  async function account(): Promise<{ email: string; cookie: string }> {
    const email = newEmail();
    expect((await register(email)).status).toBe(202);
    const res = await login(email);
    expect(res.status).toBe(200);
    return { email, cookie: sessionCookie(res.headers['set-cookie'])! };
  }

  it('registers, logs in with a __Host- cookie (Secure, HttpOnly, SameSite=Lax, Path=/), reads /me, logs out [ASVS V3.3.1, V3.3.2, V3.3.3, V3.3.4, V7.4.1]', async () => {
    const email = newEmail();
    const reg = await register(email);
    expect(reg.status).toBe(202);
    expect(reg.body).toEqual({ status: 'accepted' });
    const res = await login(email.toUpperCase());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^__Host-session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    );
    const cookie = sessionCookie(res.headers['set-cookie'])!;
    const me = await request(h.server).get('/me').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email });
    const out = await request(h.server).post('/logout').set('Cookie', cookie);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^__Host-session=; .*Max-Age=0$/);
    const after = await request(h.server).get('/me').set('Cookie', cookie);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthorized');
  });

  it('refuses /me, /logout and /password without a session (deny by default) [ASVS V7.2.1]', async () => {
    for (const [method, path] of [
      ['get', '/me'],
      ['post', '/logout'],
      ['post', '/password'],
    ] as const) {
      const res = await request(h.server)[method](path).send({});
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
    const forged = await request(h.server)
      .get('/me')
      .set('Cookie', `__Host-session=${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
  });

  it('stores only the SHA-256 of the session id (a database leak leaks no session)', async () => {
    const { cookie } = await account();
    const id = cookie.split('=')[1]!;
    expect(await h.store.getSession(id)).toBeUndefined();
    expect(await h.store.getSession(createHash('sha256').update(id).digest('base64url'))).toBeDefined();
  });

  describe('enumeration [ASVS V6.3.8]', () => {
    it('answers an unknown account and a wrong password with the same status, body and headers', async () => {
      const { email } = await account();
      const wrong = await login(email, 'wrong password here');
      const unknown = await login(newEmail(), 'wrong password here');
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('invalid_credentials');
      expect(stable(unknown)).toEqual(stable(wrong));
      expect(wrong.headers['set-cookie']).toBeUndefined();
    });

    it('runs the dummy argon2 verify for an unknown account', async () => {
      const before = h.service.hasher.stats().started;
      await login(newEmail(), 'whatever password');
      expect(h.service.hasher.stats().started).toBe(before + 1);
    });

    it('registration answers the same for a new and a taken address (and does not change the taken one)', async () => {
      const { email } = await account();
      const taken = await register(email, 'another long passphrase');
      const fresh = await register(newEmail(), 'another long passphrase');
      expect(stable(taken)).toEqual(stable(fresh));
      expect((await login(email)).status).toBe(200);
      expect((await login(email, 'another long passphrase')).status).toBe(401);
    });
  });

  describe('password rules [ASVS V6.2.1, V6.2.4]', () => {
    it.each([
      ['7 characters', 'abcdefg', 'password_too_short'],
      ['7 emoji (7 characters, 28 bytes)', '😀😀😀😀😀😀😀', 'password_too_short'],
      ['a common password', 'password1', 'password_too_common'],
      ['a common password in other case', 'PassWord1', 'password_too_common'],
      ['more than 4096 bytes', 'a'.repeat(4097), 'password_too_long'],
    ])('refuses %s with 422 %s', async (_t, password, code) => {
      const res = await register(newEmail(), password);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe(code);
    });

    it('accepts 8 characters and a 4096-byte passphrase', async () => {
      expect((await register(newEmail(), 'zq8#Lk2!')).status).toBe(202);
      expect((await register(newEmail(), 'b'.repeat(4096))).status).toBe(202);
    });

    it('refuses a malformed body with 422 validation_failed', async () => {
      for (const body of [{}, { email: 'not-an-email', password: PASSWORD }, { email: newEmail(), password: 42 }]) {
        const res = await request(h.server).post('/login').send(body);
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('validation_failed');
      }
    });
  });

  describe('sessions [ASVS V7.2.2, V7.2.3, V7.2.4, V7.3.1, V7.3.2, V7.4.3, V6.2.2, V6.2.3]', () => {
    it('session fixation: a session id the client came with is replaced at login and no longer works', async () => {
      const attacker = await account();
      const victim = newEmail();
      await register(victim);
      const res = await login(victim, PASSWORD, attacker.cookie);
      expect(res.status).toBe(200);
      const issued = sessionCookie(res.headers['set-cookie'])!;
      expect(issued).not.toBe(attacker.cookie);
      expect((await request(h.server).get('/me').set('Cookie', attacker.cookie)).status).toBe(401);
      expect((await request(h.server).get('/me').set('Cookie', issued)).body.email).toBe(victim);
    });

    it('each login gets a new id', async () => {
      const { email, cookie } = await account();
      const again = sessionCookie((await login(email)).headers['set-cookie']);
      expect(again).not.toBe(cookie);
    });

    it('idle timeout: a session unused for 30 minutes is over', async () => {
      const { cookie } = await account();
      now += 29 * 60_000;
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(200);
      now += 29 * 60_000; // 29 minutes after the last use: still alive
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(200);
      now += 30 * 60_000;
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(401);
    });

    it('expired sessions are swept from the store at a later login, without being presented', async () => {
      const { cookie } = await account();
      const idHash = createHash('sha256').update(cookie.split('=')[1]!).digest('base64url');
      expect(await h.store.getSession(idHash)).toBeDefined();
      now += 31 * 60_000;
      await account();
      expect(await h.store.getSession(idHash)).toBeUndefined();
    });

    it('absolute timeout: a session in constant use ends 12 hours after login', async () => {
      const { cookie } = await account();
      for (let i = 0; i < 28; i++) {
        now += 25 * 60_000; // used every 25 minutes: never idle
        expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(200);
      }
      now += 25 * 60_000; // 725 minutes after login
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(401);
    });

    it('a password change rotates the session and revokes every other session of the user', async () => {
      const { email, cookie } = await account();
      const other = sessionCookie((await login(email)).headers['set-cookie'])!;
      const res = await request(h.server)
        .post('/password')
        .set('Cookie', cookie)
        .send({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
      expect(res.status).toBe(200);
      const rotated = sessionCookie(res.headers['set-cookie'])!;
      expect(rotated).not.toBe(cookie);
      expect((await request(h.server).get('/me').set('Cookie', rotated)).status).toBe(200);
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(401);
      expect((await request(h.server).get('/me').set('Cookie', other)).status).toBe(401);
      expect((await login(email)).status).toBe(401);
      expect((await login(email, 'a brand new passphrase')).status).toBe(200);
    });

    it('a password change needs the current password and follows the password rules', async () => {
      const { cookie } = await account();
      const wrong = await request(h.server)
        .post('/password')
        .set('Cookie', cookie)
        .send({ currentPassword: 'nope nope nope', newPassword: 'a brand new passphrase' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('invalid_credentials');
      const common = await request(h.server)
        .post('/password')
        .set('Cookie', cookie)
        .send({ currentPassword: PASSWORD, newPassword: 'iloveyou' });
      expect(common.status).toBe(422);
      expect(common.body.code).toBe('password_too_common');
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(200);
    });
  });

  describe('CSRF [ASVS V3.5.1]', () => {
    it.each([
      ['POST /register', '/register'],
      ['POST /login', '/login'],
      ['POST /logout', '/logout'],
      ['POST /password', '/password'],
    ])('refuses a cross-site %s with 403 csrf_rejected', async (_t, path) => {
      const { email, cookie } = await account();
      const res = await request(h.server)
        .post(path)
        .set('Cookie', cookie)
        .set('Origin', 'https://evil.example')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ email, password: PASSWORD, currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('csrf_rejected');
      expect((await request(h.server).get('/me').set('Cookie', cookie)).status).toBe(200);
    });

    it('accepts a same-origin browser request', async () => {
      const { cookie } = await account();
      const res = await request(h.server).post('/logout').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin');
      expect(res.status).toBe(204);
    });
  });

  it('credential stuffing: a flood on one account gets 429 after 5 attempts, never a 5xx', async () => {
    const { email } = await account();
    const results = await Promise.all(Array.from({ length: 40 }, () => login(email, 'guess guess guess')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('a successful login resets the account limiter: four typos, then the right password, then five more attempts', async () => {
    const { email } = await account(); // one successful login already
    for (let i = 0; i < 4; i++) expect((await login(email, 'typo typo typo')).status).toBe(401);
    expect((await login(email)).status).toBe(200); // fifth attempt in the window: allowed, and resets
    for (let i = 0; i < 4; i++) expect((await login(email, 'typo typo typo')).status).toBe(401);
    expect((await login(email)).status).toBe(200); // without the reset this would be the tenth attempt: 429
    for (let i = 0; i < 5; i++) expect((await login(email, 'typo typo typo')).status).toBe(401);
    const limited = await login(email);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  });

  it('rehashes on login after the configured parameters were lowered', async () => {
    const email = newEmail();
    const strong = createPasswordHasher({ params: { timeCost: 3 } });
    await h.store.insertUser({
      id: `u-${email}`,
      email,
      passwordHash: await strong.hash(PASSWORD),
      createdAt: new Date().toISOString(),
    });
    expect((await h.store.userByEmail(email))?.passwordHash).toContain('$m=19456,t=3,p=1$');
    expect((await login(email)).status).toBe(200);
    const upgraded = (await h.store.userByEmail(email))?.passwordHash;
    expect(upgraded).toContain('$m=19456,t=2,p=1$');
    expect((await login(email)).status).toBe(200);
  });
});

describe.each(expressFlavours)('login limiter keyed by client address on $name [ASVS V6.3.1, V2.4.1]', (flavour) => {
  it('one address spraying many accounts gets 429, never a 5xx', async () => {
    const database = testDatabases[0]!;
    const h = await startHarness(await database.open(), flavour, { limits: { perAddress: 8 } });
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          request(h.server).post('/login').send({ email: newEmail(), password: 'spray spray spray' }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 401)).toHaveLength(8);
      expect(statuses.filter((s) => s === 429)).toHaveLength(22);
    } finally {
      await h.close();
      await h.store.close();
    }
  });
});
