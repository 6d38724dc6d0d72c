// The leaks suite: malformed and hostile requests whose answers must carry no stack, path, SQL error or planted secret.
import { randomBytes } from 'node:crypto';
import { PKG, checkOptions, optionError, type OptionKeys } from '../options.js';
import { brief, exchange, type CaseDef, type PreparedSuite } from '../suite.js';
import type { RawRequest, Target } from '../target.js';
import { findLeak } from './common.js';

/** Settings of the leaks suite. */
export interface LeaksSuiteSettings {
  readonly target: Target;
  /** A route that takes a JSON body by POST (probes also GET it and unknown paths beside it), e.g. `/cases`. */
  readonly path: string;
  /** Headers sent with every probe (e.g. a valid Authorization), so probes reach the handlers. @default [] */
  readonly headers?: readonly (readonly [string, string])[] | undefined;
}

const KEYS: OptionKeys<LeaksSuiteSettings> = { target: true, path: true, headers: true };

/** The environment variable the suite plants a canary in while it runs (in-process targets only). */
export const LEAK_ENV_CANARY = 'PORTCULLIS_TESTKIT_CANARY';

interface LeakContext {
  readonly settings: LeaksSuiteSettings;
  readonly canary: string;
  readonly previousEnv: string | undefined;
}

interface Probe {
  readonly id: string;
  readonly title: string;
  readonly asvs: readonly string[];
  readonly request: (c: LeakContext) => RawRequest;
}

const ERR = ['V16.5.1'];
const URLS = ['V14.2.1', 'V16.5.1'];
const json = (c: LeakContext, body: string | Buffer, contentType = 'application/json'): RawRequest => ({
  method: 'POST',
  path: c.settings.path,
  headers: [...(c.settings.headers ?? []), ['Content-Type', contentType]],
  body,
});
const get = (
  c: LeakContext,
  path: string,
  extra: readonly (readonly [string, string])[] = [],
  method = 'GET',
): RawRequest => ({
  method,
  path,
  headers: [...(c.settings.headers ?? []), ...extra],
});

let nested = '';
const deepJson = (): string => (nested ||= `${'['.repeat(5000)}${']'.repeat(5000)}`);

/** The probes, titled after the leak they try to cause. */
export const LEAK_PROBES: readonly Probe[] = [
  {
    id: 'json-malformed',
    title: 'answers malformed JSON without a parser stack',
    asvs: ERR,
    request: (c) => json(c, '{"title": '),
  },
  { id: 'json-deep', title: 'answers 5000-deep JSON without a stack', asvs: ERR, request: (c) => json(c, deepJson()) },
  {
    id: 'json-proto',
    title: 'answers a __proto__ body without a stack',
    asvs: ERR,
    request: (c) => json(c, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  },
  {
    id: 'json-duplicate',
    title: 'answers duplicate JSON keys without a stack',
    asvs: ERR,
    request: (c) => json(c, '{"title":"a","title":{"$gt":""}}'),
  },
  {
    id: 'json-oversize',
    title: 'answers a 2 MiB body without a stack',
    asvs: ERR,
    request: (c) => json(c, `{"title":"${'x'.repeat(2 * 1024 * 1024)}"}`),
  },
  {
    id: 'json-charset',
    title: 'answers an unknown charset without a stack',
    asvs: ERR,
    request: (c) => json(c, '{"title":"a"}', 'application/json; charset=x-klingon'),
  },
  {
    id: 'json-utf16',
    title: 'answers a UTF-16 declared body without a stack',
    asvs: ERR,
    request: (c) => json(c, Buffer.from('{"title":"a"}', 'utf16le'), 'application/json; charset=utf-16'),
  },
  {
    id: 'json-invalid-utf8',
    title: 'answers invalid UTF-8 without a stack',
    asvs: ERR,
    request: (c) => json(c, Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d])),
  },
  {
    id: 'json-wrong-type',
    title: 'answers a JSON array where an object is expected without a stack',
    asvs: ERR,
    request: (c) => json(c, '[1,2,3]'),
  },
  {
    id: 'json-as-text',
    title: 'answers a text/plain body without a stack',
    asvs: ERR,
    request: (c) => json(c, '{"title":"a"}', 'text/plain'),
  },
  {
    id: 'method-unknown',
    title: 'answers an unknown method without a stack',
    asvs: ERR,
    request: (c) => get(c, c.settings.path, [], 'PROPFIND'),
  },
  {
    id: 'method-trace',
    title: 'does not echo a TRACE request',
    asvs: ['V13.4.4'],
    request: (c) => get(c, c.settings.path, [['X-Testkit-Echo', c.canary]], 'TRACE'),
  },
  {
    id: 'path-nul',
    title: 'answers %00 in the path without a stack',
    asvs: ERR,
    request: (c) => get(c, `${c.settings.path}/%00`),
  },
  {
    id: 'path-bad-escape',
    title: 'answers a broken percent escape without a stack',
    asvs: ERR,
    request: (c) => get(c, `${c.settings.path}/%E0%A4%A`),
  },
  {
    id: 'path-huge',
    title: 'answers an 8 KB path without a stack',
    asvs: ERR,
    request: (c) => get(c, `${c.settings.path}/${'a'.repeat(8 * 1024)}`),
  },
  {
    id: 'header-huge',
    title: 'answers a 20 KB header without a stack',
    asvs: ERR,
    request: (c) => get(c, c.settings.path, [['X-Big', 'b'.repeat(20 * 1024)]]),
  },
  {
    id: 'head-error',
    title: 'answers HEAD on a missing route without a body or stack',
    asvs: ERR,
    request: (c) => get(c, `${c.settings.path}/testkit-missing`, [], 'HEAD'),
  },
  {
    id: 'html-error',
    title: 'answers Accept: text/html on an error without a stack',
    asvs: ERR,
    request: (c) => get(c, `${c.settings.path}/%ZZ`, [['Accept', 'text/html']]),
  },
  {
    id: 'canary-authorization',
    title: 'never echoes a bearer token it refused',
    asvs: URLS,
    request: (c) => ({ method: 'GET', path: c.settings.path, headers: [['Authorization', `Bearer ${c.canary}`]] }),
  },
  {
    id: 'canary-basic',
    title: 'never echoes Basic credentials',
    asvs: URLS,
    request: (c) => ({
      method: 'GET',
      path: c.settings.path,
      headers: [['Authorization', `Basic ${Buffer.from(`u:${c.canary}`).toString('base64')}`]],
    }),
  },
  {
    id: 'canary-cookie',
    title: 'never echoes a cookie',
    asvs: URLS,
    request: (c) => get(c, `${c.settings.path}/%ZZ`, [['Cookie', `session=${c.canary}`]]),
  },
  {
    id: 'canary-query-token',
    title: 'never echoes ?access_token=',
    asvs: URLS,
    request: (c) => get(c, `${c.settings.path}?access_token=${c.canary}`),
  },
  {
    id: 'canary-api-key',
    title: 'never echoes X-Api-Key',
    asvs: URLS,
    request: (c) => get(c, `${c.settings.path}/%ZZ`, [['X-Api-Key', c.canary]]),
  },
  {
    id: 'canary-body-password',
    title: 'never echoes a body password in an error',
    asvs: URLS,
    request: (c) => json(c, `{"password":"${c.canary}","title":{"bad":1}}`),
  },
  {
    id: 'canary-body-token',
    title: 'never echoes a body token in an error',
    asvs: URLS,
    request: (c) => json(c, `{"token":"${c.canary}",`),
  },
  {
    id: 'canary-env',
    title: 'never reveals an environment variable',
    asvs: ['V13.4.2', 'V16.5.1'],
    request: (c) => json(c, `{"title":"$\{${LEAK_ENV_CANARY}}","x":"{{process.env.${LEAK_ENV_CANARY}}}"}`),
  },
];

function probeCase(p: Probe): CaseDef<LeakContext> {
  return {
    id: p.id,
    title: p.title,
    asvs: p.asvs,
    async run(c) {
      const ex = await exchange(c.settings.target, p.request(c));
      const base = { request: ex.request, response: ex.response };
      // A server may drop the connection on an oversized request: that leaks nothing.
      if (ex.response === undefined)
        return { ...base, passed: true, reason: `no answer (${ex.error ?? 'closed'}): nothing leaked` };
      if (ex.response.status >= 500 && ex.response.status !== 503)
        return { ...base, passed: false, reason: `attacker input produced ${brief(ex.response)}` };
      const leak = findLeak(ex.response, [c.canary]);
      if (leak !== undefined) return { ...base, passed: false, reason: `${leak}: ${brief(ex.response)}` };
      return { ...base, passed: true, reason: `answered ${ex.response.status}, nothing leaked` };
    },
  };
}

/** The leaks suite. Settings are checked here. */
export function leaksSuite(settings: LeaksSuiteSettings): PreparedSuite<LeakContext> {
  const s = checkOptions<LeaksSuiteSettings>(PKG, settings, KEYS, 'leaks');
  if (typeof s.target !== 'object' || s.target === null)
    throw optionError(PKG, 'leaks.target', 'is required', 'pass await startTarget(app)', s.target);
  if (typeof s.path !== 'string' || !s.path.startsWith('/'))
    throw optionError(PKG, 'leaks.path', 'must be a path starting with "/"', 'e.g. "/cases"', s.path);
  if (s.headers !== undefined && !Array.isArray(s.headers))
    throw optionError(
      PKG,
      'leaks.headers',
      'must be an array of [name, value] pairs',
      'e.g. [["Authorization", "Bearer …"]]',
      s.headers,
    );
  return {
    suite: 'leaks',
    cases: LEAK_PROBES.map(probeCase),
    prepare() {
      const canary = `tkc${randomBytes(12).toString('hex')}`;
      const previousEnv = process.env[LEAK_ENV_CANARY];
      process.env[LEAK_ENV_CANARY] = canary;
      return Promise.resolve({ settings, canary, previousEnv });
    },
    cleanup(c) {
      if (c.previousEnv === undefined) Reflect.deleteProperty(process.env, LEAK_ENV_CANARY);
      else process.env[LEAK_ENV_CANARY] = c.previousEnv;
      return Promise.resolve();
    },
    secrets: (c) => [...(c === undefined ? [] : [c.canary]), ...(settings.headers ?? []).map(([, v]) => v)],
  };
}
