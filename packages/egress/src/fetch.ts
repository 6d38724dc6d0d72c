// safeFetch: undici's fetch through the policy's dispatcher, redirects followed by hand (each hop re-checked), body capped.
import { fetch, Headers, Response, type BodyInit, type RequestInit } from 'undici';
import { sharedAgentOf } from './dispatcher.js';
import { EgressError } from './errors.js';
import type { CompiledPolicy } from './options.js';
import { checkUrl, compiledOf, loggableUrl, refuse, type EgressPolicy } from './policy.js';

/** Options of {@link safeFetch}: undici's RequestInit without `dispatcher` (the policy's is always used). */
export type SafeFetchInit = Omit<RequestInit, 'dispatcher' | 'redirect'> & {
  /** `follow` (up to the policy's maxRedirects, each hop re-checked), `error` or `manual` (the 3xx is returned). @default "follow" */
  redirect?: 'follow' | 'error' | 'manual' | undefined;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
// Fetch §4.4 step 11/13: headers that carry credentials never follow a redirect to another origin.
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

function causeChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = error;
  for (let i = 0; i < 5 && typeof e === 'object' && e !== null; i++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Turns whatever fetch threw into an EgressError (the refusal itself when the connector refused). */
function toEgressError(c: CompiledPolicy, error: unknown, where: { url: string; host: string }): EgressError {
  const chain = causeChain(error);
  const own = chain.find((e): e is EgressError => e instanceof EgressError);
  if (own !== undefined) return own;
  const code = chain
    .map((e) => (e as { code?: unknown }).code)
    .find((k) => typeof k === 'string' && TIMEOUT_CODES.has(k));
  if (code !== undefined) return refuse(c, 'egress_timeout', 'response', where, `Timed out (${code as string})`, error);
  return refuse(c, 'egress_connect', 'response', where, 'Request failed', error);
}

function replayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof URLSearchParams
  );
}

async function readCapped(
  c: CompiledPolicy,
  response: Response,
  where: { url: string; host: string },
  signal: AbortSignal,
): Promise<Uint8Array[]> {
  const declared = response.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > c.maxResponseBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw refuse(c, 'egress_too_large', 'response', where, 'Content-Length is over maxResponseBytes');
  }
  const body = response.body;
  if (body === null) return [];
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  // bodyMs bounds the whole body, so a server dripping one byte at a time (slowloris) cannot hold the call.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(refuse(c, 'egress_timeout', 'response', where, 'Body timed out'));
    }, c.timeouts.bodyMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      // Counted after decoding: a 19 KB gzip that inflates to 20 MB is stopped at the cap, not read whole.
      total += value.byteLength;
      if (total > c.maxResponseBytes)
        throw refuse(c, 'egress_too_large', 'response', where, 'Body is over maxResponseBytes');
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof EgressError) throw error;
    if (signal.aborted && signal.reason instanceof EgressError) throw signal.reason;
    throw toEgressError(c, error, where);
  } finally {
    clearTimeout(timer);
  }
  return chunks;
}

/**
 * Fetches a URL under a policy with undici's own fetch and the policy's dispatcher (so HTTP(S)_PROXY
 * and the global dispatcher play no part). Every redirect hop is re-checked (URL, then connection);
 * https→http is refused; Authorization, Cookie and Proxy-Authorization are dropped across origins;
 * 301/302 POST and 303 become GET without a body (Fetch). The body is read whole, capped at
 * maxResponseBytes decoded bytes, and returned in a new Response (no Content-Encoding/Length).
 * Rejects with an {@link EgressError}; a `dispatcher` in init is a TypeError.
 */
export async function safeFetch(policy: EgressPolicy, url: string | URL, init: SafeFetchInit = {}): Promise<Response> {
  const c = compiledOf(policy, 'safeFetch');
  if (typeof init !== 'object' || init === null)
    throw new TypeError('@portcullis/egress: safeFetch init must be an object');
  if (Object.hasOwn(init, 'dispatcher')) {
    throw new TypeError(
      '@portcullis/egress: safeFetch always uses the policy\'s dispatcher; remove "dispatcher" from init',
    );
  }
  const mode = init.redirect ?? 'follow';
  const agent = sharedAgentOf(c);
  const total = new AbortController();
  const timer = setTimeout(() => {
    total.abort(new EgressError('egress_timeout', 'totalMs elapsed'));
  }, c.timeouts.totalMs);
  const signal = init.signal ? AbortSignal.any([init.signal, total.signal]) : total.signal;
  let method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  let body: BodyInit | null = init.body ?? null;
  let current = typeof url === 'string' ? url : url.href;
  let previous: URL | undefined;
  try {
    for (let hop = 0; ; hop++) {
      const checked = checkUrl(c, current);
      if (!checked.ok) throw checked.error;
      const target = checked.url;
      const where = { url: loggableUrl(target), host: target.hostname };
      if (previous?.protocol === 'https:' && target.protocol === 'http:') {
        throw refuse(c, 'egress_redirect', 'redirect', where, 'Redirect from https to http');
      }
      let response: Response;
      try {
        response = await fetch(target, {
          ...init,
          method,
          headers,
          body,
          redirect: 'manual',
          dispatcher: agent,
          signal,
        });
      } catch (error) {
        if (init.signal?.aborted) throw init.signal.reason;
        if (total.signal.aborted) throw refuse(c, 'egress_timeout', 'response', where, 'totalMs elapsed');
        throw toEgressError(c, error, where);
      }
      if (REDIRECTS.has(response.status) && mode !== 'manual') {
        await response.body?.cancel().catch(() => undefined);
        const location = response.headers.get('location');
        if (mode === 'error') throw refuse(c, 'egress_redirect', 'redirect', where, 'Redirect with redirect: "error"');
        if (hop >= c.maxRedirects) throw refuse(c, 'egress_redirect', 'redirect', where, 'Too many redirects');
        let next: URL;
        try {
          if (location === null) throw new TypeError('no Location');
          next = new URL(location, target);
        } catch {
          throw refuse(c, 'egress_redirect', 'redirect', where, 'Redirect without a usable Location');
        }
        if (
          (response.status === 303 && method !== 'GET' && method !== 'HEAD') ||
          ((response.status === 301 || response.status === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = null;
          for (const name of BODY_HEADERS) headers.delete(name);
        } else if (!replayable(body)) {
          throw refuse(c, 'egress_redirect', 'redirect', where, 'Redirect would resend a streamed body');
        }
        if (next.origin !== target.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
        previous = target;
        current = next.href;
        continue;
      }
      const chunks = await readCapped(c, response, where, signal);
      const outHeaders = new Headers(response.headers);
      outHeaders.delete('content-encoding');
      outHeaders.delete('content-length');
      const out = new Response(NULL_BODY.has(response.status) || method === 'HEAD' ? null : Buffer.concat(chunks), {
        status: response.status,
        statusText: response.statusText,
        headers: outHeaders,
      });
      Object.defineProperty(out, 'url', { value: target.href });
      Object.defineProperty(out, 'redirected', { value: hop > 0 });
      return out;
    }
  } catch (error) {
    if (error instanceof EgressError || init.signal?.aborted) throw error;
    if (total.signal.aborted) throw new EgressError('egress_timeout', 'totalMs elapsed');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
