// Transcripts of a case: the request and response with secrets masked, cut to a readable size.
import type { RawRequest, RawResponse } from './target.js';
import type { ReceivedResponse, SentRequest } from './types.js';

const MAX_TEXT = 2048;
const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization|dpop)$/i;

function cut(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}… (${text.length} characters)`;
}

/** Masks a credential: keeps its scheme and its first 6 characters, so a reader can tell tokens apart. */
export function maskSecret(value: string): string {
  const space = value.indexOf(' ');
  const scheme = space > 0 && space < 16 ? value.slice(0, space + 1) : '';
  const rest = value.slice(scheme.length);
  return `${scheme}${rest.slice(0, 6)}…[redacted ${rest.length} chars]`;
}

/** Masks `access_token=…`-style query and body parameters and JSON `password`/`token` members. */
export function maskText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(
    /((?:access_token|id_token|refresh_token|token|password|api_key|apikey)["']?\s*[=:]\s*["']?)([^&"'\s,}]+)/gi,
    (_m, key: string, value: string) => `${key}${maskSecret(value)}`,
  );
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}

/** The request as it goes in a transcript. */
export function sentRequest(req: RawRequest, secrets: readonly string[] = []): SentRequest {
  const headers = (req.headers ?? []).map(
    ([name, value]) => [name, SECRET_HEADERS.test(name) ? maskSecret(value) : cut(maskText(value, secrets))] as const,
  );
  const body = req.body === undefined ? undefined : cut(maskText(req.body.toString('utf8'), secrets));
  return { method: req.method ?? 'GET', path: cut(maskText(req.path, secrets)), headers, body };
}

/** The response as it goes in a transcript. */
export function receivedResponse(res: RawResponse, secrets: readonly string[] = []): ReceivedResponse {
  const headers: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    const mask = (v: string): string => (SECRET_HEADERS.test(name) ? maskSecret(v) : maskText(v, secrets));
    headers[name] = typeof value === 'string' ? mask(value) : value.map(mask);
  }
  return { status: res.status, headers, body: cut(maskText(res.text, secrets)) };
}
