// The HttpError family: statuses, codes, expose, header allowlist, challenges, and the cross-copy brand.
import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  isHttpError,
  renderChallenge,
} from '@portcullis/errors';

describe('HttpError subclasses (DESIGN.md §4 table)', () => {
  const rows: [string, HttpError, number, string][] = [
    ['BadRequestError', new BadRequestError(), 400, 'bad_request'],
    ['UnauthorizedError', new UnauthorizedError(), 401, 'unauthorized'],
    ['ForbiddenError', new ForbiddenError(), 403, 'forbidden'],
    ['NotFoundError', new NotFoundError(), 404, 'not_found'],
    ['ConflictError', new ConflictError(), 409, 'conflict'],
    ['PayloadTooLargeError', new PayloadTooLargeError(), 413, 'payload_too_large'],
    ['UnsupportedMediaTypeError', new UnsupportedMediaTypeError(), 415, 'unsupported_media_type'],
    ['ValidationError', new ValidationError(), 422, 'validation_failed'],
    ['TooManyRequestsError', new TooManyRequestsError(), 429, 'rate_limited'],
    ['ServiceUnavailableError', new ServiceUnavailableError(), 503, 'unavailable'],
  ];
  it.each(rows)('%s has status %i and code %s', (name, error, status, code) => {
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.expose).toBe(status < 500);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toBeInstanceOf(Error);
    expect(isHttpError(error)).toBe(true);
  });

  it('lets a subclass take another stable code', () => {
    expect(new BadRequestError('x', { code: 'invalid_request' }).code).toBe('invalid_request');
    expect(new ForbiddenError('x', { code: 'cors_rejected' }).code).toBe('cors_rejected');
  });

  it('marks 5xx as not exposed and clamps an out-of-range status to 500', () => {
    expect(new HttpError(502, 'bad_gateway').expose).toBe(false);
    expect(new HttpError(200, 'ok').status).toBe(500);
    expect(new HttpError(Number.NaN, 'x').status).toBe(500);
    expect(new HttpError(404, '').code).toBe('internal_error');
  });

  it('keeps the cause for logs', () => {
    const cause = new Error('db down');
    expect(new ServiceUnavailableError('x', { cause }).cause).toBe(cause);
  });
});

describe('header allowlist', () => {
  it('keeps only WWW-Authenticate, Retry-After, Allow and DPoP-Nonce', () => {
    const error = new HttpError(405, 'method_not_allowed', 'no', {
      headers: { Allow: 'GET', 'Set-Cookie': 'session=evil', Location: 'https://evil.example' } as never,
    });
    expect(error.headers).toEqual({ Allow: 'GET' });
  });

  it('renders several challenges into one WWW-Authenticate value, with algs and a DPoP-Nonce (RFC 9449 §7.1, §8)', () => {
    const error = new UnauthorizedError('x', {
      code: 'use_dpop_nonce',
      challenge: [{ scheme: 'DPoP', realm: 'api', error: 'use_dpop_nonce', algs: 'ES256 EdDSA' }, { realm: 'api' }],
      dpopNonce: 'n-1',
    });
    expect(error.headers).toEqual({
      'WWW-Authenticate': 'DPoP realm="api", error="use_dpop_nonce", algs="ES256 EdDSA", Bearer realm="api"',
      'DPoP-Nonce': 'n-1',
    });
    expect(error.challenge.scheme).toBe('DPoP');
    expect(error.code).toBe('use_dpop_nonce');
  });

  it('drops a header value carrying CR/LF (response splitting)', () => {
    const error = new HttpError(405, 'x', 'no', { headers: { Allow: 'GET\r\nSet-Cookie: a=b' } });
    expect(error.headers).toEqual({});
  });

  it('renders Retry-After in whole seconds, rounded up, and ignores bad values', () => {
    expect(new TooManyRequestsError('x', { retryAfterSec: 1.2 }).headers).toEqual({ 'Retry-After': '2' });
    expect(new ServiceUnavailableError('x', { retryAfterSec: 30 }).headers).toEqual({ 'Retry-After': '30' });
    expect(new TooManyRequestsError('x', { retryAfterSec: -1 }).headers).toEqual({});
    expect(new TooManyRequestsError('x', { retryAfterSec: Number.POSITIVE_INFINITY }).headers).toEqual({});
  });
});

describe('RFC 6750 challenges', () => {
  it('renders realm and error for an invalid token', () => {
    const error = new UnauthorizedError('bad token', { challenge: { realm: 'api', error: 'invalid_token' } });
    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    expect(error.code).toBe('invalid_token');
  });

  it('renders no error attribute when no credentials were sent (RFC 6750 §3.1)', () => {
    expect(new UnauthorizedError().headers['WWW-Authenticate']).toBe('Bearer realm="api"');
  });

  it('renders insufficient_scope with the scope on a 403', () => {
    const error = new ForbiddenError('scope', { challenge: { error: 'insufficient_scope', scope: 'cases:write' } });
    expect(error.status).toBe(403);
    expect(error.code).toBe('insufficient_scope');
    expect(error.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="cases:write"',
    );
  });

  it('drops attribute values with quotes, backslashes or line breaks (header injection)', () => {
    expect(renderChallenge({ realm: 'a"b', error: 'x\r\nSet-Cookie: y', error_description: 'c\\d' })).toBe('Bearer');
    expect(renderChallenge({ scheme: 'Bearer\r\nX: y', realm: 'ok' })).toBe('Bearer realm="ok"');
  });
});

describe('ValidationError', () => {
  it('keeps JSON-pointer issues, frozen', () => {
    const error = new ValidationError('bad', { issues: [{ pointer: '/title', message: 'Required' }] });
    expect(error.issues).toEqual([{ pointer: '/title', message: 'Required' }]);
    expect(Object.isFrozen(error.issues)).toBe(true);
  });
});

describe('isHttpError across two installed copies', () => {
  it('accepts an error branded by another copy (same Symbol.for brand, different class)', () => {
    // What a second copy of the package produces: a different class, the same global brand.
    const brand: unique symbol = Symbol.for('@portcullis/errors.HttpError') as never;
    class OtherCopyError extends Error {
      readonly [brand] = true;
      readonly status = 404;
      readonly code = 'not_found';
      readonly expose = true;
      readonly headers = {};
    }
    expect(isHttpError(new OtherCopyError())).toBe(true);
  });

  it.each([
    ['a plain object with status and code', { status: 404, code: 'not_found' }],
    ['an http-errors style error', Object.assign(new Error('x'), { status: 401, expose: true, statusCode: 401 })],
    [
      'a branded object with a 2xx status',
      { [Symbol.for('@portcullis/errors.HttpError')]: true, status: 200, code: 'x' },
    ],
    ['null', null],
    ['a string', 'not_found'],
    [
      'an object whose getters throw',
      Object.defineProperty({}, 'status', {
        get: () => {
          throw new Error('boom');
        },
      }),
    ],
  ])('rejects %s', (_title, value) => {
    expect(isHttpError(value)).toBe(false);
  });
});
