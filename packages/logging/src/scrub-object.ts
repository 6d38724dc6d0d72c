// Layer 2: a bounded, cycle-safe, copy-on-write scrub of logged objects by key name, at any depth.
import { CENSOR } from './names.js';
import type { KeyMatcher } from './keys.js';
import { scrubText } from './scrub-text.js';
import { serializeError } from './serialize-error.js';

/** Deepest level walked; values below it are replaced (an unread value cannot be proven clean). */
export const MAX_DEPTH = 10;
/** Most values visited per log call; the rest are replaced. */
export const MAX_NODES = 2000;

const TRUNCATED = '[Truncated]';
const CIRCULAR = '[Circular]';
const UNREADABLE = '[Unreadable]';
const TRUNCATED_KEY = '_truncated';

interface WalkState {
  nodes: number;
  readonly stack: object[];
}

type Bag = Record<string, unknown>;

/** Scrubs values and top-level records; never mutates its input, returns it unchanged when clean. */
export interface ObjectScrubber {
  /** Scrubs any value (used for interpolation arguments). */
  value(value: unknown): unknown;
  /** Scrubs the properties of a merge object or bindings, leaving `skip` keys to their serializers. */
  record(obj: Bag, skip: ReadonlySet<string>): Bag;
}

// A "__proto__" key from logged data must stay a plain property of the copy, not its prototype.
function put(out: Bag, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Builds the layer-2 scrubber around a key matcher. */
export function createObjectScrubber(isSensitive: KeyMatcher): ObjectScrubber {
  function walk(value: unknown, depth: number, state: WalkState): unknown {
    if (typeof value === 'string') {
      state.nodes++;
      return state.nodes > MAX_NODES ? TRUNCATED : scrubText(value);
    }
    if (typeof value !== 'object' || value === null) return value;
    state.nodes++;
    if (state.nodes > MAX_NODES || depth >= MAX_DEPTH) return TRUNCATED;
    if (state.stack.includes(value)) return CIRCULAR;
    if (value instanceof Error) return serializeError(value);
    if (value instanceof Date) return value;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
    state.stack.push(value);
    try {
      if (Array.isArray(value)) return walkArray(value, depth, state);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        const json: unknown = toJSON.call(value);
        return json === value ? walkObject(value as Bag, depth, state, undefined) : walk(json, depth, state);
      }
      return walkObject(value as Bag, depth, state, undefined);
    } catch {
      return UNREADABLE;
    } finally {
      state.stack.pop();
    }
  }

  function walkArray(arr: readonly unknown[], depth: number, state: WalkState): unknown[] {
    let out: unknown[] | undefined;
    const length = arr.length;
    for (let i = 0; i < length; i++) {
      if (state.nodes >= MAX_NODES) {
        out ??= arr.slice(0, i);
        out.push(TRUNCATED);
        return out;
      }
      const item: unknown = arr[i];
      const next = walk(item, depth + 1, state);
      if (out !== undefined) out.push(next);
      else if (next !== item) {
        out = arr.slice(0, i);
        out.push(next);
      }
    }
    return out ?? (arr as unknown[]);
  }

  function walkObject(obj: Bag, depth: number, state: WalkState, skip: ReadonlySet<string> | undefined): Bag {
    let out: Bag | undefined;
    const keys = Object.keys(obj);
    // Values as read once: a getter is never called twice (it could answer differently).
    const seen: unknown[] = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (state.nodes >= MAX_NODES) {
        out ??= copyKeys(keys, seen, i);
        out[TRUNCATED_KEY] = true;
        return out;
      }
      let item: unknown;
      let next: unknown;
      try {
        item = obj[key];
        if (skip !== undefined && skip.has(key)) next = item;
        else if (isSensitive(key)) next = item === undefined ? item : CENSOR;
        else next = walk(item, depth + 1, state);
      } catch {
        next = UNREADABLE;
      }
      seen[i] = item;
      if (out !== undefined) put(out, key, next);
      else if (next !== item) {
        out = copyKeys(keys, seen, i);
        put(out, key, next);
      }
    }
    return out ?? obj;
  }

  function copyKeys(keys: readonly string[], values: readonly unknown[], count: number): Bag {
    const out: Bag = {};
    for (let i = 0; i < count; i++) put(out, keys[i] as string, values[i]);
    return out;
  }

  return {
    value(value: unknown): unknown {
      return walk(value, 0, { nodes: 0, stack: [] });
    },
    record(obj: Bag, skip: ReadonlySet<string>): Bag {
      if (typeof obj !== 'object' || obj === null) return obj;
      const state: WalkState = { nodes: 0, stack: [obj] };
      try {
        return walkObject(obj, 0, state, skip);
      } catch {
        return { [TRUNCATED_KEY]: UNREADABLE };
      }
    },
  };
}
