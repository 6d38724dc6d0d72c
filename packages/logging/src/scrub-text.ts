// The string scrubber (layer 3) and redactUrl: patterns for credentials that hide inside free text.
import { CENSOR, SENSITIVE_QUERY_PARAMS } from './names.js';
import { isDefaultSensitiveKey } from './keys.js';

/** Longest string the scrubber keeps, in UTF-16 code units; the rest is cut (log lines are not archives). */
export const MAX_TEXT_LENGTH = 16_384;
const TRUNCATION_MARK = '…[truncated]';

// Every pattern below is linear: no nested quantifiers, bounded prefixes, and alternatives that
// cannot fail after a long scan. Inputs are attacker-controlled (paths, headers, bodies).

// Cheap pre-check: a string matching none of these cannot match any pattern below, and most log
// strings ("request completed", "/items/:id", "Mozilla/5.0 …") are like that.
const TRIGGER =
  /ey[A-Za-z0-9_-]{10}|bearer|basic|:\/\/|-----BEGIN|[?&;#][A-Za-z0-9_.~%[\]-]+=|passw|pwd|secret|token|api[_-]?key|private|authoriz|session|credential|cookie|["']\s{0,8}:/i;
// Every pattern needs one of these characters (a separator, a dot of a JWT, the space after
// "Bearer" or in a PEM label): one character-class scan settles most paths and header values.
const MAYBE = /[=:.\s]/;
const AUTH_HINT = /bearer|basic/i;
const COOKIE_HINT = /cookie/i;
// PEM private key blocks (RFC 7468 labels "PRIVATE KEY", "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY"…).
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,12}-----/g;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,12}-----/g;
// JWS (three base64url segments, the first a JSON object: "ey…") and JWE (five): the last class
// takes further dots so every segment of a JWE goes too.
const JWT = /(?<![A-Za-z0-9_-])ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*/g;
// RFC 6750 bearer and RFC 7617 basic credentials.
const AUTH_SCHEME = /\b(bearer|basic)(\s+)[A-Za-z0-9._~+/-]+=*/gi;
// Where a URL in free text ends: whitespace, quotes and angle brackets never occur raw in a URL.
const URL_END = /[\s"'<>`]/;
const PORT = /^\d*$/;
// Cookie headers quoted in text carry several pairs: everything up to the end of the line goes.
const COOKIE = /\b((?:set-)?cookie\s{0,8}[=:]\s{0,8})[^\r\n]+/gi;
// Query or fragment parameters; the name decides (see isSensitiveParam).
const PARAM = /([?&;#])([A-Za-z0-9_.~%[\]-]+)=([^&#\s"'<>]*)/g;
// key=value and "key": "value" for secret-looking names. The value is a JSON string once escaped
// (`\"…\"`, the form JSON text takes inside a JSON string; two or more backslashes before a quote
// make a quote inside it), a JSON string (backslash escapes honoured), a single-quoted string, or a
// bare word; the key may be quoted in either form.
const KEY_VALUE =
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: a backslash run is consumed whole by one alternative (it must end in a non-backslash or a quote) and the trailing parts are optional, so a match never backtracks across runs (test: "stays linear on backslash runs")
  /((?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|private[_-]?key|authorization|session|credential)[A-Za-z0-9_-]{0,32}(?:\\{0,4}["'])?\s{0,8}[=:]\s{0,8})(\\{1,4}"(?:[^"\\]|\\+[^"\\]|\\{2,}")*\\*"?|"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s&,;"'<>]+)/gi;
// JSON text with a short sensitive key (SHORT_SENSITIVE_KEYS in names.ts: "pin", "jwt", "auth"…,
// "-"/"_" anywhere): only as a whole quoted key, so "pinned" or free text "key: …" keep their values.
const SHORT_KEY_VALUE =
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: a backslash run is consumed whole by one alternative (it must end in a non-backslash or a quote) and the trailing parts are optional, so a match never backtracks across runs (test: "stays linear on backslash runs")
  /((?<![A-Za-z0-9])\\{0,4}["'](?:a[-_]*u[-_]*t[-_]*h|j[-_]*w[-_]*t|b[-_]*e[-_]*a[-_]*r[-_]*e[-_]*r|p[-_]*a[-_]*s[-_]*s|p[-_]*w[-_]*d|p[-_]*w|k[-_]*e[-_]*y|a[-_]*p[-_]*i[-_]*k[-_]*e[-_]*y|o[-_]*t[-_]*p|p[-_]*i[-_]*n)\\{0,4}["']\s{0,8}:\s{0,8})(\\{1,4}"(?:[^"\\]|\\+[^"\\]|\\{2,}")*\\*"?|"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s&,;"'<>]+)/gi;

const SENSITIVE_PARAMS = new Set(SENSITIVE_QUERY_PARAMS);
// Parameter names repeat ("page", "sort"): decisions are memoised, with a cap since names come from requests.
const paramMemo = new Map<string, boolean>();
const PARAM_MEMO_LIMIT = 2048;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

/** True when a query parameter's value must be masked: a listed name or a sensitive key name. */
function isSensitiveParam(name: string): boolean {
  const known = paramMemo.get(name);
  if (known !== undefined) return known;
  const decoded = name.includes('%') || name.includes('+') ? decodeName(name) : name.toLowerCase();
  const sensitive = SENSITIVE_PARAMS.has(decoded) || isDefaultSensitiveKey(decoded);
  if (paramMemo.size >= PARAM_MEMO_LIMIT) paramMemo.clear();
  paramMemo.set(name, sensitive);
  return sensitive;
}

function maskParam(match: string, separator: string, name: string, value: string): string {
  if (value === '' || value === CENSOR || !isSensitiveParam(name)) return match;
  return `${separator}${name}=${CENSOR}`;
}

function maskKeyValue(_match: string, key: string, value: string): string {
  const quote = /^\\*["']/.exec(value);
  if (quote !== null) return `${key}${quote[0]}${CENSOR}${quote[0]}`;
  return key + CENSOR;
}

/**
 * Masks URL userinfo whole, in any scheme: everything between `://` and the last `@` of the URL,
 * so a password holding a raw `@`, `:` or `/` (`postgres://app:p@ss:w/rd@db:5432/x`) is masked
 * entirely (`postgres://[REDACTED]@db:5432/x`). An `@` that can only be in the path or the query
 * (`https://host/users/@bob`, `https://host:8443/x?to=a@b`) is left alone. One pass, linear.
 */
function maskUserinfo(text: string): string {
  let out = '';
  let last = 0;
  let from = 0;
  for (;;) {
    const sep = text.indexOf('://', from);
    if (sep === -1) break;
    const start = sep + 3;
    let end = start;
    while (end < text.length && !URL_END.test(text.charAt(end))) end++;
    from = end;
    const at = text.lastIndexOf('@', end - 1);
    if (at < start) continue;
    if (!isUserinfo(text.slice(start, at))) continue;
    out += `${text.slice(last, start)}${CENSOR}`;
    last = at;
  }
  return last === 0 ? text : out + text.slice(last);
}

// `candidate` is what lies between "://" and the last "@": userinfo unless that "@" can only sit in
// the path or the query. A "/", "?" or "#" before it is a password character when a ":" came
// first that is not a port ("user:pa/ss@host"), or when an "@" came before it ("u:p@ss/x@host").
function isUserinfo(candidate: string): boolean {
  const delimiter = candidate.search(/[/?#]/);
  if (delimiter === -1) return true;
  const head = candidate.slice(0, delimiter);
  if (head.includes('@')) return true;
  const colon = head.indexOf(':');
  return colon !== -1 && !PORT.test(head.slice(colon + 1));
}

/**
 * The path of an absolute-form request target (`http://host/p?q` → `/p?q`, RFC 9112 §3.2.2); any
 * other target is returned as it is. Userinfo in the target is skipped like {@link maskUserinfo} does.
 */
export function originFormOf(target: string): string {
  const sep = target.indexOf('://');
  if (sep === -1 || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(target.slice(0, sep))) return target;
  const start = sep + 3;
  const at = target.lastIndexOf('@');
  const authorityStart = at >= start && isUserinfo(target.slice(start, at)) ? at + 1 : start;
  const rest = target.slice(authorityStart);
  const delimiter = rest.search(/[/?#]/);
  if (delimiter === -1) return '/';
  const path = rest.slice(delimiter);
  return path.startsWith('/') ? path : `/${path}`;
}

// Each block from BEGIN to its END goes; an unterminated block is cut to the end of the text.
function scrubPem(text: string): string {
  if (!text.includes('-----BEGIN')) return text;
  let out = '';
  let last = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let begin = PEM_BEGIN.exec(text); begin !== null; begin = PEM_BEGIN.exec(text)) {
    out += text.slice(last, begin.index) + CENSOR;
    PEM_END.lastIndex = PEM_BEGIN.lastIndex;
    if (PEM_END.exec(text) === null) return out;
    last = PEM_END.lastIndex;
    PEM_BEGIN.lastIndex = last;
  }
  return out + text.slice(last);
}

// Short strings already found clean (user agents, route patterns, "request completed" repeat on
// every line): only clean text is kept, never a credential; bounded since strings come from requests.
const cleanMemo = new Set<string>();
const CLEAN_MEMO_LIMIT = 2048;
const CLEAN_MEMO_MAX_LENGTH = 256;

function rememberClean(text: string): void {
  if (text.length > CLEAN_MEMO_MAX_LENGTH) return;
  if (cleanMemo.size >= CLEAN_MEMO_LIMIT) cleanMemo.clear();
  cleanMemo.add(text);
}

function clip(text: string): string {
  return text.length > MAX_TEXT_LENGTH ? text.slice(0, MAX_TEXT_LENGTH) + TRUNCATION_MARK : text;
}

/**
 * The string scrubber: replaces credentials found in free text with `"[REDACTED]"` — JWTs (three
 * base64url segments), `Bearer`/`Basic` credentials, URL userinfo (`https://user:pass@`), sensitive
 * query parameters, PEM private key blocks, `cookie:` lines and `password=…`/`"token": "…"` pairs.
 * Text longer than 16 384 characters is cut first. A non-string yields `""`.
 *
 * @param text - Any text, e.g. a log message.
 * @returns The text with every match masked.
 */
export function scrubText(text: string): string {
  if (typeof text !== 'string') return '';
  const clipped = clip(text);
  if (!MAYBE.test(clipped) || cleanMemo.has(clipped)) return clipped;
  if (!TRIGGER.test(clipped)) {
    rememberClean(clipped);
    return clipped;
  }
  // Each pass runs only when its marker is present; the markers are necessary for a match.
  let out = scrubPem(clipped);
  if (out.includes('ey')) out = out.replace(JWT, CENSOR);
  if (AUTH_HINT.test(out)) out = out.replace(AUTH_SCHEME, `$1$2${CENSOR}`);
  if (out.includes('://')) out = maskUserinfo(out);
  if (COOKIE_HINT.test(out)) out = out.replace(COOKIE, `$1${CENSOR}`);
  if (out.includes('=')) out = out.replace(PARAM, maskParam);
  out = out.replace(KEY_VALUE, maskKeyValue);
  return out.includes(':') ? out.replace(SHORT_KEY_VALUE, maskKeyValue) : out;
}

/**
 * Scrubs a raw query string (without `?`) pair by pair: a sensitive name masks its value, any other
 * pair goes through scrubText. Cheaper than scrubText on the whole string, same result.
 */
export function scrubQuery(query: string): string {
  const text = clip(query);
  let out = '';
  let changed = false;
  let start = 0;
  for (;;) {
    const amp = text.indexOf('&', start);
    const end = amp === -1 ? text.length : amp;
    const pair = text.slice(start, end);
    const eq = pair.indexOf('=');
    let next: string;
    if (eq > 0 && eq < pair.length - 1 && pair.slice(eq + 1) !== CENSOR && isSensitiveParam(pair.slice(0, eq))) {
      next = `${pair.slice(0, eq)}=${CENSOR}`;
    } else {
      next = scrubText(pair);
    }
    if (next !== pair) changed = true;
    out += amp === -1 ? next : `${next}&`;
    if (amp === -1) return changed ? out : text;
    start = amp + 1;
  }
}

/**
 * Masks the URL userinfo and the values of sensitive query and fragment parameters: access_token,
 * token, id_token, refresh_token, code, password, secret, api_key, apikey, key, signature, sig,
 * session, auth (names compared case-insensitively, after percent-decoding), plus any name the key
 * scrubber treats as sensitive (`client_secret`, `X-Amz-Signature`…). Other parts are kept as they
 * are. A non-string yields `""`.
 *
 * @param url - An absolute URL or a path with a query string, e.g. `req.originalUrl`.
 * @returns The URL with those values replaced by `[REDACTED]`.
 */
export function redactUrl(url: string): string {
  if (typeof url !== 'string') return '';
  return maskUserinfo(clip(url)).replace(PARAM, maskParam);
}
