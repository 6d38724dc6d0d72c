// Case-insensitive matcher for sensitive key names (layer 2), with a bounded memo of decisions.
import { EXACT_SENSITIVE_KEYS, SENSITIVE_KEY_FRAGMENTS, normaliseKey } from './names.js';

/** Decides whether a property name is sensitive. */
export type KeyMatcher = (key: string) => boolean;

// Keys come from logged data, which an attacker may shape: the memo is capped and then reset.
const MEMO_LIMIT = 2048;

/** Builds a matcher for the default names plus `extra` (already normalised). */
export function createKeyMatcher(extra: readonly string[] = []): KeyMatcher {
  const exact = new Set<string>([...EXACT_SENSITIVE_KEYS, ...extra]);
  const memo = new Map<string, boolean>();
  return function isSensitiveKey(key: string): boolean {
    const known = memo.get(key);
    if (known !== undefined) return known;
    const norm = normaliseKey(key);
    let sensitive = exact.has(norm);
    if (!sensitive) {
      for (const fragment of SENSITIVE_KEY_FRAGMENTS) {
        if (norm.includes(fragment)) {
          sensitive = true;
          break;
        }
      }
    }
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, sensitive);
    return sensitive;
  };
}

/** The matcher for the default names, shared by scrubText and redactUrl. */
export const isDefaultSensitiveKey: KeyMatcher = createKeyMatcher();
