// Unit tests of the string scrubber, redactUrl and serializeError: each pattern named after the leak it stops.
import { describe, expect, it } from 'vitest';
import { redactUrl, scrubText, serializeError } from '@portcullis/logging';
import { capturedLogger } from './helpers.js';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlU2VjcmV0';

describe('scrubText', () => {
  it.each([
    ['a JWT', `token was ${jwt} ok`, 'SecretSig', `token was [REDACTED] ok`],
    ['a JWT with alg none (empty signature)', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJzdWIiOiJ4In0', '[REDACTED]'],
    [
      'a bearer credential',
      'Authorization: Bearer abc.DEF-123_~+/xyz==',
      'abc.DEF',
      'Authorization: [REDACTED] [REDACTED]',
    ],
    ['a lower-case bearer credential', 'bearer opaqueToken123', 'opaqueToken123', 'bearer [REDACTED]'],
    ['a basic credential', 'sent Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz', 'sent Basic [REDACTED]'],
    ['URL userinfo', 'connect postgres://app:s3cr3t@db:5432/x', 's3cr3t', 'connect postgres://[REDACTED]@db:5432/x'],
    [
      'a token query parameter',
      'GET /cb?state=1&access_token=qwerty',
      'qwerty',
      'GET /cb?state=1&access_token=[REDACTED]',
    ],
    [
      'an OAuth code',
      'redirect to /cb?code=authcode123&state=x',
      'authcode123',
      'redirect to /cb?code=[REDACTED]&state=x',
    ],
    ['a fragment token', '/cb#id_token=fragtok', 'fragtok', '/cb#id_token=[REDACTED]'],
    ['password=…', 'login password=hunter2 user=bob', 'hunter2', 'login password=[REDACTED] user=bob'],
    [
      'a JSON token field',
      '{"user":"bob","refresh_token":"rt-123"}',
      'rt-123',
      '{"user":"bob","refresh_token":"[REDACTED]"}',
    ],
    ['a quoted secret', "client_secret: 'cs-999'", 'cs-999', "client_secret: '[REDACTED]'"],
    ['an API key pair', 'api-key=ak_live_1', 'ak_live_1', 'api-key=[REDACTED]'],
    ['a cookie line', 'Cookie: sid=abc; csrf=def', 'csrf=def', 'Cookie: [REDACTED]'],
    [
      'a PEM private key',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEkeybody\n-----END RSA PRIVATE KEY-----\nafter',
      'MIIEkeybody',
      '[REDACTED]\nafter',
    ],
    [
      'an unterminated PEM private key',
      'x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk',
      'b3BlbnNz',
      'x [REDACTED]',
    ],
  ])('masks %s', (_name, input, secret, expected) => {
    const out = scrubText(input);
    expect(out).not.toContain(secret);
    expect(out).toBe(expected);
  });

  it.each([
    ['a plain message', 'request completed'],
    ['a path', '/items/42/comments'],
    ['a public key', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'],
    ['an ordinary query', '/search?q=shoes&page=2'],
    ['a URL without userinfo', 'https://example.com/a?b=c'],
  ])('keeps %s', (_name, input) => {
    expect(scrubText(input)).toBe(input);
  });

  it('returns "" for a non-string', () => {
    expect(scrubText(42 as never)).toBe('');
  });

  it('cuts text longer than 16 KiB', () => {
    const out = scrubText('a'.repeat(20_000));
    expect(out.length).toBeLessThan(16_500);
    expect(out.endsWith('…[truncated]')).toBe(true);
  });

  it.each([
    ['repeated "ey" prefixes', 'ey'.repeat(8000)],
    ['a long word without a scheme', 'a'.repeat(16_000) + '://'],
    ['repeated token keys', 'token:"'.repeat(2000)],
    ['repeated BEGIN markers', '-----BEGIN PRIVATE KEY-----'.repeat(500)],
    ['many query separators', '?a'.repeat(8000)],
  ])('handles adversarial input without catastrophic backtracking: %s', (_name, input) => {
    expect(typeof scrubText(input)).toBe('string');
  });
});

describe('scrubText memo of clean strings', () => {
  it('still masks a credential after the clean-string memo filled up and was cleared', () => {
    for (let i = 0; i < 2100; i++) expect(scrubText(`clean line ${i}.`)).toBe(`clean line ${i}.`);
    expect(scrubText('Mozilla/5.0 (X11; Linux)')).toBe('Mozilla/5.0 (X11; Linux)');
    expect(scrubText('Mozilla/5.0 (X11; Linux)')).toBe('Mozilla/5.0 (X11; Linux)');
    const secret = 'Mozilla/5.0 password=MemoSentinel';
    expect(scrubText(secret)).toBe('Mozilla/5.0 password=[REDACTED]');
    expect(scrubText(secret)).not.toContain('MemoSentinel');
  });

  it('never remembers long strings: a long clean text is scanned again and kept whole', () => {
    const long = `${'a. '.repeat(200)}end`;
    expect(scrubText(long)).toBe(long);
    expect(scrubText(`${long} token=LongSentinel`)).not.toContain('LongSentinel');
  });
});

describe('redactUrl', () => {
  it.each([
    ['access_token', '/cb?access_token=AT1&x=1', '/cb?access_token=[REDACTED]&x=1'],
    ['mixed-case names', '/cb?Token=T1&API_KEY=K1', '/cb?Token=[REDACTED]&API_KEY=[REDACTED]'],
    ['percent-encoded names', '/cb?%74oken=T2', '/cb?%74oken=[REDACTED]'],
    [
      'signature and sig',
      '/f?signature=S1&sig=S2&X-Amz-Signature=S3',
      '/f?signature=[REDACTED]&sig=[REDACTED]&X-Amz-Signature=[REDACTED]',
    ],
    [
      'id_token, refresh_token, code',
      '/cb?id_token=a&refresh_token=b&code=c',
      '/cb?id_token=[REDACTED]&refresh_token=[REDACTED]&code=[REDACTED]',
    ],
    [
      'password, secret, apikey, key, session, auth',
      '/x?password=1&secret=2&apikey=3&key=4&session=5&auth=6',
      '/x?password=[REDACTED]&secret=[REDACTED]&apikey=[REDACTED]&key=[REDACTED]&session=[REDACTED]&auth=[REDACTED]',
    ],
    ['userinfo', 'https://u:p@host/x', 'https://[REDACTED]@host/x'],
    ['a fragment', 'https://app/cb#access_token=F1&state=s', 'https://app/cb#access_token=[REDACTED]&state=s'],
  ])('masks %s', (_name, input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('keeps ordinary parameters and empty values', () => {
    expect(redactUrl('/s?q=a&page=2&token=')).toBe('/s?q=a&page=2&token=');
    expect(redactUrl(5 as never)).toBe('');
  });
});

describe('serializeError', () => {
  it('drops config, request, response, headers, body, options and _header (axios-style)', () => {
    const err = Object.assign(new Error('Request failed'), {
      code: 'ERR_BAD_RESPONSE',
      status: 502,
      config: { headers: { Authorization: 'Bearer AxiosSecret' } },
      request: { _header: 'Authorization: Bearer AxiosSecret' },
      response: { data: 'AxiosSecret' },
      headers: { cookie: 'AxiosSecret' },
      body: 'AxiosSecret',
      options: { auth: 'AxiosSecret' },
      _header: 'AxiosSecret',
    });
    const out = serializeError(err);
    expect(Object.keys(out).sort()).toEqual(['code', 'message', 'stack', 'status', 'type']);
    expect(out).toMatchObject({ type: 'Error', code: 'ERR_BAD_RESPONSE', status: 502, message: 'Request failed' });
    expect(JSON.stringify(out)).not.toContain('AxiosSecret');
  });

  it('never calls toJSON', () => {
    let called = false;
    const err = Object.assign(new Error('x'), { toJSON: () => ((called = true), { leak: 'ToJsonSecret' }) });
    expect(JSON.stringify(serializeError(err))).not.toContain('ToJsonSecret');
    expect(called).toBe(false);
  });

  it('scrubs the message and stack', () => {
    const out = serializeError(new Error(`bad token ${jwt}`));
    expect(out.message).toBe('bad token [REDACTED]');
    expect(out.stack).not.toContain(jwt);
  });

  it('follows the cause chain, bounded and cycle-safe', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const out = serializeError(new Error('top', { cause: b }));
    expect(out.cause?.message).toBe('b');
    expect(out.cause?.cause?.message).toBe('a');
    expect(out.cause?.cause?.cause).toBeUndefined();
    let deep: Error = new Error('0');
    for (let i = 1; i < 20; i++) deep = new Error(String(i), { cause: deep });
    let depth = 0;
    for (let c = serializeError(deep).cause; c !== undefined; c = c.cause) depth++;
    expect(depth).toBe(5);
  });

  it('serializes AggregateError members and non-Error values', () => {
    const agg = serializeError(new AggregateError([new TypeError('t'), 'password=pw1'], 'many'));
    expect(agg.errors?.map((e) => e.type)).toEqual(['TypeError', 'string']);
    expect(JSON.stringify(agg)).not.toContain('pw1');
    expect(serializeError('boom Bearer abcdef')).toEqual({ type: 'string', message: 'boom Bearer [REDACTED]' });
    expect(serializeError(null)).toEqual({ type: 'null', message: '' });
    expect(serializeError(7)).toEqual({ type: 'number', message: '7' });
    expect(serializeError({ message: 'plain', statusCode: 404, code: 3 })).toMatchObject({
      type: 'Object',
      message: 'plain',
      status: 404,
      code: 3,
    });
  });

  it('survives getters that throw', () => {
    const hostile = new Proxy(new Error('x'), {
      get(target, key) {
        if (key === 'message' || key === 'constructor') throw new Error('trap');
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(serializeError(hostile)).toMatchObject({ type: 'Error', message: '' });
  });
});

describe('key scrub edge cases (through a logger)', () => {
  it('scrubs Errors anywhere, bounds depth and size, and survives hostile objects', () => {
    const { logger, out } = capturedLogger({ base: null });
    let deep: Record<string, unknown> = { password: 'TooDeepSecret' };
    for (let i = 0; i < 15; i++) deep = { level: deep };
    const hostile = {
      get boom(): string {
        throw new Error('getter');
      },
    };
    const big = Array.from({ length: 5000 }, (_, i) => ({ i }));
    logger.info({
      deep,
      hostile,
      nested: { failure: new Error('password=NestedPw') },
      buf: Buffer.from('BufSecret'),
      when: new Date(0),
      url: new URL('https://u:UrlPw@h/'),
      big,
    });
    const text = out.text();
    for (const s of ['TooDeepSecret', 'NestedPw', 'BufSecret', 'UrlPw']) expect(text).not.toContain(s);
    const line = out.entries()[0]!;
    expect(line.hostile).toEqual({ boom: '[Unreadable]' });
    expect(line.buf).toBe('[Binary 9 bytes]');
    expect(line.when).toBe('1970-01-01T00:00:00.000Z');
    expect(text).toContain('[Truncated]');
    expect((line.big as unknown[]).at(-1)).toBe('[Truncated]');
  });

  it('keeps a "__proto__" key as data', () => {
    const { logger, out } = capturedLogger({ base: null });
    const obj = JSON.parse('{"__proto__":{"token":"ProtoTok"},"a":"Bearer zz"}') as object;
    logger.info(obj, 'proto');
    expect(out.text()).not.toContain('ProtoTok');
    expect(({} as Record<string, unknown>).token).toBeUndefined();
  });

  it('scrubs child bindings and setBindings', () => {
    const { logger, out } = capturedLogger({ base: null });
    const child = logger.child({ tenant: { apiKey: 'ChildKey' } });
    child.setBindings({ extra: { session: 'SetSess' } });
    child.info('bound');
    expect(out.text()).not.toMatch(/ChildKey|SetSess/);
  });

  it('scrubs an error logged directly, including the message pino derives from it', () => {
    const { logger, out } = capturedLogger({ base: null });
    logger.error(new Error('login failed password=DirectPw'));
    logger.info(
      { req: { method: 'GET', url: '/x?token=ReqTok', headers: { authorization: 'Bearer ReqAuth' } } },
      'manual req',
    );
    expect(out.text()).not.toMatch(/DirectPw|ReqTok|ReqAuth/);
    expect(out.entries()[1]!.req).toEqual({ method: 'GET', path: '/x', query: 'token=[REDACTED]' });
  });
});
