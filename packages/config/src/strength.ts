// Estimated strength of a signing key: zxcvbn's pattern search (dictionaries, keyboard walks, sequences, repeats) plus structural caps.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/** Strength a signing key must reach: 128 bits, the security level of HS256 (RFC 7518 §3.2, NIST SP 800-57). */
export const MIN_SECRET_BITS = 128;

/**
 * Characters of a secret the estimate looks at. zxcvbn's matching is quadratic and worse on long
 * inputs; 128 characters cost a few milliseconds once at start-up, and a secret must reach
 * {@link MIN_SECRET_BITS} within them (a random secret does so in 22 base64 characters).
 */
export const MAX_ESTIMATED_CHARS = 128;

let factory: ZxcvbnFactory | undefined;

function zxcvbn(): ZxcvbnFactory {
  // Built on first use: loading the dictionaries takes tens of milliseconds, and most configs have no HS key.
  factory ??= new ZxcvbnFactory({
    dictionary: { ...dictionary },
    graphs: adjacencyGraphs,
    useLevenshteinDistance: false,
    // zxcvbn's l33t search grows with the substitutions it tries; a few catch "p4ssw0rd" at a bounded cost.
    l33tMaxSubstitutions: 4,
    maxLength: MAX_ESTIMATED_CHARS,
  });
  return factory;
}

// RFC 9562 layout: the version nibble (1-8) and the variant bits (8, 9, a, b) where a UUID has them.
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[1-8][0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;

/**
 * Bits per character of a random string over the alphabet `text` appears to use: hex and digits are
 * recognised as such, otherwise the classes present (lower, upper, digits, symbols). Few distinct
 * characters cap it: a string using d of them carries at most about log2(d) + 1 bits per character.
 */
function bitsPerChar(text: string): number {
  if (/^[0-9]+$/.test(text)) return Math.log2(10);
  let cardinality: number;
  if (/^[0-9a-f]+$/.test(text) || /^[0-9A-F]+$/.test(text)) cardinality = 16;
  else {
    cardinality =
      (/[a-z]/.test(text) ? 26 : 0) +
      (/[A-Z]/.test(text) ? 26 : 0) +
      (/[0-9]/.test(text) ? 10 : 0) +
      (/[^a-zA-Z0-9]/.test(text) ? 33 : 0);
  }
  const distinct = new Set(text).size;
  return Math.min(Math.log2(cardinality), Math.log2(Math.max(distinct, 1)) + 1);
}

/** The shortest p such that `text` is its first p characters repeated (the last copy may be cut), or its length. */
function period(text: string): number {
  for (let p = 1; p <= text.length / 2; p++) {
    let repeats = true;
    for (let i = p; i < text.length && repeats; i++) repeats = text[i] === text[i - p];
    if (repeats) return p;
  }
  return text.length;
}

/** Structural ceiling: repetition, UUID shape, alphabet and distinct characters. */
function structuralBits(text: string): number {
  const p = period(text);
  if (p < text.length) return structuralBits(text.slice(0, p)) + Math.log2(Math.ceil(text.length / p));
  // A UUID has 122 random bits at most (RFC 9562 §5.4), whatever its 32 hex digits suggest.
  if (UUID.test(text)) return 122;
  return text.length * bitsPerChar(text);
}

/**
 * zxcvbn's cheapest explanation of the text, re-priced: pattern matches (dictionary words, keyboard
 * walks, sequences, repeats, dates) keep zxcvbn's guess counts; the parts it found no pattern in are
 * priced at the alphabet's bits per character instead of zxcvbn's flat 10 guesses per character, which
 * would call a random 32-character alphanumeric key (190 bits) weak.
 */
function patternBits(text: string): number {
  const result = zxcvbn().check(text);
  const perChar = bitsPerChar(text);
  let bits = 0;
  for (const match of result.sequence) {
    const guesses: unknown = match.guesses;
    const token: unknown = match.token;
    const length = typeof token === 'string' ? token.length : 0;
    // A match without a usable guess count is priced as unexplained characters.
    bits +=
      match.pattern === 'bruteforce' || typeof guesses !== 'number' || !(guesses >= 1)
        ? length * perChar
        : Math.log2(guesses);
  }
  return bits;
}

/**
 * Estimated strength of a secret in bits: the lower of zxcvbn's pattern search and the structural
 * ceiling, over the first {@link MAX_ESTIMATED_CHARS} characters. An underestimate for odd but random
 * keys is accepted; an overestimate of a guessable one is what this exists to avoid.
 */
export function estimateSecretBits(value: string): number {
  const text = value.slice(0, MAX_ESTIMATED_CHARS);
  if (text.length === 0) return 0;
  const structural = structuralBits(text);
  // No need to search patterns in what is already too weak by its structure.
  if (structural < MIN_SECRET_BITS) return structural;
  return Math.min(structural, patternBits(text));
}
