// Sentinel tests at the edges of redaction: each case logs a unique secret through createLogger and
// requestLogger and asserts it is in no emitted line, while its masked form is.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Request, Response } from 'express';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { redactUrl, requestLogger, scrubText } from '@portcullis/logging';
import { SHORT_SENSITIVE_KEYS } from '../src/names.js';
import { capturedLogger, isCompletion, waitForLine } from './helpers.js';

interface Case {
  readonly title: string;
  /** Logged as the value of a field (and, when a string, as the message too). */
  readonly value: unknown;
  /** Every one must be absent from every line. */
  readonly secrets: readonly string[];
  /** Must be present in the output (JSON-encoded as it is in the line). */
  readonly masked: string;
  /** Must stay (proof the masking is not a blanket wipe). */
  readonly kept?: string;
}

const json = (s: string): string => JSON.stringify(s).slice(1, -1);

const cases: readonly Case[] = [
  // URL userinfo, masked whole in any scheme, whatever the password holds.
  {
    title: 'masks userinfo whose password holds raw @ : and /',
    value: 'postgres://app:SntUiA1@ss:w/rdSntUiA2@db:5432/x',
    secrets: ['SntUiA1', 'SntUiA2'],
    masked: 'postgres://[REDACTED]@db:5432/x',
  },
  {
    title: 'masks a redis URL with an empty user',
    value: 'connecting to redis://:SntUiB1@cache:6379/0 now',
    secrets: ['SntUiB1'],
    masked: 'redis://[REDACTED]@cache:6379/0 now',
  },
  {
    title: 'masks a mongodb+srv URL whose password holds / and @',
    value: 'mongodb+srv://svc:a/SntUiC1@b@cluster0.example.net/db?retryWrites=true',
    secrets: ['SntUiC1'],
    masked: 'mongodb+srv://[REDACTED]@cluster0.example.net/db?retryWrites=true',
  },
  {
    title: 'masks a token given as the user of an https URL',
    value: 'git clone https://SntUiD1x@github.com/acme/repo.git',
    secrets: ['SntUiD1x'],
    masked: 'https://[REDACTED]@github.com/acme/repo.git',
  },
  {
    title: 'masks a password holding # and ? in an amqps URL',
    value: 'amqps://user:p#SntUiE1?q@mq.internal/vhost',
    secrets: ['SntUiE1'],
    masked: 'amqps://[REDACTED]@mq.internal/vhost',
  },
  {
    title: 'masks userinfo in a URL inside JSON text',
    value: '{"dsn":"mysql://root:SntUiF1@:x@db/app"}',
    secrets: ['SntUiF1'],
    masked: json('{"dsn":"mysql://[REDACTED]@db/app"}'),
  },
  {
    title: 'keeps an @ that is only in the path or the query',
    value: 'see https://social.example/users/@SntKeepA and https://h:8443/x?to=a@b',
    secrets: [],
    masked: 'https://social.example/users/@SntKeepA and https://h:8443/x?to=a@b',
  },
  // Secrets inside JSON text carried in a string.
  {
    title: 'masks a password in JSON text',
    value: '{"password":"SntJsonA1","user":"alice"}',
    secrets: ['SntJsonA1'],
    masked: json('{"password":"[REDACTED]","user":"alice"}'),
  },
  {
    title: 'masks a password in once-escaped JSON text',
    value: '{\\"password\\":\\"SntJsonB1\\",\\"user\\":\\"alice\\"}',
    secrets: ['SntJsonB1'],
    masked: json('{\\"password\\":\\"[REDACTED]\\",\\"user\\":\\"alice\\"}'),
  },
  {
    title: 'masks a password holding an escaped quote and a backslash in JSON text',
    value: '{"password":"SntJsonC1\\"x\\\\SntJsonC2","next":1}',
    secrets: ['SntJsonC1', 'SntJsonC2'],
    masked: json('{"password":"[REDACTED]","next":1}'),
  },
  {
    title: 'masks a password holding an escaped quote in once-escaped JSON text',
    value: '{\\"client_secret\\":\\"SntJsonD1\\\\\\"SntJsonD2\\",\\"a\\":1}',
    secrets: ['SntJsonD1', 'SntJsonD2'],
    masked: json('{\\"client_secret\\":\\"[REDACTED]\\",\\"a\\":1}'),
  },
  {
    title: 'masks a short key (pin) in once-escaped JSON text',
    value: '{\\"pin\\":\\"SntJsonE1\\",\\"pinned\\":true}',
    secrets: ['SntJsonE1'],
    masked: json('{\\"pin\\":\\"[REDACTED]\\",\\"pinned\\":true}'),
  },
  {
    title: 'masks short keys (jwt, api-key, auth) in JSON text',
    value: '{"JWT": "SntJsonF1", "Api-Key": "SntJsonF2", "auth":"SntJsonF3", "author": "SntKeepF"}',
    secrets: ['SntJsonF1', 'SntJsonF2', 'SntJsonF3'],
    masked: json('{"JWT": "[REDACTED]", "Api-Key": "[REDACTED]", "auth":"[REDACTED]", "author": "SntKeepF"}'),
  },
  {
    title: 'masks a JSON string value that is not quoted (number PIN)',
    value: '{"otp":123456,"pw":"SntJsonG1"}',
    secrets: ['123456', 'SntJsonG1'],
    masked: json('{"otp":[REDACTED],"pw":"[REDACTED]"}'),
  },
  // Short sensitive key names, matched exactly, ignoring case, "-" and "_".
  ...(
    [
      ['auth', 'SntKeyA1'],
      ['JWT', 'SntKeyB1'],
      ['Bearer', 'SntKeyC1'],
      ['pass', 'SntKeyD1'],
      ['PWD', 'SntKeyE1'],
      ['pw', 'SntKeyF1'],
      ['Key', 'SntKeyG1'],
      ['api_key', 'SntKeyH1'],
      ['API-KEY', 'SntKeyI1'],
      ['OTP', 'SntKeyJ1'],
      ['p_i_n', 'SntKeyK1'],
      ['Pin', 'SntKeyL1'],
    ] as const
  ).map(([key, secret]): Case => ({
    title: `masks the value of the short key "${key}"`,
    value: { [key]: secret, author: 'SntKeepK', keyboard: 'SntKeepK2' },
    secrets: [secret],
    masked: `"${key}":"[REDACTED]"`,
    kept: 'SntKeepK2',
  })),
  {
    title: 'masks a short key nested in an array of objects',
    value: { items: [{ pin: 'SntKeyM1' }, { jwt: { raw: 'SntKeyM2' } }] },
    secrets: ['SntKeyM1', 'SntKeyM2'],
    masked: '"pin":"[REDACTED]"',
  },
];

describe('sentinels through createLogger [ASVS V16.2.5]', () => {
  it.each(cases)('$title', ({ value, secrets, masked, kept }) => {
    const { logger, out } = capturedLogger();
    logger.info({ field: value }, 'field');
    if (typeof value === 'string') logger.info(value);
    logger.child({ bound: value }).info('child');
    expect(out.lines.length).toBe(typeof value === 'string' ? 3 : 2);
    for (const line of out.lines) {
      for (const secret of secrets) expect(line, `${secret} leaked`).not.toContain(secret);
    }
    expect(out.text()).toContain(masked);
    if (kept !== undefined) expect(out.text()).toContain(kept);
  });
});

describe.each(expressFlavours)('sentinels through requestLogger on $name [ASVS V16.2.5]', (flavour) => {
  it.each(cases)('$title', async ({ value, secrets, masked, kept }) => {
    const { logger, out } = capturedLogger();
    const app = buildApp(flavour, (a) => {
      a.use(requestLogger({ logger }));
      a.get('/x', (req: Request, res: Response) => {
        req.log.info({ field: value }, 'field');
        if (typeof value === 'string') req.log.warn(value);
        res.json({ ok: true });
      });
    });
    const res = await request(app).get('/x');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    await waitForLine(out, isCompletion);
    for (const line of out.lines) {
      for (const secret of secrets) expect(line, `${secret} leaked`).not.toContain(secret);
    }
    expect(out.text()).toContain(masked);
    if (kept !== undefined) expect(out.text()).toContain(kept);
  });

  it('masks a short sensitive query parameter (pin, otp, jwt) in the request line', async () => {
    const { logger, out } = capturedLogger();
    const app = buildApp(flavour, (a) => {
      a.use(requestLogger({ logger }));
      a.get('/x', (_req: Request, res: Response) => {
        res.json({ ok: true });
      });
    });
    const res = await request(app).get('/x?page=2&PIN=SntQryA1&otp=SntQryA2&jwt=SntQryA3');
    expect(res.status).toBe(200);
    const line = await waitForLine(out, isCompletion);
    expect(out.text()).not.toMatch(/SntQry/);
    expect(line.req).toMatchObject({ path: '/x', query: 'page=2&PIN=[REDACTED]&otp=[REDACTED]&jwt=[REDACTED]' });
  });

  it('logs an absolute-form request target as its path, with the query scrubbed', async () => {
    const { logger, out } = capturedLogger();
    const app = buildApp(flavour, (a) => {
      a.use(requestLogger({ logger }));
      a.get('/path', (req: Request, res: Response) => {
        req.log.info('handled');
        res.json({ ok: true });
      });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const target of [
        'http://upstream.example/path?access_token=SntAbsA1&page=1',
        'http://user:SntAbsB1@upstream.example/path?token=SntAbsB2',
      ]) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
            res.resume();
            res.on('end', () => {
              resolve(res.statusCode ?? 0);
            });
          });
          req.on('error', reject);
          req.end();
        });
        expect(status).toBe(200);
      }
      await waitForLine(out, (e) => isCompletion(e) && JSON.stringify(e).includes('"query":"token='));
      expect(out.text()).not.toMatch(/SntAbs|upstream\.example/);
      const completions = out.entries().filter(isCompletion);
      expect(completions.map((e) => e.req)).toEqual([
        expect.objectContaining({ method: 'GET', path: '/path', query: 'access_token=[REDACTED]&page=1' }),
        expect.objectContaining({ method: 'GET', path: '/path', query: 'token=[REDACTED]' }),
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the scrubbers agree', () => {
  it('the JSON-text pattern covers every short sensitive key', () => {
    for (const key of SHORT_SENSITIVE_KEYS) {
      expect(scrubText(`{"${key}":"SntCover1"}`), key).toBe('{"' + key + '":"[REDACTED]"}');
    }
  });

  it('redactUrl masks userinfo whole like scrubText', () => {
    const url = 'postgres://app:p@ss:w/rd@db:5432/x';
    expect(redactUrl(url)).toBe('postgres://[REDACTED]@db:5432/x');
    expect(scrubText(url)).toBe('postgres://[REDACTED]@db:5432/x');
  });

  it('stays linear on backslash runs', () => {
    const runs = [
      'password=\\"' + '\\'.repeat(16000),
      '{"pin":"' + '\\\\"'.repeat(4000),
      '{\\"token\\":\\"' + 'a\\'.repeat(8000),
    ];
    for (const text of runs) expect(scrubText(text)).toContain('[REDACTED]');
  });

  it('stays linear on many schemes without an @', () => {
    const text = 'a://'.repeat(4000);
    expect(scrubText(text)).toBe(text);
  });
});
