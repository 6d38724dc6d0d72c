// Appends field names to the Vary header without clobbering what other middleware put there (RFC 9110 §12.5.5).
import type { ServerResponse } from 'node:http';

/** A precompiled Vary addition: the full header value to use when none is set, and the names to merge otherwise. */
export interface VaryFields {
  readonly value: string;
  readonly names: readonly string[];
}

/** Builds a {@link VaryFields} once, at creation. */
export function varyFields(names: readonly string[]): VaryFields {
  return Object.freeze({ value: names.join(', '), names: Object.freeze([...names]) });
}

/** Adds the fields to `Vary`; a no-op when they are present already or when Vary is "*". */
export function appendVary(res: ServerResponse, fields: VaryFields): void {
  const existing = res.getHeader('Vary');
  if (existing === undefined) {
    res.setHeader('Vary', fields.value);
    return;
  }
  const current = Array.isArray(existing) ? existing.join(', ') : String(existing);
  const present = new Set<string>();
  for (const part of current.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '*') return;
    if (name !== '') present.add(name);
  }
  const missing = fields.names.filter((name) => !present.has(name.toLowerCase()));
  if (missing.length === 0) return;
  res.setHeader('Vary', present.size === 0 ? missing.join(', ') : `${current}, ${missing.join(', ')}`);
}
