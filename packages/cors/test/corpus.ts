// The bypass corpus: Origin values an attacker (or a sloppy matcher) might use against ["https://app.example.com"].

export const ALLOWED = 'https://app.example.com';

/** One corpus entry: the Origin sent, and the exact ACAO expected (null = rejected). */
export interface CorpusCase {
  readonly name: string;
  readonly origin: string;
  readonly expected: string | null;
  /** False when Node's HTTP client refuses to send the value (non-Latin-1); then only the pure matcher is tested. */
  readonly sendable: boolean;
}

const c = (name: string, origin: string, expected: string | null, sendable = true): CorpusCase => ({
  name,
  origin,
  expected,
  sendable,
});

export const CORPUS: readonly CorpusCase[] = [
  c('allows the exact origin', 'https://app.example.com', ALLOWED),
  c('allows the explicit default port :443 (same origin)', 'https://app.example.com:443', ALLOWED),
  c('allows upper case after normalisation', 'HTTPS://APP.EXAMPLE.COM', ALLOWED),
  c('allows mixed case after normalisation', 'https://App.Example.COM', ALLOWED),
  c('rejects the http downgrade', 'http://app.example.com', null),
  c('rejects http on port 443', 'http://app.example.com:443', null),
  c('rejects the allowed origin as a prefix of another domain', 'https://app.example.com.evil.com', null),
  c('rejects a suffix match (evilapp.example.com)', 'https://evilapp.example.com', null),
  c('rejects an unescaped-dot regex match (appxexample.com)', 'https://appxexample.com', null),
  c('rejects app-example.com', 'https://app-example.com', null),
  c('rejects the "null" origin', 'null', null),
  c('rejects an empty Origin', '', null),
  c('rejects another port', 'https://app.example.com:8443', null),
  c('rejects a trailing dot', 'https://app.example.com.', null),
  c('rejects a double trailing dot', 'https://app.example.com..', null),
  c('rejects a trailing slash', 'https://app.example.com/', null),
  c('rejects a path', 'https://app.example.com/path', null),
  c('rejects userinfo before the host', 'https://user@app.example.com', null),
  c('rejects the allowed origin as userinfo of evil.com', 'https://app.example.com@evil.com', null),
  c('rejects a backslash userinfo trick', 'https://app.example.com\\@evil.com', null),
  c('rejects the allowed host in a fragment', 'https://evil.com#app.example.com', null),
  c('rejects the allowed host in a query', 'https://evil.com?app.example.com', null),
  c('rejects a percent-encoded backtick host', 'https://app.example.com%60.evil.com', null),
  c('rejects a percent-encoded dot that URL parsing would decode', 'https://app%2eexample.com', null),
  c('rejects an underscore-joined host', 'https://app.example.com_.evil.com', null),
  c('rejects a port-looking label (:443.evil.com)', 'https://app.example.com:443.evil.com', null),
  c('rejects a semicolon-joined host', 'https://app.example.com;evil.com', null),
  c('rejects a comma-joined list', 'https://app.example.com, https://evil.com', null),
  c('rejects a space-joined list', 'https://app.example.com https://evil.com', null),
  c('rejects a tab inside the host that URL parsing would strip', 'https://app.exa\tmple.com', null),
  c('rejects a punycode look-alike (Cyrillic а)', 'https://xn--pp-6kc.example.com', null),
  c('rejects a unicode look-alike (Cyrillic а)', 'https://\u0430pp.example.com', null, false),
  c('rejects a unicode look-alike (Cyrillic е in example)', 'https://app.exampl\u0435.com', null, false),
  c('rejects a Latin-1 look-alike (à)', 'https://\u00e0pp.example.com', null),
  c('rejects a different TLD (.co)', 'https://app.example.co', null),
  c('rejects file://', 'file://', null),
  c('rejects a file: URL', 'file:///etc/passwd', null),
  c('rejects a chrome-extension origin', 'chrome-extension://abc', null),
  c('rejects data:', 'data:', null),
  c('rejects a websocket scheme', 'wss://app.example.com', null),
  c('rejects http://localhost', 'http://localhost', null),
  c('rejects https://127.0.0.1', 'https://127.0.0.1', null),
  c('rejects https://[::1]', 'https://[::1]', null),
  c('rejects a scheme-relative origin', '//app.example.com', null),
  c('rejects a bare host', 'app.example.com', null),
  c('rejects https: without slashes that URL parsing would accept', 'https:app.example.com', null),
  c('rejects https:/ with one slash that URL parsing would accept', 'https:/app.example.com', null),
  c('rejects an empty port that URL parsing would drop', 'https://app.example.com:', null),
  c('rejects an out-of-range port', 'https://app.example.com:99999', null),
  c('rejects a literal wildcard', 'https://*.example.com', null),
  c('rejects "*"', '*', null),
  c('rejects an 8 KB origin', `https://${'a'.repeat(8192)}.app.example.com`, null),
  c('rejects the allowed origin repeated to 8 KB', ALLOWED.repeat(360), null),
];
