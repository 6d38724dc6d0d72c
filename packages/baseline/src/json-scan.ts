// One iterative pass over JSON text: nesting depth, duplicate keys and prototype-pollution keys,
// checked on the decoded key names (so "\u005f\u005fproto\u005f\u005f" is caught as __proto__).

/** What the scan found wrong, or null. */
export type JsonScanFinding = 'prototype_pollution' | 'duplicate_key' | 'too_deep' | null;

// `constructor.prototype` is caught through its "prototype" key.
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype']);

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125; // }
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93; // ]
const COMMA = 44; // ,

/**
 * Scans JSON text. Meant to run on text that JSON.parse accepts (or before it: on malformed text
 * it returns a finding or null but never throws or loops).
 */
export function scanJson(text: string, maxDepth: number, allowDuplicateKeys: boolean): JsonScanFinding {
  // One entry per open container: a Set of keys for objects (null when duplicates are allowed), false for arrays.
  const stack: (Set<string> | null | false)[] = [];
  let expectKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      let escaped = false;
      while (end < length) {
        const d = text.charCodeAt(end);
        if (d === BACKSLASH) {
          escaped = true;
          end += 2;
          continue;
        }
        if (d === QUOTE) break;
        end++;
      }
      if (expectKey) {
        let key = text.slice(i + 1, end);
        if (escaped) {
          try {
            key = JSON.parse(text.slice(i, end + 1)) as string;
          } catch {
            return null; // malformed string: JSON.parse of the whole body reports it
          }
        }
        if (FORBIDDEN_KEYS.has(key)) return 'prototype_pollution';
        const keys = stack[stack.length - 1];
        if (keys) {
          if (keys.has(key)) return 'duplicate_key';
          keys.add(key);
        }
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      stack.push(allowDuplicateKeys ? null : new Set());
      if (stack.length > maxDepth) return 'too_deep';
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      stack.push(false);
      if (stack.length > maxDepth) return 'too_deep';
      expectKey = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = stack.length > 0 && stack[stack.length - 1] !== false;
    }
  }
  return null;
}
