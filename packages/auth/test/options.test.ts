// jwtAuth() option validation: every bad value throws a TypeError naming the package and the option, at creation.
import { generateKeyPairSync } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { jwtAuth, requireScopes, type JwtAuthOptions } from '@portcullis/auth';
import { AUDIENCE, HMAC_SECRET, ISSUER, keys } from './helpers.js';

const rsaPem = keys.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const base = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], publicKey: rsaPem } as const;
const hs = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], secret: HMAC_SECRET } as const;
const remote = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256'],
  jwksUri: 'https://issuer.example/.well-known/jwks.json',
} as const;
const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;

const make = (o: unknown) => () => jwtAuth(o as JwtAuthOptions);

describe('jwtAuth options', () => {
  it.each<[string, unknown, RegExp]>([
    ['options not an object', 'x', /^@portcullis\/auth: "options" must be a plain object \(got "x"\); /],
    [
      'verifiedTokenCache true',
      { ...base, verifiedTokenCache: true },
      /"verifiedTokenCache" must be an object \{ maxEntries, maxAgeSec\? \} or false/,
    ],
    [
      'verifiedTokenCache without maxEntries',
      { ...base, verifiedTokenCache: {} },
      /"verifiedTokenCache.maxEntries" must be an integer/,
    ],
    [
      'verifiedTokenCache maxEntries 0',
      { ...base, verifiedTokenCache: { maxEntries: 0 } },
      /"verifiedTokenCache.maxEntries" .*got 0/,
    ],
    [
      'verifiedTokenCache maxEntries 1.5',
      { ...base, verifiedTokenCache: { maxEntries: 1.5 } },
      /"verifiedTokenCache.maxEntries"/,
    ],
    [
      'verifiedTokenCache maxEntries over 1e6',
      { ...base, verifiedTokenCache: { maxEntries: 1_000_001 } },
      /"verifiedTokenCache.maxEntries"/,
    ],
    [
      'verifiedTokenCache maxEntries "10"',
      { ...base, verifiedTokenCache: { maxEntries: '10' } },
      /"verifiedTokenCache.maxEntries" .*got "10"/,
    ],
    [
      'verifiedTokenCache maxAgeSec 0',
      { ...base, verifiedTokenCache: { maxEntries: 10, maxAgeSec: 0 } },
      /"verifiedTokenCache.maxAgeSec" must be an integer number of seconds from 1 to 3600/,
    ],
    [
      'verifiedTokenCache maxAgeSec 3601',
      { ...base, verifiedTokenCache: { maxEntries: 10, maxAgeSec: 3601 } },
      /"verifiedTokenCache.maxAgeSec"/,
    ],
    [
      'verifiedTokenCache maxAgeSec NaN',
      { ...base, verifiedTokenCache: { maxEntries: 10, maxAgeSec: NaN } },
      /"verifiedTokenCache.maxAgeSec"/,
    ],
    [
      'verifiedTokenCache with an unknown key',
      { ...base, verifiedTokenCache: { maxEntries: 10, ttl: 5 } },
      /"verifiedTokenCache.ttl" is not a known option \(got .*\); /,
    ],
    ['options null', null, /"options" must be a plain object \(got null\)/],
    [
      'an unknown option (typo)',
      { ...base, audiance: 'x' },
      /"audiance" is not a known option \(got "x"\); did you mean "audience"\?/,
    ],
    ['missing issuer', { ...base, issuer: undefined }, /"issuer" must be/],
    ['empty issuer', { ...base, issuer: '' }, /"issuer" must be/],
    ['issuer []', { ...base, issuer: [] }, /"issuer" must be .*got an empty array\); /],
    ['issuer with a non-string', { ...base, issuer: [ISSUER, 1] }, /"issuer" must be/],
    ['missing audience', { ...base, audience: undefined }, /"audience" must be/],
    ['audience {}', { ...base, audience: {} }, /"audience" must be/],
    ['missing algorithms', { ...base, algorithms: undefined }, /"algorithms" must be a non-empty array/],
    ['algorithms []', { ...base, algorithms: [] }, /"algorithms" must be a non-empty array/],
    ['algorithms "RS256" (not an array)', { ...base, algorithms: 'RS256' }, /"algorithms" must be a non-empty array/],
    ['algorithms with none', { ...base, algorithms: ['RS256', 'none'] }, /must not contain "none"/],
    ['algorithms with NONE', { ...base, algorithms: ['NONE'] }, /must not contain "none"/],
    ['algorithms with an unknown alg', { ...base, algorithms: ['RS1'] }, /unsupported "RS1"/],
    ['mixed HS and RS algorithms', { ...hs, algorithms: ['HS256', 'RS256'] }, /mixes HS\* with asymmetric/],
    ['no key source', { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] }, /exactly one of .* \(got none\)/],
    ['two key sources', { ...base, jwksUri: remote.jwksUri }, /exactly one of .*got jwksUri, publicKey/],
    ['secret with RS256', { ...base, publicKey: undefined, secret: HMAC_SECRET }, /"secret" can only be used with HS/],
    ['publicKey with HS256', { ...hs, secret: undefined, publicKey: rsaPem }, /HS\* algorithms need "secret"/],
    ['a short HS256 secret', { ...hs, secret: 'x'.repeat(31) }, /at least 32 bytes .*got a 31-byte secret/],
    ['a short HS512 secret', { ...hs, algorithms: ['HS512'], secret: 'x'.repeat(63) }, /at least 64 bytes/],
    ['a PEM public key as secret (confusion)', { ...hs, secret: rsaPem }, /looks like a PEM key/],
    ['secret a number', { ...hs, secret: 12 }, /"secret" must be a string/],
    [
      'publicKey a private PEM',
      { ...base, publicKey: keys.rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) },
      /private key PEM/,
    ],
    [
      'publicKey a private KeyObject',
      { ...base, publicKey: keys.rsa.privateKey },
      /must be a public key \(got a private KeyObject\)/,
    ],
    [
      'publicKey garbage PEM',
      { ...base, publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' },
      /could not be parsed/,
    ],
    ['publicKey a number', { ...base, publicKey: 5 }, /"publicKey" must be a KeyObject/],
    [
      'publicKey a private JWK',
      { ...base, publicKey: keys.rsa.privateKey.export({ format: 'jwk' }) },
      /private key material/,
    ],
    ['publicKey an EC key for RS256', { ...base, publicKey: keys.ec.publicKey }, /cannot verify RS256/],
    [
      'publicKey a P-256 key for ES384',
      { ...base, algorithms: ['ES384'], publicKey: keys.ec.publicKey },
      /cannot verify ES384/,
    ],
    ['publicKey an RSA-1024 key', { ...base, publicKey: weakRsa }, /shorter than 2048 bits/],
    ['jwksUri over http', { ...remote, jwksUri: 'http://issuer.example/jwks' }, /"jwksUri" must use https/],
    [
      'jwksUri http loopback without the flag',
      { ...remote, jwksUri: 'http://127.0.0.1:1/jwks' },
      /dangerouslyAllowHttpJwks/,
    ],
    [
      'jwksUri http non-loopback with the flag',
      { ...remote, jwksUri: 'http://10.0.0.1/jwks', dangerouslyAllowHttpJwks: true },
      /must use https/,
    ],
    ['jwksUri not a URL', { ...remote, jwksUri: 'not a url' }, /absolute https URL/],
    [
      'jwksUri with credentials',
      { ...remote, jwksUri: 'https://u:p@issuer.example/jwks' },
      /must not carry credentials/,
    ],
    ['jwksUri file:', { ...remote, jwksUri: 'file:///etc/passwd' }, /must use https/],
    [
      'dangerouslyAllowHttpJwks without jwksUri',
      { ...base, dangerouslyAllowHttpJwks: true },
      /only applies with "jwksUri"/,
    ],
    ['dangerouslyAllowHttpJwks "yes"', { ...remote, dangerouslyAllowHttpJwks: 'yes' }, /must be a boolean/],
    ['cooldownMs without jwksUri', { ...base, cooldownMs: 10 }, /"cooldownMs" only applies/],
    ['jwks {}', { ...base, publicKey: undefined, jwks: {} }, /"jwks" must be a JSON Web Key Set/],
    ['jwks with no keys', { ...base, publicKey: undefined, jwks: { keys: [] } }, /at least one key/],
    [
      'jwks with a private key',
      { ...base, publicKey: undefined, jwks: { keys: [keys.rsa.privateKey.export({ format: 'jwk' })] } },
      /keys\[0\] contains private key material/,
    ],
    [
      'jwks with an oct key',
      { ...base, publicKey: undefined, jwks: { keys: [{ kty: 'oct', k: 'AAAA' }] } },
      /unsupported "kty" "oct"/,
    ],
    [
      'jwks with an enc key',
      { ...base, publicKey: undefined, jwks: { keys: [{ ...keys.rsa.jwk, use: 'enc' }] } },
      /"use" "enc"/,
    ],
    [
      'jwks with a broken key',
      { ...base, publicKey: undefined, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] } },
      /not a valid public key/,
    ],
    [
      'jwks with a tiny RSA key',
      { ...base, publicKey: undefined, jwks: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] } },
      /shorter than 2048 bits/,
    ],
    ['profile "strict"', { ...base, profile: 'strict' }, /"profile" must be "rfc9068" or "compat"/],
    ...([NaN, -1, 301, '5', null, Infinity] as unknown[]).map((v): [string, unknown, RegExp] => [
      `clockToleranceSec ${String(v)}`,
      { ...base, clockToleranceSec: v },
      /"clockToleranceSec" must be/,
    ]),
    ...([0, -1, 1.5, '60', NaN] as unknown[]).map((v): [string, unknown, RegExp] => [
      `maxTokenLifetimeSec ${String(v)}`,
      { ...base, maxTokenLifetimeSec: v },
      /"maxTokenLifetimeSec" must be an integer/,
    ]),
    ...([0, 'x'] as unknown[]).map((v): [string, unknown, RegExp] => [
      `maxTokenAgeSec ${String(v)}`,
      { ...base, maxTokenAgeSec: v },
      /"maxTokenAgeSec" must be/,
    ]),
    ...([0, 10, 2e6, '8192'] as unknown[]).map((v): [string, unknown, RegExp] => [
      `maxTokenBytes ${String(v)}`,
      { ...base, maxTokenBytes: v },
      /"maxTokenBytes" must be/,
    ]),
    ...([0, -5, 1e9, null] as unknown[]).map((v): [string, unknown, RegExp] => [
      `timeoutMs ${String(v)}`,
      { ...remote, timeoutMs: v },
      /"timeoutMs" must be/,
    ]),
    ...([0, 1.5] as unknown[]).map((v): [string, unknown, RegExp] => [
      `cooldownMs ${String(v)}`,
      { ...remote, cooldownMs: v },
      /"cooldownMs" must be/,
    ]),
    ...([0, 'x'] as unknown[]).map((v): [string, unknown, RegExp] => [
      `cacheMaxAgeMs ${String(v)}`,
      { ...remote, cacheMaxAgeMs: v },
      /"cacheMaxAgeMs" must be/,
    ]),
    ...([-1, 1e9] as unknown[]).map((v): [string, unknown, RegExp] => [
      `staleIfErrorSec ${String(v)}`,
      { ...remote, staleIfErrorSec: v },
      /"staleIfErrorSec" must be/,
    ]),
    [
      'credentialsRequired "false"',
      { ...base, credentialsRequired: 'false' },
      /"credentialsRequired" must be a boolean/,
    ],
    ['isRevoked not a function', { ...base, isRevoked: true }, /"isRevoked" must be a function/],
    ['realm with a quote', { ...base, realm: 'a"b' }, /"realm" must be/],
    ['realm with a newline', { ...base, realm: 'a\r\nSet-Cookie: x' }, /"realm" must be/],
    ['realm empty', { ...base, realm: '' }, /"realm" must be/],
  ])('rejects %s', (_name, options, message) => {
    expect(make(options)).toThrow(TypeError);
    expect(make(options)).toThrow(message);
    expect(make(options)).toThrow(/^@portcullis\/auth: /);
  });

  it('lists every problem at once', () => {
    expect(make({ issuer: '', audience: '', algorithms: [], realm: 'a"' })).toThrow(
      /"issuer"[\s\S]*"audience"[\s\S]*"algorithms"[\s\S]*exactly one[\s\S]*"realm"/,
    );
  });

  it('never echoes a secret in an error message', () => {
    const secret = 'short-but-very-secret';
    expect(make({ ...hs, secret })).not.toThrow(new RegExp(secret));
  });

  it.each<[string, unknown]>([
    ['publicKey SPKI PEM', base],
    ['publicKey PEM with surrounding whitespace', { ...base, publicKey: `\n  ${rsaPem}\n` }],
    ['publicKey PKCS#1 PEM', { ...base, publicKey: keys.rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) }],
    ['publicKey KeyObject', { ...base, publicKey: keys.rsa.publicKey }],
    ['publicKey JWK', { ...base, publicKey: keys.rsa.jwk }],
    [
      'publicKey Ed25519 for EdDSA and Ed25519',
      { ...base, algorithms: ['EdDSA', 'Ed25519'], publicKey: keys.ed.publicKey },
    ],
    ['publicKey RSA for RS256 and PS256', { ...base, algorithms: ['RS256', 'PS256'] }],
    [
      'jwks',
      { ...base, publicKey: undefined, jwks: { keys: [keys.rsa.jwk, keys.ec.jwk] }, algorithms: ['RS256', 'ES256'] },
    ],
    ['secret Uint8Array', { ...hs, secret: new Uint8Array(32) }],
    ['HS512 with a 64-byte secret', { ...hs, algorithms: ['HS512'], secret: 'y'.repeat(64) }],
    [
      'jwksUri https with every key set option',
      { ...remote, timeoutMs: 1, cooldownMs: 1, cacheMaxAgeMs: 1, staleIfErrorSec: 0 },
    ],
    ['jwksUri as a URL object', { ...remote, jwksUri: new URL(remote.jwksUri) }],
    [
      'jwksUri http on localhost with the flag',
      { ...remote, jwksUri: 'http://localhost:1/jwks', dangerouslyAllowHttpJwks: true },
    ],
    [
      'jwksUri http on [::1] with the flag',
      { ...remote, jwksUri: 'http://[::1]:1/jwks', dangerouslyAllowHttpJwks: true },
    ],
    ['verifiedTokenCache with maxEntries only', { ...base, verifiedTokenCache: { maxEntries: 1 } }],
    ['verifiedTokenCache at its bounds', { ...base, verifiedTokenCache: { maxEntries: 1_000_000, maxAgeSec: 3600 } }],
    ['verifiedTokenCache undefined', { ...base, verifiedTokenCache: undefined }],
    ['issuer and audience arrays', { ...base, issuer: [ISSUER, 'https://b.example'], audience: ['a', 'b'] }],
    [
      'all tunables',
      {
        ...base,
        profile: 'compat',
        clockToleranceSec: 0,
        maxTokenLifetimeSec: 60,
        maxTokenAgeSec: 30,
        maxTokenBytes: 4096,
        credentialsRequired: false,
        isRevoked: () => Promise.resolve(false),
        timeoutMs: 100,
        realm: 'cases',
      },
    ],
  ])('accepts %s', (_name, options) => {
    const mw = make(options)();
    expect(typeof mw).toBe('function');
    expect(mw.name).toBe('jwtAuthMiddleware');
    expect(typeof mw.ready).toBe('function');
  });

  it('works with frozen options and does not mutate them', async () => {
    const jwks = Object.freeze({ keys: Object.freeze([Object.freeze({ ...keys.rsa.jwk })]) });
    const options = Object.freeze({
      issuer: Object.freeze([ISSUER]),
      audience: AUDIENCE,
      algorithms: Object.freeze(['RS256'] as const),
      jwks,
    });
    const snapshot = JSON.stringify(options);
    const mw = jwtAuth(options as unknown as JwtAuthOptions);
    await mw.ready();
    expect(JSON.stringify(options)).toBe(snapshot);
  });

  it('treats { x: undefined } like {}', () => {
    const withUndefined = {
      ...base,
      profile: undefined,
      realm: undefined,
      maxTokenAgeSec: undefined,
      jwks: undefined,
      cooldownMs: undefined,
    };
    expect(() => jwtAuth(withUndefined as unknown as JwtAuthOptions)).not.toThrow();
  });

  it('ready() resolves once local keys are imported', async () => {
    await expect(jwtAuth(base as unknown as JwtAuthOptions).ready()).resolves.toBeUndefined();
    await expect(jwtAuth(hs as unknown as JwtAuthOptions).ready()).resolves.toBeUndefined();
  });
});

describe('requireScopes arguments', () => {
  it.each<[string, unknown[]]>([
    ['no scope', []],
    ['an empty scope', ['']],
    ['a scope with a space', ['a b']],
    ['a scope with a quote', ['a"b']],
    ['a scope with a backslash', ['a\\b']],
    ['a non-string', [1]],
  ])('rejects %s', (_name, scopes) => {
    expect(() => requireScopes(...(scopes as string[]))).toThrow(
      /^@portcullis\/auth: "scopes(\[0\])?" (needs at least one scope|is not a valid scope token \(RFC 6749 §3\.3\)) \(got .*\); /,
    );
  });

  it('returns a named middleware', () => {
    expect(requireScopes('cases:read').name).toBe('requireScopesMiddleware');
  });
});
