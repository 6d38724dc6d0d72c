// The cors suite: look-alike origins (fixed and generated from your allowlist) must never be granted; Vary: Origin always.
import { PKG, checkOptions, optionError, type OptionKeys } from '../options.js';
import { brief, exchange, type CaseDef, type CaseOutcome, type PreparedSuite } from '../suite.js';
import type { RawResponse, Target } from '../target.js';

/** Settings of the cors suite. */
export interface CorsSuiteSettings {
  readonly target: Target;
  /** A route the browser may call cross-origin, e.g. `/health`. */
  readonly path: string;
  /** The exact origins your app allows, e.g. `["https://app.example.com"]`; the first is the control. */
  readonly allowedOrigins: readonly string[];
}

const KEYS: OptionKeys<CorsSuiteSettings> = { target: true, path: true, allowedOrigins: true };
const CORS = ['V3.4.2'];

interface CorsContext {
  readonly settings: CorsSuiteSettings;
}

/** Origins no allowlist should grant, whatever it contains. */
export const FIXED_ORIGINS: readonly string[] = [
  'null',
  'https://attacker.example',
  'http://attacker.example',
  'https://localhost',
  'http://127.0.0.1',
  'file://',
  'https://attacker.example:443',
  'https://xn--80ak6aa92e.com',
  '*',
  'https://attacker.example%60.example',
  'https://\u00e9vil.example',
  'https://attacker.example\t',
  'https://attacker.example/',
  'chrome-extension://abcdefghijklmnop',
  'data:',
];

/** Look-alikes of one allowed origin: the mistakes regex and prefix/suffix allowlists make. */
export function originVariants(allowed: string): readonly [string, string][] {
  let url: URL;
  try {
    url = new URL(allowed);
  } catch {
    return [];
  }
  const host = url.hostname;
  const port = url.port === '' ? '' : `:${url.port}`;
  const scheme = url.protocol;
  const other = scheme === 'https:' ? 'http:' : 'https:';
  const dotless = host.includes('.') ? host.replace('.', 'x') : `${host}x`;
  return [
    ['prefix', `${scheme}//${host}.attacker.example${port}`],
    ['suffix', `${scheme}//attacker${host}${port}`],
    ['suffix-dash', `${scheme}//attacker-${host}${port}`],
    ['subdomain', `${scheme}//evil.${host}${port}`],
    ['unescaped-dot', `${scheme}//${dotless}${port}`],
    ['userinfo', `${scheme}//${host}${port}@attacker.example`],
    ['backslash', `${scheme}//${host}${port}\\attacker.example`],
    ['other-port', `${scheme}//${host}:${url.port === '1' ? '2' : '1'}`],
    ['scheme-downgrade', `${other}//${host}${port}`],
    ['trailing-dot', `${scheme}//${host}.${port}`],
    ['upper-case', `${scheme}//${host.toUpperCase()}${port}`],
    ['trailing-slash', `${allowed}/`],
    ['path', `${allowed}/x`],
    ['homograph', `${scheme}//${host.replace(/a/, '\u0430').replace(/o/, '\u043e')}${port}`],
    ['latin1', `${scheme}//${host}\u00ff${port}`],
  ].filter(([, o]) => o !== allowed) as [string, string][];
}

function header(res: RawResponse | undefined, name: string): string | undefined {
  const v = res?.headers[name];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : String(v);
}

function varyHasOrigin(res: RawResponse | undefined): boolean {
  return (header(res, 'vary') ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)
    .some((v) => v === 'origin' || v === '*');
}

function refusal(origin: string, preflight: boolean, id: string, title: string): CaseDef<CorsContext> {
  return {
    id,
    title,
    asvs: CORS,
    async run(c) {
      const headers: [string, string][] = [['Origin', origin]];
      if (preflight)
        headers.push(['Access-Control-Request-Method', 'POST'], ['Access-Control-Request-Headers', 'content-type']);
      const ex = await exchange(c.settings.target, {
        method: preflight ? 'OPTIONS' : 'GET',
        path: c.settings.path,
        headers,
      });
      const base = { request: ex.request, response: ex.response };
      if (ex.response === undefined) return { ...base, passed: false, reason: brief(undefined, ex.error) };
      if (ex.response.status >= 500)
        return { ...base, passed: false, reason: `a hostile Origin produced ${brief(ex.response)}` };
      const acao = header(ex.response, 'access-control-allow-origin');
      if (
        // Any granted origin outside the allowlist fails (a parser may have trimmed or decoded what was sent).
        acao !== undefined &&
        (acao === origin || !c.settings.allowedOrigins.includes(acao))
      )
        return { ...base, passed: false, reason: `granted Access-Control-Allow-Origin: ${acao}` };
      if (!varyHasOrigin(ex.response))
        return { ...base, passed: false, reason: 'no Vary: Origin (a cache may serve one origin’s answer to another)' };
      return {
        ...base,
        passed: true,
        reason: `not granted (${ex.response.status}, no matching Access-Control-Allow-Origin)`,
      };
    },
  };
}

/** A preflight from an allowed origin asking for a method or header the app never allows: it must not be granted. */
function preflightAsk(kind: 'method' | 'header', value: string): CaseDef<CorsContext> {
  return {
    id: `preflight-${kind}-${value.toLowerCase()}`,
    title: `does not grant a preflight asking for the ${kind} ${value}`,
    asvs: CORS,
    async run(c) {
      const origin = c.settings.allowedOrigins[0] ?? '';
      const headers: [string, string][] = [
        ['Origin', origin],
        ['Access-Control-Request-Method', kind === 'method' ? value : 'POST'],
      ];
      if (kind === 'header') headers.push(['Access-Control-Request-Headers', value]);
      const ex = await exchange(c.settings.target, { method: 'OPTIONS', path: c.settings.path, headers });
      const base = { request: ex.request, response: ex.response };
      if (ex.response === undefined) return { ...base, passed: false, reason: brief(undefined, ex.error) };
      if (ex.response.status >= 500)
        return { ...base, passed: false, reason: `a preflight produced ${brief(ex.response)}` };
      const granted =
        header(ex.response, kind === 'method' ? 'access-control-allow-methods' : 'access-control-allow-headers') ?? '';
      const list = granted.toLowerCase().split(/\s*,\s*/);
      if (list.includes(value.toLowerCase()) || list.includes('*'))
        return { ...base, passed: false, reason: `granted ${kind} ${value}: ${granted}` };
      return { ...base, passed: true, reason: `not granted (${ex.response.status})` };
    },
  };
}

/** Methods and headers no API allows cross-origin. */
export const PREFLIGHT_ASKS: readonly ['method' | 'header', string][] = [
  ['method', 'TRACE'],
  ['method', 'PROPFIND'],
  ['header', 'X-Testkit-Evil'],
  ['header', 'X-Forwarded-For'],
];

function control(c: CorsContext): Promise<CaseOutcome> {
  const origin = c.settings.allowedOrigins[0] ?? '';
  return exchange(c.settings.target, { method: 'GET', path: c.settings.path, headers: [['Origin', origin]] }).then(
    (ex) => {
      const acao = header(ex.response, 'access-control-allow-origin');
      const base = { request: ex.request, response: ex.response };
      if (acao !== origin)
        return {
          ...base,
          passed: false,
          reason: `the allowed origin must be echoed, got ${acao ?? 'no Access-Control-Allow-Origin'}`,
        };
      if (!varyHasOrigin(ex.response))
        return { ...base, passed: false, reason: 'no Vary: Origin on an allowed answer' };
      return { ...base, passed: true, reason: 'allowed origin echoed with Vary: Origin' };
    },
  );
}

/** The cors suite. Settings are checked here. */
export function corsSuite(settings: CorsSuiteSettings): PreparedSuite<CorsContext> {
  const s = checkOptions<CorsSuiteSettings>(PKG, settings, KEYS, 'cors');
  if (typeof s.target !== 'object' || s.target === null)
    throw optionError(PKG, 'cors.target', 'is required', 'pass await startTarget(app)', s.target);
  if (typeof s.path !== 'string' || !s.path.startsWith('/'))
    throw optionError(PKG, 'cors.path', 'must be a path starting with "/"', 'e.g. "/health"', s.path);
  const allowed = s.allowedOrigins;
  if (
    !Array.isArray(allowed) ||
    allowed.length === 0 ||
    !allowed.every((o) => typeof o === 'string' && URL.canParse(o))
  )
    throw optionError(
      PKG,
      'cors.allowedOrigins',
      'must be a non-empty array of origins',
      'e.g. ["https://app.example.com"]',
      allowed,
    );
  const origins = allowed as readonly string[];
  const cases: CaseDef<CorsContext>[] = [
    {
      id: 'control-allowed',
      title: 'grants the first allowed origin (control: the suite sees CORS answers)',
      asvs: CORS,
      run: control,
    },
  ];
  FIXED_ORIGINS.forEach((o, i) => {
    cases.push(refusal(o, false, `fixed-${i + 1}`, `does not grant the origin ${JSON.stringify(o)}`));
    cases.push(refusal(o, true, `fixed-${i + 1}-preflight`, `does not grant a preflight from ${JSON.stringify(o)}`));
  });
  for (const [kind, value] of PREFLIGHT_ASKS) cases.push(preflightAsk(kind, value));
  origins.forEach((allowedOrigin, a) => {
    for (const [kind, o] of originVariants(allowedOrigin)) {
      if (origins.includes(o)) continue;
      cases.push(
        refusal(o, false, `allowlist-${a + 1}-${kind}`, `does not grant a ${kind} look-alike of ${allowedOrigin}`),
      );
    }
  });
  const gated = cases.map((def, i): CaseDef<CorsContext> =>
    i === 0
      ? def
      : {
          ...def,
          run: async (c) => {
            const ctl = await control(c);
            return ctl.passed
              ? def.run(c)
              : { ...ctl, passed: false, reason: `control failed, case not meaningful: ${ctl.reason}` };
          },
        },
  );
  return { suite: 'cors', cases: gated, prepare: () => Promise.resolve({ settings }), secrets: () => [] };
}
