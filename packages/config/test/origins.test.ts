// Origin normalisation and proxy-address parsing used by the security config.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyOrigin, isProxyAddress, trustsAnyAddress } from '../src/origins.js';

describe('classifyOrigin', () => {
  it.each([
    ['https://app.example.com', { kind: 'origin', origin: 'https://app.example.com', secure: true }],
    ['HTTPS://APP.Example.com:443', { kind: 'origin', origin: 'https://app.example.com', secure: true }],
    ['http://localhost:8080', { kind: 'origin', origin: 'http://localhost:8080', secure: false }],
    ['https://[::1]:8443', { kind: 'origin', origin: 'https://[::1]:8443', secure: true }],
    ['https://bücher.example', { kind: 'origin', origin: 'https://xn--bcher-kva.example', secure: true }],
    ['*', { kind: 'wildcard' }],
    ['https://*.example.com', { kind: 'wildcard' }],
    ['null', { kind: 'null' }],
    ['https://app.example.com/', { kind: 'has-path' }],
    ['https://app.example.com/x', { kind: 'has-path' }],
    ['https://app.example.com?', { kind: 'has-path' }],
    ['https://app.example.com#', { kind: 'has-path' }],
    ['https://a:b@app.example.com', { kind: 'has-path' }],
    ['https://app.example.com/.', { kind: 'has-path' }],
    ['https://app.example.com\\', { kind: 'has-path' }],
    ['https://app.example.com/..', { kind: 'has-path' }],
    ['app.example.com', { kind: 'invalid' }],
    ['ftp://app.example.com', { kind: 'invalid' }],
    ['https://', { kind: 'invalid' }],
    ['https://exa mple.com', { kind: 'invalid' }],
  ])('classifies %j', (raw, expected) => {
    expect(classifyOrigin(raw)).toEqual(expected);
  });

  it('normalises any host and port to url.origin and flags any added path', () => {
    fc.assert(
      fc.property(fc.domain(), fc.integer({ min: 1, max: 65535 }), fc.webPath(), (host, port, path) => {
        const raw = `https://${host}:${port}`;
        const parsed = classifyOrigin(raw);
        expect(parsed).toEqual({ kind: 'origin', origin: new URL(raw).origin, secure: true });
        if (path !== '')
          expect(['has-path', 'wildcard']).toContain(
            classifyOrigin(`${raw}${path.startsWith('/') ? '' : '/'}${path}`).kind,
          );
      }),
      { numRuns: 60 },
    );
  });
});

describe('isProxyAddress', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback', 'linklocal', 'uniquelocal', '0.0.0.0/0'])(
    'accepts %j',
    (entry) => {
      expect(isProxyAddress(entry)).toBe(true);
    },
  );
  it.each(['banana', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', '300.0.0.1', 'LOOPBACK'])(
    'rejects %j',
    (entry) => {
      expect(isProxyAddress(entry)).toBe(false);
    },
  );
  it('recognises a /0 range as trusting every address', () => {
    expect(trustsAnyAddress(['10.0.0.0/8', '::/0'])).toBe(true);
    expect(trustsAnyAddress(['10.0.0.0/8'])).toBe(false);
  });
});
