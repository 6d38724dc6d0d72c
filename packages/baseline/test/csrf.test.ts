// csrfGuard: cross-site form posts are refused; same-origin, trusted origins, safe methods and non-browsers pass.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { errorHandler } from '@portcullis/errors';
import { csrfGuard } from '@portcullis/baseline';

describe.each(expressFlavours)('csrfGuard on $name [ASVS V3.5.1]', (flavour) => {
  const app = buildApp(flavour, (a) => {
    a.use(csrfGuard({ trustedOrigins: ['https://app.example.com'] }));
    a.get('/account', (_req, res) => res.json({ ok: true }));
    a.post('/transfer', (_req, res) => res.json({ done: true }));
    a.use(errorHandler());
  });

  it.each([
    [
      'rejects a cross-site form POST (Sec-Fetch-Site cross-site, foreign Origin)',
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
    ],
    ['rejects a same-site but cross-origin POST', { 'Sec-Fetch-Site': 'same-site', Origin: 'https://sub.example.com' }],
    [
      'rejects cross-site with a look-alike trusted origin',
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://app.example.com.evil.example' },
    ],
    ['rejects cross-site with Origin null', { 'Sec-Fetch-Site': 'cross-site', Origin: 'null' }],
    ['rejects an old browser posting from a foreign Origin', { Origin: 'https://evil.example' }],
  ])('%s', async (_title, headers) => {
    const res = await request(app).post('/transfer').set(headers).send({});
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('csrf_rejected');
  });

  it.each([
    ['same-origin fetch', { 'Sec-Fetch-Site': 'same-origin' }],
    ['a user-initiated navigation (none)', { 'Sec-Fetch-Site': 'none' }],
    ['a trusted origin, cross-site', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://app.example.com' }],
    ['a trusted origin in another case', { 'Sec-Fetch-Site': 'cross-site', Origin: 'HTTPS://APP.EXAMPLE.COM' }],
    ['a non-browser client (no Fetch Metadata, no Origin)', {}],
  ])('lets %s through', async (_title, headers) => {
    const res = await request(app).post('/transfer').set(headers).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
  });

  it('lets an old browser through when Origin matches Host', async () => {
    const res = await request(app)
      .post('/transfer')
      .set('Host', 'api.example.com')
      .set('Origin', 'https://api.example.com')
      .send({});
    expect(res.status).toBe(200);
  });

  it('lets GET through even cross-site', async () => {
    const res = await request(app)
      .get('/account')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example');
    expect(res.status).toBe(200);
  });
});

describe('csrfGuard validation', () => {
  it.each([
    ['a trusted origin with a path', { trustedOrigins: ['https://app.example.com/path'] }],
    ['a wildcard', { trustedOrigins: ['*'] }],
    ['a non-array', { trustedOrigins: 'https://app.example.com' }],
    ['an unknown key', { trusted: [] }],
  ])('throws a TypeError for %s', (_title, options) => {
    expect(() => csrfGuard(options as never)).toThrow(/^@portcullis\/baseline: "[^"]+" [^\n]+; [^\n]+$/);
  });
});
