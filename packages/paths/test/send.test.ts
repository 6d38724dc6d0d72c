// sendSafeFile through Express 5 and 4: corpus entries as URL segments never reach a file, valid files stream with safe headers.
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, notFoundHandler } from '@portcullis/errors';
import { sendSafeFile } from '@portcullis/paths';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { CORPUS } from './corpus.js';
import { makeTree, REPORT_CSV, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.cleanup();
});

const CODE_FOR_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_path',
  403: 'forbidden_path',
  404: 'not_found',
};

function encodable(input: unknown): input is string {
  if (typeof input !== 'string' || input.length > 4000) return false;
  try {
    encodeURIComponent(input);
    return true;
  } catch {
    return false;
  }
}

const URL_CASES = CORPUS.filter((e) => encodable(e.input)).map(
  (e) => [e.title, e.input as string, e.reason, e.options?.allowSubdirectories === true] as const,
);

const STATUS_FOR_REASON: Readonly<Record<string, number>> = {
  invalid: 400,
  absolute: 403,
  traversal: 403,
  symlink_escape: 403,
  dotfile: 403,
  extension: 403,
  not_found: 404,
};

describe.each(expressFlavours)('sendSafeFile on $name', (flavour) => {
  let app: Express;
  let subApp: Express;
  beforeAll(() => {
    app = buildApp(flavour, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base));
      a.use(notFoundHandler());
      a.use(errorHandler());
    });
    subApp = buildApp(flavour, (a) => {
      const route = flavour.name === 'express5' ? '/files/{*name}' : '/files/:name(*)';
      a.get(route, sendSafeFile(tree.base, { allowSubdirectories: true }));
      a.use(notFoundHandler());
      a.use(errorHandler());
    });
  });

  it('serves a valid file with 200, the content and safe headers', async () => {
    const res = await request(app).get('/files/report.csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.text).toBe(REPORT_CSV);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(REPORT_CSV)));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toBe('attachment; filename="report.csv"');
  });

  it('serves a non-ASCII name with an RFC 6266 filename* and an ASCII fallback', async () => {
    const res = await request(app)
      .get(`/files/${encodeURIComponent('résumé.pdf')}`)
      .buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
  });

  it('serves an empty file', async () => {
    const res = await request(app).get('/files/empty.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('0');
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await request(app).head('/files/report.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(REPORT_CSV)));
    expect(res.text ?? '').toBe('');
  });

  it('serves a subdirectory file through a wildcard route when allowed', async () => {
    const res = await request(subApp).get('/files/nested/inner.csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.text).toBe('inner\n');
    expect(res.headers['content-disposition']).toBe('attachment; filename="inner.csv"');
  });

  it.each([
    ['refuses a symlink escaping the base', '/files/link-outside.csv', 403, 'forbidden_path'],
    ['refuses a same-prefix sibling', '/files/evil.csv', 403, 'forbidden_path'],
    ['refuses an extension outside the content-type allowlist', '/files/hard.exe', 403, 'forbidden_path'],
    ['refuses a dotfile', '/files/.env', 403, 'forbidden_path'],
    ['refuses a directory', '/files/dir.csv', 404, 'not_found'],
    ['refuses an encoded ..%2F', '/files/..%2Foutside%2Fsecret.csv', 403, 'forbidden_path'],
    ['refuses an encoded %2e%2e%2f', '/files/%2e%2e%2foutside%2fsecret.csv', 403, 'forbidden_path'],
    ['does not decode twice: %252e%252e%252f is a missing name', '/files/%252e%252e%252fx.csv', 404, 'not_found'],
    ['refuses an encoded NUL', '/files/report.csv%00.txt', 400, 'invalid_path'],
    ['refuses a malformed %-escape without a 500', '/files/%E0%A4%A.csv', 400, 'bad_request'],
  ])('%s', async (_title, url, status, code) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body.code).toBe(code);
    expect(res.text).not.toContain(tree.root);
    expect(res.text).not.toContain('secret');
  });

  it.each([
    ['refuses a symlinked subdirectory escaping', '/files/linkdir/secret.csv', 403, 'forbidden_path'],
    [
      'refuses ../ segments that reach the router encoded',
      '/files/nested/..%2F..%2Foutside%2Fsecret.csv',
      403,
      'forbidden_path',
    ],
  ])('%s with subdirectories', async (_title, url, status, code) => {
    const res = await request(subApp).get(url);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it.each(URL_CASES)('corpus as a URL segment: %s', async (_title, input, reason, subdirs) => {
    const res = await request(subdirs ? subApp : app).get(`/files/${encodeURIComponent(input)}`);
    expect(res.status).not.toBe(200);
    expect(res.status).not.toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body.code).toBe(CODE_FOR_STATUS[res.status]);
    expect(res.text).not.toContain(tree.root);
    if (input === '') {
      // "/files/" matches no route: the 404 handler answers.
      expect(res.status).toBe(404);
    } else if (reason === 'not_found' || reason === 'extension') {
      // sendSafeFile always has an extension allowlist (its content types), so a missing
      // extension-less name may be refused for its extension before the filesystem is asked.
      expect([403, 404]).toContain(res.status);
    } else {
      expect(res.status).toBe(STATUS_FOR_REASON[reason]);
    }
  });

  it.each(URL_CASES.filter(([, , reason]) => ['traversal', 'absolute', 'symlink_escape', 'dotfile'].includes(reason)))(
    'corpus with subdirectories allowed is still refused: %s',
    async (_title, input) => {
      const res = await request(subApp).get(`/files/${encodeURIComponent(input)}`);
      expect([400, 403]).toContain(res.status);
      expect(res.body.code).toBe(CODE_FOR_STATUS[res.status]);
    },
  );

  it('passes a missing base directory to next(err) as a 500 without details', async () => {
    const broken = buildApp(flavour, (a) => {
      a.get('/files/:name', sendSafeFile(path.join(tree.root, 'missing-base')));
      a.use(errorHandler());
    });
    const res = await request(broken).get('/files/report.csv');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(res.text).not.toContain(tree.root);
  });

  it('rejects a route without a name parameter as invalid_path', async () => {
    const wrong = buildApp(flavour, (a) => {
      a.get('/files/:file', sendSafeFile(tree.base));
      a.use(errorHandler());
    });
    const res = await request(wrong).get('/files/report.csv');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_path');
  });
});

describe('sendSafeFile options', () => {
  it('serves only the configured contentTypes', async () => {
    const app = buildApp(expressFlavours[0]!, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base, { contentTypes: { '.TXT': 'text/plain' } }));
      a.use(errorHandler());
    });
    const ok = await request(app).get('/files/notes.txt');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('text/plain');
    const refused = await request(app).get('/files/report.csv');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden_path');
  });

  it('narrows served types with allowedExtensions', async () => {
    const app = buildApp(expressFlavours[0]!, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base, { allowedExtensions: ['.csv'] }));
      a.use(errorHandler());
    });
    expect((await request(app).get('/files/report.csv')).status).toBe(200);
    const refused = await request(app).get('/files/notes.txt');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden_path');
  });

  it('rejects hard links when asked', async () => {
    const app = buildApp(expressFlavours[0]!, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base, { rejectHardlinks: true }));
      a.use(errorHandler());
    });
    const res = await request(app).get('/files/hard.csv');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden_path');
    expect(res.text).not.toContain('outside-secret');
  });
});

describe.each(expressFlavours)('sendSafeFile attachment names on $name [ASVS V5.4.1, V5.4.2]', (flavour) => {
  const seen: string[] = [];
  const appFor = (attachment: (name: string) => string): Express =>
    buildApp(flavour, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base, { attachment }));
      a.use(errorHandler());
    });

  it.each([
    ['a plain title', 'Quarterly report.csv', 'attachment; filename="Quarterly report.csv"'],
    [
      'a title that tries to inject a header with CR/LF and quotes',
      'evil"\r\nSet-Cookie: a=1\r\n.csv',
      `attachment; filename="evil_Set-Cookie: a=1.csv"; filename*=UTF-8''evil%22Set-Cookie%3A%20a%3D1.csv`,
    ],
    [
      'a non-ASCII title',
      '报告 2026.csv',
      `attachment; filename="__ 2026.csv"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202026.csv`,
    ],
    ['a title with path separators', '../..\\etc/passwd.csv', 'attachment; filename="....etcpasswd.csv"'],
    ['a title with a lone surrogate', 'x\uD800.csv', `attachment; filename="x_.csv"; filename*=UTF-8''x%EF%BF%BD.csv`],
    ['a title with C1 controls and DEL', 'a\u0085b\u007fc.csv', 'attachment; filename="abc.csv"'],
    ['a title that is empty once cleaned', '\r\n\t ', 'attachment; filename="report.csv"'],
    ['a title of 1000 characters', 'a'.repeat(1000), `attachment; filename="${'a'.repeat(255)}"`],
  ])('names the download after %s without header injection', async (_title, chosen, header) => {
    seen.length = 0;
    const app = appFor((name) => {
      seen.push(name);
      return chosen;
    });
    const res = await request(app).get('/files/report.csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.text).toBe(REPORT_CSV);
    expect(res.headers['content-disposition']).toBe(header);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(seen).toEqual(['report.csv']);
  });

  it.each([
    [
      'throws',
      (): string => {
        throw new Error('boom /srv/secret');
      },
    ],
    ['returns a non-string', (() => 42) as unknown as (name: string) => string],
  ])('answers 500 without details when the attachment function %s', async (_title, attachment) => {
    const res = await request(appFor(attachment)).get('/files/report.csv');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(res.text).not.toContain('secret');
    expect(res.headers['content-disposition']).toBeUndefined();
  });
});

describe('sendSafeFile empty option forms', () => {
  it('answers {}, Object.create(null) and { ranges: undefined, attachment: undefined } exactly like no options', async () => {
    const answer = async (options?: object): Promise<unknown> => {
      const app = buildApp(expressFlavours[0]!, (a) => {
        a.get('/files/:name', sendSafeFile(tree.base, options as never));
      });
      const res = await request(app).get('/files/report.csv').set('Range', 'bytes=0-3').buffer(true);
      const { date: _date, ...headers } = res.headers;
      return { status: res.status, headers, text: res.text };
    };
    const reference = await answer();
    expect(reference).toMatchObject({ status: 206, text: 'id,n' });
    for (const form of [{}, Object.create(null) as object, { ranges: undefined, attachment: undefined }]) {
      expect(await answer(Object.freeze(form))).toEqual(reference);
    }
  });
});
