// Pilot test of the layout: the package's public entry resolves from source and renders problem+json.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { NotFoundError, errorHandler, isHttpError, notFoundHandler } from '@portcullis/errors';

describe.each(expressFlavours)('errors pilot on $name', (flavour) => {
  it('answers an unknown route with 404 problem+json', async () => {
    const app = buildApp(flavour, (a) => {
      a.use(notFoundHandler());
      a.use(errorHandler());
    });
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found' });
  });

  it('hides the message of a thrown Error behind a generic 500', async () => {
    const app = buildApp(flavour, (a) => {
      a.get('/boom', () => {
        throw new Error('SELECT * FROM users WHERE password = hunter2');
      });
      a.use(errorHandler());
    });
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'internal_error' });
    expect(res.text).not.toContain('hunter2');
  });
});

describe('isHttpError', () => {
  it('recognises its own errors and rejects look-alikes without the brand', () => {
    expect(isHttpError(new NotFoundError())).toBe(true);
    expect(isHttpError({ status: 404, code: 'not_found' })).toBe(false);
  });
});
