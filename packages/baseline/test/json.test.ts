// jsonBody and requireJson: prototype pollution, duplicate keys, depth, size and content-type attacks.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, expressFlavours, type ExpressFlavour } from '../../../test-support/express.js';
import { errorHandler } from '@portcullis/errors';
import { jsonBody, requireJson, type JsonBodyOptions } from '@portcullis/baseline';

function app(flavour: ExpressFlavour, options?: JsonBodyOptions) {
  return buildApp(flavour, (a) => {
    a.use(jsonBody(options));
    a.use(requireJson({ allow: [{ method: 'POST', path: '/cases/import', types: ['text/csv'] }] }));
    a.post('/echo', (req, res) => res.json({ body: req.body as unknown }));
    a.put('/echo', (req, res) => res.json({ body: req.body as unknown }));
    a.delete('/echo', (req, res) => res.json({ body: req.body as unknown }));
    a.post('/cases/import', (_req, res) => res.status(201).json({ imported: true }));
    a.use(errorHandler());
  });
}

afterEach(() => {
  // The whole point: nothing above may have polluted Object.prototype.
  expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

const corpus: [string, string, number, string][] = [
  ['rejects __proto__ at the top level', '{"__proto__":{"admin":true}}', 400, 'prototype_pollution'],
  [
    'rejects __proto__ nested in an object',
    '{"user":{"profile":{"__proto__":{"admin":true}}}}',
    400,
    'prototype_pollution',
  ],
  ['rejects __proto__ inside an array', '{"items":[{"a":1},{"__proto__":{"polluted":1}}]}', 400, 'prototype_pollution'],
  ['rejects constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}', 400, 'prototype_pollution'],
  [
    'rejects a unicode-escaped __proto__',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"admin":true}}',
    400,
    'prototype_pollution',
  ],
  ['rejects a partly escaped __proto__', '{"__pr\\u006fto__":{"admin":true}}', 400, 'prototype_pollution'],
  ['rejects a prototype key', '{"a":{"prototype":{"x":1}}}', 400, 'prototype_pollution'],
  ['rejects duplicate keys (last-one-wins smuggling)', '{"role":"reviewer","role":"admin"}', 400, 'duplicate_key'],
  ['rejects duplicate keys hidden by escapes', '{"role":"reviewer","r\\u006fle":"admin"}', 400, 'duplicate_key'],
  ['rejects nested duplicate keys', '{"a":{"b":1,"b":2}}', 400, 'duplicate_key'],
  ['rejects nesting deeper than 32', deep(33), 400, 'too_deep'],
  ['rejects 5000-deep nesting without a stack overflow', deep(5000), 400, 'too_deep'],
  ['rejects malformed JSON', '{"a":', 400, 'bad_request'],
  ['rejects a top-level string (strict)', '"admin"', 400, 'bad_request'],
  ['rejects a top-level number (strict)', '42', 400, 'bad_request'],
  ['rejects a top-level null (strict)', 'null', 400, 'bad_request'],
];

describe.each(expressFlavours)('jsonBody on $name [ASVS V15.3.6]', (flavour) => {
  it.each(corpus)('%s', async (_title, body, status, code) => {
    const res = await request(app(flavour)).post('/echo').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('parses a normal object, keeping keys that only look similar', async () => {
    const body = { title: 'x', nested: { proto: 1, __proto: 2, constructor: 'fine', list: [{ a: 1 }, { a: 2 }] } };
    const res = await request(app(flavour)).post('/echo').send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body });
  });

  it('accepts nesting of exactly 32 and arrays of objects with the same keys', async () => {
    const res = await request(app(flavour)).post('/echo').set('Content-Type', 'application/json').send(deep(32));
    expect(res.status).toBe(200);
  });

  it('accepts duplicate keys only when allowDuplicateKeys is on (last wins)', async () => {
    const res = await request(app(flavour, { allowDuplicateKeys: true }))
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('{"a":1,"a":2}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: { a: 2 } });
  });

  it('rejects an oversize body with 413 payload_too_large', async () => {
    const res = await request(app(flavour, { limit: '1kb' }))
      .post('/echo')
      .send({ a: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('rejects a non-UTF-8 charset with 415', async () => {
    const res = await request(app(flavour))
      .post('/echo')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"a":1}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('accepts application/merge-patch+json and charset=utf-8', async () => {
    const res = await request(app(flavour))
      .put('/echo')
      .set('Content-Type', 'application/merge-patch+json; charset=UTF-8')
      .send('{"a":1}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: { a: 1 } });
  });
});

describe.each(expressFlavours)('requireJson on $name [ASVS V3.5.2]', (flavour) => {
  it.each([
    ['a form post (CSRF-style simple request)', 'application/x-www-form-urlencoded', 'role=admin'],
    ['text/plain carrying JSON (simple request)', 'text/plain', '{"role":"admin"}'],
    ['multipart/form-data', 'multipart/form-data; boundary=x', '--x--'],
    ['no content type at all', '', 'x'],
    ['a type that only contains json', 'text/json-ish', '{}'],
  ])('rejects %s with 415', async (_title, type, body) => {
    const req = request(app(flavour)).post('/echo');
    if (type !== '') req.set('Content-Type', type);
    const res = await req.send(body);
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('lets a declared route take its declared type', async () => {
    const res = await request(app(flavour)).post('/cases/import').set('Content-Type', 'text/csv').send('title\nx\n');
    expect(res.status).toBe(201);
  });

  it('does not let the declared type through on other routes', async () => {
    const res = await request(app(flavour)).post('/echo').set('Content-Type', 'text/csv').send('title\nx\n');
    expect(res.status).toBe(415);
  });

  it('lets a DELETE without a body through', async () => {
    const res = await request(app(flavour)).delete('/echo');
    expect(res.status).toBe(200);
  });
});

describe('jsonBody and requireJson validation', () => {
  it.each([
    ['a negative limit', () => jsonBody({ limit: -1 })],
    ['a nonsense limit', () => jsonBody({ limit: 'lots' })],
    ['a NaN depth', () => jsonBody({ maxDepth: Number.NaN })],
    ['a string allowDuplicateKeys', () => jsonBody({ allowDuplicateKeys: 'yes' as never })],
    ['an unknown jsonBody key', () => jsonBody({ strict: false } as never)],
    ['an allow entry without types', () => requireJson({ allow: [{ method: 'POST', path: '/x', types: [] }] })],
    [
      'an allow entry with a wildcard path',
      () => requireJson({ allow: [{ method: 'POST', path: '/x/*', types: ['text/csv'] }] }),
    ],
    ['an unknown requireJson key', () => requireJson({ allowed: [] } as never)],
  ])('throws a TypeError for %s', (_title, make) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/@portcullis\/baseline/);
  });
});
