// Route declarations: exact matching, one-segment parameters, no prefix or look-alike matches.
import { describe, expect, it } from 'vitest';
import { compileRoute, matchRoute, pathnameOf } from '../src/routes.js';

describe('route matching for publicRoutes and bodyTypes', () => {
  const health = compileRoute('t', 'publicRoutes', { method: 'get', path: '/health' });
  const attachment = compileRoute('t', 'publicRoutes', { method: 'GET', path: '/cases/:id/attachments' });
  const root = compileRoute('t', 'publicRoutes', { method: 'GET', path: '/' });

  it.each([
    [health, 'GET', '/health', true],
    [health, 'HEAD', '/health', true],
    [health, 'POST', '/health', false],
    [health, 'GET', '/health/', false],
    [health, 'GET', '/healthz', false],
    [health, 'GET', '/Health', false],
    [health, 'GET', '//health', false],
    [health, 'GET', '/health/extra', false],
    [attachment, 'GET', '/cases/7/attachments', true],
    [attachment, 'GET', '/cases//attachments', false],
    [attachment, 'GET', '/cases/7/8/attachments', false],
    [attachment, 'GET', '/cases/7/attachments/x', false],
    [attachment, 'GET', '/cases/7', false],
    [root, 'GET', '/', true],
    [root, 'GET', '/x', false],
  ] as const)('%#: %s %s → %s', (route, method, path, expected) => {
    expect(matchRoute(route, method, path)).toBe(expected);
  });

  it('compares paths without the query string', () => {
    expect(pathnameOf('/health?x=1')).toBe('/health');
    expect(pathnameOf(undefined)).toBe('/');
    expect(matchRoute(health, 'GET', pathnameOf('/health?debug=true'))).toBe(true);
  });

  it.each([
    ['a non-object', 'GET /health'],
    ['a bad method', { method: 'G E T', path: '/x' }],
    ['a relative path', { method: 'GET', path: 'health' }],
    ['a query', { method: 'GET', path: '/x?y' }],
    ['a wildcard', { method: 'GET', path: '/x/*' }],
    ['an encoded segment', { method: 'GET', path: '/x/%2e%2e' }],
  ])('refuses %s', (_title, spec) => {
    expect(() => compileRoute('secureBaseline', 'publicRoutes', spec)).toThrow(
      /^@portcullis\/baseline: "publicRoutes[^"]*" [^\n]+; [^\n]+$/,
    );
  });
});
