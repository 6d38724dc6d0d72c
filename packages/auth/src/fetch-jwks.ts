// Fetches a JSON Web Key Set with no redirects, a deadline and a bounded body; keeps only usable public keys.
import type { JSONWebKeySet, JWK } from 'jose';
import { publicJwkProblem } from './options.js';

/** Largest key set body accepted, in bytes (1 MiB). */
export const MAX_JWKS_BYTES = 1_048_576;

/** Fetches and validates a key set. Rejects on any network, status, size or format problem. */
export async function fetchJwks(url: URL, timeoutMs: number, maxBytes = MAX_JWKS_BYTES): Promise<JSONWebKeySet> {
  const signal = AbortSignal.timeout(timeoutMs);
  // redirect: 'manual' — a 3xx is a failure: following it would let whoever controls the redirect choose our keys.
  const res = await fetch(url, {
    redirect: 'manual',
    signal,
    headers: { accept: 'application/jwk-set+json, application/json' },
  });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`key set endpoint answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`key set body too large (content-length ${declared})`);
  }
  const body = res.body;
  if (body === null) throw new Error('key set response has no body');
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream, so an oversized body is never read to its end.
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`key set body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Error('key set body is not JSON');
  }
  return usableKeys(parsed);
}

/** Keeps the public signature keys of a key set; throws when none is left. */
export function usableKeys(parsed: unknown): JSONWebKeySet {
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new Error('key set is not a JSON Web Key Set');
  }
  const keys = (parsed as { keys: unknown[] }).keys.filter((k) => publicJwkProblem(k) === undefined) as JWK[];
  if (keys.length === 0) throw new Error('key set holds no usable public signature key');
  return { keys };
}
