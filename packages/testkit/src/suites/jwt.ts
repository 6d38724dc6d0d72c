// The jwt suite: tokens from the test issuer that a correct verifier refuses with 401 before the handler runs.
import { PKG, checkOptions, optionError, type OptionKeys } from '../options.js';
import { hs256, type IssuerMode, type TestIssuer } from '../issuer.js';
import { brief, exchange, type CaseDef, type CaseOutcome, type PreparedSuite } from '../suite.js';
import type { Target } from '../target.js';

/** Settings of the jwt suite. */
export interface JwtSuiteSettings {
  /** The started target ({@link startTarget}). */
  readonly target: Target;
  /** The issuer the app trusts ({@link createTestIssuer}): the app must verify against its jwksUri, issuer and audience. */
  readonly issuer: TestIssuer;
  /** A protected route that answers 2xx to a valid token, e.g. `/cases`. */
  readonly path: string;
  /** @default "GET" */
  readonly method?: string | undefined;
  /** Claims a valid token needs besides iss/aud/iat/exp (e.g. `{ sub, tenantId, roles }`). @default {} */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
  /**
   * How many times the protected handler has run (a counter in your app or test). When given, every
   * case also checks that it did not grow. @default undefined (only the status is checked)
   */
  readonly handlerHits?: (() => number) | undefined;
  /** Run the JWKS outage cases (they switch the issuer's mode and restore `ok`). @default true */
  readonly outage?: boolean | undefined;
}

const KEYS: OptionKeys<JwtSuiteSettings> = {
  target: true,
  issuer: true,
  path: true,
  method: true,
  claims: true,
  handlerHits: true,
  outage: true,
};

interface JwtContext {
  readonly settings: JwtSuiteSettings;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly control: CaseOutcome;
  readonly tokens: string[];
}

type TokenCase = {
  readonly id: string;
  readonly title: string;
  readonly asvs: readonly string[];
  /** The Authorization header value (or undefined for no header), or a full request tweak. */
  readonly token: (c: JwtContext) => string | Promise<string>;
  /** Statuses that count as refused. @default [401] */
  readonly refused?: readonly number[];
  /** Issuer mode during the case (outage cases). */
  readonly mode?: IssuerMode;
  /** Whether the callback listener must stay at zero (jku/x5u/x5c cases check it always). */
  readonly raw?: boolean;
};

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

function payload(c: JwtContext, extra: Record<string, unknown> = {}, drop: readonly string[] = []): string {
  const t = now();
  const body: Record<string, unknown> = {
    iss: c.settings.issuer.issuer,
    aud: c.settings.issuer.audience,
    iat: t,
    exp: t + 300,
    ...c.claims,
    ...extra,
  };
  return JSON.stringify(Object.fromEntries(Object.entries(body).filter(([k]) => !drop.includes(k))));
}

function header(c: JwtContext, extra: Record<string, unknown> = {}): string {
  const form = c.settings.issuer.publicKeyForms()[0];
  return JSON.stringify({ alg: form?.alg ?? 'ES256', typ: 'at+jwt', kid: form?.kid ?? 'kit', ...extra });
}

const signed = (
  c: JwtContext,
  h: Record<string, unknown>,
  p: Record<string, unknown> = {},
  drop: readonly string[] = [],
): string => c.settings.issuer.signCompact(header(c, h), payload(c, p, drop));

const withClaims = (c: JwtContext, p: Record<string, unknown>, drop: readonly string[] = []): string =>
  c.settings.issuer.signCompact(header(c), payload(c, p, drop));

const none = (c: JwtContext, alg: string, sig: string): string =>
  `${b64(JSON.stringify({ alg, typ: 'at+jwt' }))}.${b64(payload(c))}.${sig}`;

function pubForm(c: JwtContext, pick: 'spki' | 'spki-nonl' | 'spki-crlf' | 'pkcs1' | 'jwk' | 'jwk-x'): string {
  const form = c.settings.issuer.publicKeyForms()[0];
  if (form === undefined) return 'no-key';
  switch (pick) {
    case 'spki':
      return form.spkiPem;
    case 'spki-nonl':
      return form.spkiPem.trimEnd();
    case 'spki-crlf':
      return form.spkiPem.replace(/\n/g, '\r\n');
    case 'pkcs1':
      return form.pkcs1Pem ?? form.spkiPem;
    case 'jwk':
      return form.jwkJson;
    case 'jwk-x':
      return form.jwk.x ?? form.jwk.n ?? '';
  }
}

const hsWithPublic = (c: JwtContext, pick: Parameters<typeof pubForm>[1]): string =>
  hs256(header(c, { alg: 'HS256' }), payload(c), pubForm(c, pick));

function replaceSig(token: string, sig: string): string {
  const [h, p] = token.split('.');
  return `${h ?? ''}.${p ?? ''}.${sig}`;
}

/** P-1363 (r||s) to DER, for the "DER signature" case. */
function toDer(sig: Buffer): Buffer {
  const half = sig.length / 2;
  const int = (b: Buffer): Buffer => {
    let v = b;
    while (v.length > 1 && v[0] === 0) v = v.subarray(1);
    return (v[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
  };
  const r = int(sig.subarray(0, half));
  const s = int(sig.subarray(half));
  const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, s.length]), s]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const SIG = ['V9.1.1'];
const ALG = ['V9.1.2'];
const KEY = ['V9.1.3'];
const TIME = ['V9.2.1'];
const TYPE = ['V9.2.2'];
const AUD = ['V9.2.3'];
const FAIL = ['V16.5.2', 'V9.1.3'];

const ISS_FORMS: readonly [string, (iss: string) => unknown][] = [
  ['another issuer', () => 'https://attacker.example'],
  ['the issuer with a trailing slash', (iss) => `${iss}/`],
  ['the issuer in upper case', (iss) => iss.toUpperCase()],
  ['the issuer as an array', (iss) => [iss]],
  ['the issuer with a leading space', (iss) => ` ${iss}`],
];
const AUD_FORMS: readonly [string, (aud: string) => unknown][] = [
  ['another audience', () => 'https://other-api.example'],
  ['an array without our audience', () => ['https://other-api.example']],
  ['the audience with a trailing slash', (aud) => `${aud}/`],
  ['the audience in upper case', (aud) => aud.toUpperCase()],
  ['an empty audience', () => ''],
  ['an empty audience array', () => []],
  ['a numeric audience', () => 1],
];

/** Every token case (titles name the threat). Exported as data through ./corpora (without the builders). */
export const JWT_TOKEN_CASES: readonly TokenCase[] = [
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): TokenCase[] => [
    {
      id: `alg-${alg}-nosig`,
      title: `refuses alg "${alg}" without a signature`,
      asvs: ALG,
      token: (c) => none(c, alg, ''),
    },
    {
      id: `alg-${alg}-sig`,
      title: `refuses alg "${alg}" with a signature`,
      asvs: ALG,
      token: (c) => none(c, alg, b64('sig')),
    },
  ]),
  ...(
    [
      ['spki', 'the public key as SPKI PEM'],
      ['spki-nonl', 'the public key as SPKI PEM without the final newline'],
      ['spki-crlf', 'the public key as SPKI PEM with CRLF line ends'],
      ['pkcs1', 'the public key as PKCS#1 PEM (RSA; SPKI for EC keys)'],
      ['jwk', 'the public key as JWK JSON'],
      ['jwk-x', 'the public key coordinate/modulus text'],
    ] as const
  ).map(([pick, what]): TokenCase => ({
    id: `hs256-public-${pick}`,
    title: `refuses HS256 signed with ${what} (algorithm confusion)`,
    asvs: ALG,
    token: (c) => hsWithPublic(c, pick),
  })),
  {
    id: 'alg-hs512-public',
    title: 'refuses HS512 claiming a public key as its secret',
    asvs: ALG,
    token: (c) => replaceSig(hsWithPublic(c, 'spki'), b64('x'.repeat(64))),
  },
  {
    id: 'kid-path-devnull',
    title: 'refuses a kid pointing at /dev/null with an empty HMAC secret',
    asvs: KEY,
    token: (c) => hs256(header(c, { alg: 'HS256', kid: '../../../../../../dev/null' }), payload(c), ''),
  },
  {
    id: 'kid-sql',
    title: 'refuses a kid carrying SQL that selects a known secret',
    asvs: KEY,
    token: (c) => hs256(header(c, { alg: 'HS256', kid: "x' UNION SELECT 'secret' -- " }), payload(c), 'secret'),
  },
  { id: 'kid-number', title: 'refuses a numeric kid', asvs: KEY, token: (c) => signed(c, { kid: 12345 }) },
  { id: 'kid-object', title: 'refuses an object kid', asvs: KEY, token: (c) => signed(c, { kid: { $ne: null } }) },
  { id: 'kid-10kb', title: 'refuses a 10 KB kid', asvs: KEY, token: (c) => signed(c, { kid: 'k'.repeat(10 * 1024) }) },
  {
    id: 'kid-unknown',
    title: 'refuses a kid the key set does not have',
    asvs: KEY,
    token: (c) => signed(c, { kid: 'kit-unknown' }),
  },
  {
    id: 'jku-callback',
    title: 'refuses a jku header and never fetches it',
    asvs: KEY,
    raw: true,
    token: (c) =>
      c.settings.issuer.signCompact(header(c, { jku: `${c.settings.issuer.callbackUrl}/jwks.json` }), payload(c), {
        key: 'foreign',
      }),
  },
  {
    id: 'x5u-callback',
    title: 'refuses an x5u header and never fetches it',
    asvs: KEY,
    raw: true,
    token: (c) =>
      c.settings.issuer.signCompact(header(c, { x5u: `${c.settings.issuer.callbackUrl}/cert.pem` }), payload(c), {
        key: 'foreign',
      }),
  },
  {
    id: 'jwk-embedded',
    title: "refuses a token signed by the attacker's key embedded as jwk",
    asvs: KEY,
    token: (c) =>
      c.settings.issuer.signCompact(header(c, { jwk: c.settings.issuer.foreignJwks()[0] }), payload(c), {
        key: 'foreign',
      }),
  },
  {
    id: 'x5c-embedded',
    title: 'refuses a token carrying its own x5c chain',
    asvs: KEY,
    token: (c) =>
      c.settings.issuer.signCompact(header(c, { x5c: [b64('not a certificate').replace(/-/g, '+')] }), payload(c), {
        key: 'foreign',
      }),
  },
  {
    id: 'crit-unknown',
    title: 'refuses an unknown crit header parameter (RFC 7515 §4.1.11)',
    asvs: SIG,
    token: (c) => signed(c, { crit: ['kit-ext'], 'kit-ext': true }),
  },
  {
    id: 'b64-false',
    title: 'refuses an unencoded payload (b64:false, RFC 7797)',
    asvs: SIG,
    token: (c) => signed(c, { b64: false, crit: ['b64'] }),
  },
  {
    id: 'exp-past',
    title: 'refuses a token that expired an hour ago',
    asvs: TIME,
    token: (c) => withClaims(c, { exp: now() - 3600, iat: now() - 7200 }),
  },
  {
    id: 'exp-edge',
    title: 'refuses a token that expired ten minutes ago (beyond any clock tolerance)',
    asvs: TIME,
    token: (c) => withClaims(c, { exp: now() - 600, iat: now() - 900 }),
  },
  { id: 'exp-missing', title: 'refuses a token without exp', asvs: TIME, token: (c) => withClaims(c, {}, ['exp']) },
  {
    id: 'exp-string',
    title: 'refuses exp as a string',
    asvs: TIME,
    token: (c) => withClaims(c, { exp: String(now() + 300) }),
  },
  {
    id: 'exp-huge',
    title: 'refuses an exp a million years away',
    asvs: TIME,
    token: (c) => withClaims(c, { exp: 9_999_999_999_999 }),
  },
  { id: 'exp-negative', title: 'refuses a negative exp', asvs: TIME, token: (c) => withClaims(c, { exp: -1 }) },
  {
    id: 'nbf-future',
    title: 'refuses a token not valid before an hour from now',
    asvs: TIME,
    token: (c) => withClaims(c, { nbf: now() + 3600 }),
  },
  {
    id: 'iat-future',
    title: 'refuses a token issued an hour in the future',
    asvs: TIME,
    token: (c) => withClaims(c, { iat: now() + 3600 }),
  },
  { id: 'iss-missing', title: 'refuses a token without iss', asvs: KEY, token: (c) => withClaims(c, {}, ['iss']) },
  ...ISS_FORMS.map(([what, make], i): TokenCase => ({
    id: `iss-${i + 1}`,
    title: `refuses ${what} as iss`,
    asvs: KEY,
    token: (c) => withClaims(c, { iss: make(c.settings.issuer.issuer) }),
  })),
  { id: 'aud-missing', title: 'refuses a token without aud', asvs: AUD, token: (c) => withClaims(c, {}, ['aud']) },
  ...AUD_FORMS.map(([what, make], i): TokenCase => ({
    id: `aud-${i + 1}`,
    title: `refuses ${what} as aud`,
    asvs: AUD,
    token: (c) => withClaims(c, { aud: make(c.settings.issuer.audience) }),
  })),
  {
    id: 'sig-stripped',
    title: 'refuses a token with its signature stripped',
    asvs: SIG,
    token: (c) => replaceSig(withClaims(c, {}), ''),
  },
  {
    id: 'sig-two-parts',
    title: 'refuses a token with only header and payload',
    asvs: SIG,
    token: (c) => withClaims(c, {}).split('.').slice(0, 2).join('.'),
  },
  {
    id: 'sig-foreign',
    title: 'refuses a token signed by a foreign key under our kid',
    asvs: SIG,
    token: (c) => c.settings.issuer.signCompact(header(c), payload(c), { key: 'foreign' }),
  },
  {
    id: 'sig-unpublished',
    title: 'refuses a token signed by a key the issuer never published',
    asvs: SIG,
    token: (c) => c.settings.issuer.signCompact(header(c), payload(c), { key: 'unpublished' }),
  },
  {
    id: 'sig-der',
    title: 'refuses an ECDSA signature in DER instead of JOSE (r||s) form',
    asvs: SIG,
    token: (c) => {
      const t = withClaims(c, {});
      return replaceSig(t, b64(toDer(Buffer.from(t.split('.')[2] ?? '', 'base64url'))));
    },
  },
  {
    id: 'sig-padded',
    title: 'refuses a signature with base64 padding',
    asvs: SIG,
    token: (c) => `${withClaims(c, {})}==`,
  },
  {
    id: 'sig-tampered-payload',
    title: 'refuses a signed token whose payload was changed afterwards',
    asvs: SIG,
    token: (c) => {
      const [h, , s] = withClaims(c, {}).split('.');
      return `${h ?? ''}.${b64(payload(c, { sub: 'admin', roles: ['admin'] }))}.${s ?? ''}`;
    },
  },
  {
    id: 'sig-psychic',
    title: 'refuses a zero ECDSA signature (psychic signatures, CVE-2022-21449)',
    asvs: SIG,
    token: (c) => replaceSig(withClaims(c, {}), b64(Buffer.alloc(64))),
  },
  // RFC 6750 §3.1: a malformed Authorization header may get 400 invalid_request instead of 401.
  { id: 'fmt-empty', title: 'refuses an empty bearer token', asvs: SIG, refused: [400, 401], token: () => '' },
  { id: 'fmt-one-part', title: 'refuses a one-part token', asvs: SIG, token: () => 'abc' },
  { id: 'fmt-four-parts', title: 'refuses a four-part token', asvs: SIG, token: (c) => `${withClaims(c, {})}.extra` },
  {
    id: 'fmt-bad-b64',
    title: 'refuses a token with characters outside base64url',
    asvs: SIG,
    refused: [400, 401],
    token: (c) => withClaims(c, {}).replace('.', '.*'),
  },
  {
    id: 'fmt-header-not-json',
    title: 'refuses a header that is not JSON',
    asvs: SIG,
    token: (c) => c.settings.issuer.signCompact('{alg:ES256', payload(c)),
  },
  {
    id: 'fmt-payload-not-json',
    title: 'refuses a payload that is not JSON',
    asvs: SIG,
    token: (c) => c.settings.issuer.signCompact(header(c), 'not json'),
  },
  {
    id: 'fmt-payload-array',
    title: 'refuses a payload that is a JSON array',
    asvs: SIG,
    token: (c) => c.settings.issuer.signCompact(header(c), '[1,2]'),
  },
  {
    id: 'fmt-12kb',
    title: 'refuses a 12 KB token',
    asvs: SIG,
    refused: [400, 401, 431],
    token: (c) => withClaims(c, { pad: 'p'.repeat(12 * 1024) }),
  },
  {
    id: 'fmt-1mb',
    title: 'refuses a 1 MB token',
    asvs: SIG,
    refused: [400, 401, 431, 0],
    token: (c) => `${withClaims(c, {})}${'A'.repeat(1024 * 1024)}`,
  },
  {
    id: 'jwe',
    title: 'refuses an encrypted JWT (JWE) in place of a signed one',
    asvs: SIG,
    token: () =>
      `${b64('{"alg":"dir","enc":"A256GCM"}')}..${b64('iv-iv-iv-iv')}.${b64('ciphertext')}.${b64('tag-tag-tag-tag')}`,
  },
  {
    id: 'typ-id-token',
    title: 'refuses an ID token (typ JWT, nonce) as an access token',
    asvs: TYPE,
    token: (c) => signed(c, { typ: 'JWT' }, { nonce: 'n-0S6_WzA2Mj', auth_time: now() }),
  },
  {
    id: 'typ-logout',
    title: 'refuses a logout token as an access token',
    asvs: TYPE,
    token: (c) =>
      signed(
        c,
        { typ: 'logout+jwt' },
        { events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, jti: 'kit-logout' },
      ),
  },
  {
    id: 'dpop-as-bearer',
    title: 'refuses a DPoP-bound token presented as Bearer (RFC 9449 §7.1)',
    asvs: TYPE,
    token: (c) => withClaims(c, { cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }),
  },
  {
    id: 'dup-alg',
    title: 'refuses a header with a duplicate alg member',
    asvs: SIG,
    token: (c) => c.settings.issuer.signCompact(`${header(c).slice(0, -1)},"alg":"none"}`, payload(c)),
  },
  // RFC 7519 §4: duplicates are refused or the last one wins; a first-wins parser would see our issuer here.
  {
    id: 'dup-iss',
    title: 'refuses a payload whose last duplicate iss is foreign (parser differential)',
    asvs: SIG,
    token: (c) =>
      c.settings.issuer.signCompact(header(c), `${payload(c).slice(0, -1)},"iss":"https://attacker.example"}`),
  },
  ...(['slow', '500', 'html', 'redirect', 'huge'] as const).map((mode): TokenCase => ({
    id: `jwks-${mode}`,
    title: `denies a rotated key while the JWKS endpoint is ${mode === 'slow' ? 'too slow' : mode === '500' ? 'failing with 500' : mode === 'html' ? 'serving HTML' : mode === 'redirect' ? 'redirecting elsewhere' : 'serving 4 MiB'}, never 200 or 500`,
    asvs: FAIL,
    mode,
    refused: [401, 503],
    token: (c) =>
      c.settings.issuer.signCompact(
        header(c, { kid: `kit-${String(c.settings.issuer.algorithms[0]).toLowerCase()}-next` }),
        payload(c),
        { key: 'unpublished' },
      ),
  })),
];

async function send(c: JwtContext, authorization: string | undefined): Promise<Awaited<ReturnType<typeof exchange>>> {
  const headers: [string, string][] = [['Accept', 'application/json']];
  if (authorization !== undefined) headers.push(['Authorization', authorization]);
  return exchange(c.settings.target, { method: c.settings.method ?? 'GET', path: c.settings.path, headers });
}

function tokenCase(def: TokenCase): CaseDef<JwtContext> {
  return {
    id: def.id,
    title: def.title,
    asvs: def.asvs,
    async run(c) {
      if (!c.control.passed)
        return { ...c.control, passed: false, reason: `control failed, case not meaningful: ${c.control.reason}` };
      const token = await def.token(c);
      c.tokens.push(token);
      const before = c.settings.handlerHits?.();
      const callbacksBefore = c.settings.issuer.callbackHits().length;
      if (def.mode !== undefined) c.settings.issuer.setMode(def.mode);
      let ex;
      try {
        ex = await send(c, `Bearer ${token}`);
      } finally {
        if (def.mode !== undefined) c.settings.issuer.setMode('ok');
      }
      const refused = def.refused ?? [401];
      const status = ex.response?.status ?? 0;
      const after = c.settings.handlerHits?.();
      const callbacks = c.settings.issuer.callbackHits().length - callbacksBefore;
      const base = { request: ex.request, response: ex.response };
      if (ex.response === undefined && !refused.includes(0))
        return {
          ...base,
          passed: false,
          reason: `expected ${refused.join(' or ')}, got ${brief(undefined, ex.error)}`,
        };
      if (!refused.includes(status))
        return { ...base, passed: false, reason: `expected ${refused.join(' or ')}, got ${brief(ex.response)}` };
      if (before !== undefined && after !== undefined && after !== before)
        return { ...base, passed: false, reason: `answered ${status} but the handler ran ${after - before} time(s)` };
      if (callbacks !== 0)
        return {
          ...base,
          passed: false,
          reason: `the app fetched the attacker's URL ${callbacks} time(s) (jku/x5u must never be followed)`,
        };
      return {
        ...base,
        passed: true,
        reason: `refused with ${status}${before === undefined ? '' : ', handler not run'}`,
      };
    },
  };
}

/** The jwt suite for {@link runAttacks} and the adapters. Settings are checked here. */
export function jwtSuite(settings: JwtSuiteSettings): PreparedSuite<JwtContext> {
  const s = checkOptions<JwtSuiteSettings>(PKG, settings, KEYS, 'jwt');
  for (const key of ['target', 'issuer'] as const)
    if (typeof s[key] !== 'object' || s[key] === null)
      throw optionError(
        PKG,
        `jwt.${key}`,
        'is required',
        key === 'target' ? 'pass await startTarget(app)' : 'pass await createTestIssuer(...)',
        s[key],
      );
  if (typeof s.path !== 'string' || !s.path.startsWith('/'))
    throw optionError(PKG, 'jwt.path', 'must be a path starting with "/"', 'e.g. "/cases"', s.path);
  if (s.claims !== undefined && (typeof s.claims !== 'object' || s.claims === null))
    throw optionError(PKG, 'jwt.claims', 'must be an object of claims', 'e.g. { sub: "u1" }', s.claims);
  if (s.handlerHits !== undefined && typeof s.handlerHits !== 'function')
    throw optionError(PKG, 'jwt.handlerHits', 'must be a function returning a count', 'e.g. () => hits', s.handlerHits);
  if (s.outage !== undefined && typeof s.outage !== 'boolean')
    throw optionError(PKG, 'jwt.outage', 'must be a boolean', 'pass false to skip the JWKS outage cases', s.outage);
  const checked = settings;
  const defs = JWT_TOKEN_CASES.filter((d) => s.outage !== false || d.mode === undefined).map(tokenCase);
  return {
    suite: 'jwt',
    cases: [
      {
        id: 'control-valid',
        title: 'accepts a valid token from the issuer (control: the route is protected and the issuer trusted)',
        asvs: SIG,
        run: (c) => Promise.resolve(c.control),
      },
      ...defs,
    ],
    async prepare() {
      const claims = checked.claims ?? {};
      const token = await checked.issuer.sign(claims);
      const ctx0: JwtContext = {
        settings: checked,
        claims,
        control: { passed: false, reason: 'not run' },
        tokens: [token],
      };
      const before = checked.handlerHits?.();
      const ex = await send(ctx0, `Bearer ${token}`);
      const status = ex.response?.status ?? 0;
      let control: CaseOutcome = {
        request: ex.request,
        response: ex.response,
        passed: status >= 200 && status < 300,
        reason: '',
      };
      if (!control.passed)
        control = { ...control, reason: `a valid token must get 2xx, got ${brief(ex.response, ex.error)}` };
      else if (before !== undefined && checked.handlerHits?.() === before)
        control = {
          ...control,
          passed: false,
          reason: 'a valid token got 2xx but handlerHits did not count it (the counter is not wired)',
        };
      else control = { ...control, reason: `valid token accepted with ${status}` };
      const noTokenEx = await send(ctx0, undefined);
      if (control.passed && noTokenEx.response?.status !== 401)
        control = {
          request: noTokenEx.request,
          response: noTokenEx.response,
          passed: false,
          reason: `the route must answer 401 without a token, got ${brief(noTokenEx.response, noTokenEx.error)}`,
        };
      return { ...ctx0, control };
    },
    secrets: (c) => c?.tokens ?? [],
  };
}
