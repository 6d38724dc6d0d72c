// Origin normalisation used by the security config (TRUST_PROXY has its own tests in @portcullis/errors and the shared corpus).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyOrigin } from '../src/origins.js';

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
