// Creation-time refusals: every unsafe or malformed option throws a TypeError naming the option and entry.
import { describe, expect, it } from 'vitest';
import { strictCors, createOriginMatcher, type StrictCorsOptions } from '@portcullis/cors';

const OK = 'https://app.example.com';

// Each refused origin entry, with a fragment of the message that must explain it.
const REFUSED_ORIGINS: readonly { name: string; entry: unknown; says: RegExp }[] = [
  { name: 'refuses "*" (every site)', entry: '*', says: /"\*", which allows every site/ },
  { name: 'refuses "null" (sandboxed iframes)', entry: 'null', says: /"null"/ },
  { name: 'refuses "NULL"', entry: 'NULL', says: /"null"/ },
  { name: 'refuses an unanchored RegExp', entry: /example\.com$/, says: /is a RegExp.*unanchored/ },
  { name: 'refuses an anchored RegExp too', entry: /^https:\/\/app\.example\.com$/, says: /is a RegExp/ },
  { name: 'refuses a function', entry: () => true, says: /is a function/ },
  { name: 'refuses true (reflect any origin)', entry: true, says: /must be a string/ },
  { name: 'refuses a number', entry: 443, says: /must be a string/ },
  { name: 'refuses null', entry: null, says: /must be a string/ },
  { name: 'refuses a trailing slash', entry: 'https://app.example.com/', says: /trailing slash/ },
  { name: 'refuses a path', entry: 'https://app.example.com/app', says: /contains a path/ },
  { name: 'refuses a query', entry: 'https://app.example.com?x=1', says: /contains a query/ },
  { name: 'refuses a fragment', entry: 'https://app.example.com#x', says: /contains a fragment/ },
  { name: 'refuses userinfo', entry: 'https://user:pw@app.example.com', says: /userinfo/ },
  { name: 'refuses a bare host', entry: 'app.example.com', says: /is not an origin/ },
  { name: 'refuses an empty string', entry: '', says: /is not an origin/ },
  { name: 'refuses an invalid URL', entry: 'https://exa mple.com', says: /whitespace/ },
  { name: 'refuses an out-of-range port', entry: 'https://app.example.com:70000', says: /not a valid URL origin/ },
  { name: 'refuses an invalid IPv6 literal', entry: 'https://[::zz]', says: /not a valid URL origin/ },
  { name: 'refuses percent-encoding', entry: 'https://app%2eexample.com', says: /percent-encoding/ },
  { name: 'refuses non-ASCII (write punycode)', entry: 'https://bücher.example', says: /punycode/ },
  { name: 'refuses another scheme', entry: 'ftp://app.example.com', says: /scheme other than/ },
  { name: 'refuses chrome-extension', entry: 'chrome-extension://abc', says: /scheme other than/ },
  { name: 'refuses plain http on a public host', entry: 'http://app.example.com', says: /plain-http origin/ },
  { name: 'refuses plain http on a private address', entry: 'http://10.0.0.1', says: /plain-http origin/ },
  {
    name: 'refuses plain http on a localhost look-alike',
    entry: 'http://localhost.evil.com',
    says: /plain-http origin/,
  },
  { name: 'refuses an http wildcard', entry: 'http://*.example.com', says: /https only/ },
  { name: 'refuses a wildcard in the middle', entry: 'https://a.*.example.com', says: /unsupported place/ },
  { name: 'refuses a partial-label wildcard', entry: 'https://*example.com', says: /unsupported place/ },
  { name: 'refuses a suffix-label wildcard', entry: 'https://app*.example.com', says: /unsupported place/ },
  { name: 'refuses a double wildcard', entry: 'https://*.*.example.com', says: /unsupported place/ },
  { name: 'refuses a TLD wildcard', entry: 'https://*.example.*', says: /unsupported place/ },
  { name: 'refuses a scheme-less wildcard', entry: '*.example.com', says: /unsupported place/ },
  { name: 'refuses a wildcard over a whole TLD', entry: 'https://*.com', says: /top-level domain/ },
  { name: 'refuses a wildcard over an IP address', entry: 'https://*.0.0.1', says: /IP address/ },
  { name: 'refuses a wildcard over an IP address with a port', entry: 'https://*.10.0.0.1:8443', says: /IP address/ },
  { name: 'refuses a wildcard over an IPv6 literal', entry: 'https://*.[::1]', says: /IP address/ },
  { name: 'refuses a wildcard with a path', entry: 'https://*.example.com/', says: /trailing slash/ },
  { name: 'refuses a wildcard with an empty label', entry: 'https://*.example..com', says: /empty DNS label/ },
  // Public suffixes (ICANN and private sections of the Public Suffix List): anyone can own a site under them.
  {
    name: 'refuses a wildcard over a country-code public suffix (*.co.uk: every UK company site)',
    entry: 'https://*.co.uk',
    says: /public suffix/,
  },
  { name: 'refuses a wildcard over *.com.au', entry: 'https://*.com.au', says: /public suffix/ },
  {
    name: "refuses a wildcard over GitHub Pages (*.github.io: any user's page)",
    entry: 'https://*.github.io',
    says: /public suffix/,
  },
  {
    name: 'refuses a wildcard over Vercel deployments (*.vercel.app: any attacker deployment)',
    entry: 'https://*.vercel.app',
    says: /public suffix/,
  },
  {
    name: 'refuses a wildcard over S3 buckets (*.s3.amazonaws.com)',
    entry: 'https://*.s3.amazonaws.com',
    says: /public suffix/,
  },
  {
    name: 'refuses a wildcard over Cloudflare Pages, whatever the case and port',
    entry: 'https://*.PAGES.dev:443',
    says: /public suffix/,
  },
  {
    name: 'refuses a wildcard over Azure web apps (*.azurewebsites.net)',
    entry: 'https://*.azurewebsites.net',
    says: /public suffix/,
  },
  {
    name: 'refuses a wildcard over Heroku apps (*.herokuapp.com)',
    entry: 'https://*.herokuapp.com',
    says: /public suffix/,
  },
];

describe('origins: creation-time refusals', () => {
  it.each(REFUSED_ORIGINS)('$name', ({ entry, says }) => {
    const make = () => strictCors({ origins: [OK, entry] as string[] });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/^@portcullis\/cors: "origins\[1\]" /);
    expect(make).toThrow(says);
  });

  it.each([
    ['a registrable domain under a country-code suffix', 'https://*.example.co.uk', 'https://a.example.co.uk'],
    ['your own site under a shared-hosting suffix', 'https://*.my-app.github.io', 'https://preview.my-app.github.io'],
    ['a private name under an unlisted TLD', 'https://*.corp.internal', 'https://app.corp.internal'],
  ])('accepts a wildcard over %s', (_label, pattern, origin) => {
    const match = createOriginMatcher([pattern]);
    expect(match(origin)).toBe(origin);
    expect(match('https://evil.example.com')).toBeNull();
  });

  it('names the bad value in the message', () => {
    expect(() => strictCors({ origins: ['https://app.example.com/'] })).toThrow(
      '(got "https://app.…" (24 characters))',
    );
    expect(() => strictCors({ origins: [/evil/ as unknown as string] })).toThrow('(got a RegExp)');
  });

  it.each([
    ['a string', '*'],
    ['an empty array', []],
    ['undefined', undefined],
    ['true', true],
    ['a RegExp', /.*/],
  ])('refuses origins given as %s', (_label, origins) => {
    expect(() => strictCors({ origins } as unknown as StrictCorsOptions)).toThrow(
      /^@portcullis\/cors: "origins" must be a non-empty array of origins/,
    );
  });

  it('accepts loopback http origins without the dangerous flag', () => {
    const match = createOriginMatcher(['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080']);
    expect(match('http://localhost:3000')).toBe('http://localhost:3000');
    expect(match('http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173');
    expect(match('http://[::1]:8080')).toBe('http://[::1]:8080');
    expect(match('http://localhost:3001')).toBeNull();
  });

  it('accepts a public http origin only with dangerouslyAllowHttpOrigins', () => {
    const match = createOriginMatcher(['http://intranet.example.com'], { dangerouslyAllowHttpOrigins: true });
    expect(match('http://intranet.example.com')).toBe('http://intranet.example.com');
    expect(match('https://intranet.example.com')).toBeNull();
    expect(() =>
      strictCors({ origins: ['http://intranet.example.com'], dangerouslyAllowHttpOrigins: true }),
    ).not.toThrow();
  });

  it('still refuses http wildcards with dangerouslyAllowHttpOrigins', () => {
    expect(() => strictCors({ origins: ['http://*.example.com'], dangerouslyAllowHttpOrigins: true })).toThrow(
      /https only/,
    );
  });

  it('normalises configured origins (case, default port) and tolerates duplicates', () => {
    const match = createOriginMatcher(['HTTPS://App.Example.com:443', 'https://app.example.com']);
    expect(match('https://app.example.com')).toBe('https://app.example.com');
  });
});

describe('other options: creation-time refusals', () => {
  const BAD: readonly { name: string; options: Record<string, unknown>; says: RegExp }[] = [
    {
      name: 'refuses an unknown key (typo must not turn a control off)',
      options: { orgins: [OK] },
      says: /"orgins" is not a known option \(got an array of 1\); did you mean "origins"\?/,
    },
    {
      name: 'refuses the cors option name "origin"',
      options: { origin: OK },
      says: /"origin" is not a known option \(got .*\); did you mean "origins"\?/,
    },
    {
      name: 'refuses preflightContinue',
      options: { preflightContinue: true },
      says: /"preflightContinue" is not a known option/,
    },
    {
      name: 'refuses credentials as a string',
      options: { credentials: 'true' },
      says: /"credentials" must be a boolean \(got "true"\)/,
    },
    { name: 'refuses credentials as 1', options: { credentials: 1 }, says: /"credentials" must be a boolean/ },
    {
      name: 'refuses methods as a string',
      options: { methods: 'GET,POST' },
      says: /"methods" must be a non-empty array/,
    },
    { name: 'refuses an empty methods list', options: { methods: [] }, says: /"methods" must be a non-empty array/ },
    { name: 'refuses a "*" method', options: { methods: ['*'] }, says: /"methods\[0\]" is "\*"/ },
    {
      name: 'refuses a method with a space',
      options: { methods: ['GET POST'] },
      says: /"methods\[0\]" must be an HTTP token/,
    },
    {
      name: 'refuses a header with CRLF',
      options: { allowedHeaders: ['X-A\r\nSet-Cookie: a=b'] },
      says: /"allowedHeaders\[0\]" must be an HTTP token/,
    },
    { name: 'refuses a "*" allowed header', options: { allowedHeaders: ['*'] }, says: /"allowedHeaders\[0\]" is "\*"/ },
    {
      name: 'refuses allowedHeaders as a string',
      options: { allowedHeaders: 'Content-Type' },
      says: /"allowedHeaders" must be an array/,
    },
    { name: 'refuses a "*" exposed header', options: { exposedHeaders: ['*'] }, says: /"exposedHeaders\[0\]" is "\*"/ },
    {
      name: 'refuses a non-string exposed header',
      options: { exposedHeaders: [42] },
      says: /"exposedHeaders\[0\]" must be an HTTP token.*\(got 42\)/,
    },
    { name: 'refuses a negative maxAgeSec', options: { maxAgeSec: -1 }, says: /"maxAgeSec" must be an integer/ },
    { name: 'refuses maxAgeSec above 7200', options: { maxAgeSec: 7201 }, says: /from 0 to 7200 \(got 7201\)/ },
    { name: 'refuses a fractional maxAgeSec', options: { maxAgeSec: 1.5 }, says: /"maxAgeSec" must be an integer/ },
    { name: 'refuses NaN maxAgeSec', options: { maxAgeSec: Number.NaN }, says: /"maxAgeSec" must be an integer/ },
    { name: 'refuses maxAgeSec as a string', options: { maxAgeSec: '600' }, says: /"maxAgeSec" must be an integer/ },
    {
      name: 'refuses onReject that is not a function',
      options: { onReject: 'log' },
      says: /"onReject" must be a function/,
    },
    {
      name: 'refuses dangerouslyAllowHttpOrigins as a string',
      options: { dangerouslyAllowHttpOrigins: 'yes' },
      says: /"dangerouslyAllowHttpOrigins" must be a boolean/,
    },
  ];
  it.each(BAD)('$name', ({ options, says }) => {
    const make = () => strictCors({ origins: [OK], ...options });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/^@portcullis\/cors: /);
    expect(make).toThrow(says);
  });

  it.each([
    ['null', null],
    ['an array', [OK]],
    ['a string', OK],
  ])('refuses options given as %s', (_label, options) => {
    expect(() => strictCors(options as unknown as StrictCorsOptions)).toThrow(
      /^@portcullis\/cors: "options" must be a plain object \(got /,
    );
  });

  it('refuses no options, naming the required "origins"', () => {
    expect(() => strictCors(undefined as unknown as StrictCorsOptions)).toThrow(
      /^@portcullis\/cors: "origins" must be a non-empty array of origins \(got undefined\)/,
    );
  });
});

describe('option hygiene', () => {
  it('works with frozen options and does not mutate them', () => {
    const origins = Object.freeze(['https://app.example.com', 'https://*.example.org']);
    const methods = Object.freeze(['GET']);
    const options = Object.freeze({ origins, methods, credentials: true });
    const snapshot = JSON.stringify(options);
    expect(typeof strictCors(options)).toBe('function');
    expect(JSON.stringify(options)).toBe(snapshot);
  });

  it('treats { x: undefined } like an absent option', () => {
    const options = {
      origins: [OK],
      credentials: undefined,
      methods: undefined,
      allowedHeaders: undefined,
      exposedHeaders: undefined,
      maxAgeSec: undefined,
      onReject: undefined,
      dangerouslyAllowHttpOrigins: undefined,
    };
    expect(() => strictCors(options as unknown as StrictCorsOptions)).not.toThrow();
  });

  it('returns a named middleware function', () => {
    expect(strictCors({ origins: [OK] }).name).toBe('strictCorsMiddleware');
  });
});
