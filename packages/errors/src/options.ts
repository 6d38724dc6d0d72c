// The one option-checking module of Portcullis: plain-object checks, unknown keys, safe value descriptions, one message format.

/**
 * The allowed-key list of an options interface. Typed as a record over `keyof T`, so a list that
 * misses an option of the interface (or names one it does not have) fails to compile.
 *
 * @example const KEYS: OptionKeys<StrictCorsOptions> = { origins: true, credentials: true, ... };
 */
export type OptionKeys<T> = Readonly<Record<keyof T, true>>;

/** The checked copy {@link checkOptions} returns: only known keys, `undefined` values dropped. */
export type CheckedOptions<T extends object> = Readonly<Partial<Record<Extract<keyof T, string>, unknown>>>;

/** Most characters of a value an option error ever shows (option values can be secrets). */
export const MAX_SHOWN_CHARS = 24;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A short description of a bad option value for an error message: its type and at most
 * {@link MAX_SHOWN_CHARS} characters of it. A string longer than that is cut and its length
 * given, so a secret passed to the wrong option never appears whole in a message or a log.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const json = JSON.stringify(value);
      if (json.length <= MAX_SHOWN_CHARS) return json;
      // Long strings are cut to half the limit: an option value may be a secret passed to the wrong option.
      return `${JSON.stringify(value.slice(0, MAX_SHOWN_CHARS / 2)).slice(0, -1)}…" (${value.length} characters)`;
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return clip(`${value}n`, MAX_SHOWN_CHARS);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (value instanceof RegExp) return 'a RegExp';
  if (value instanceof Date) return 'a Date';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (value instanceof Promise) return 'a Promise';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'binary data';
  return isPlainObject(value) ? 'an object' : 'a class instance';
}

/** True for `{}`, object literals and `Object.create(null)`: the only shapes an options argument may have. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

function packageName(pkg: string): string {
  return pkg.includes('/') ? pkg : `@portcullis/${pkg}`;
}

/**
 * The one setup-error format: `@portcullis/<pkg>: "<option>" <problem> (got <value>); <fix>`.
 * `pkg` is the short package name (`"cors"`) or a full scoped name. Pass the bad value as the
 * fifth argument; leave it out only when there is no single value to show.
 */
export function optionError(
  pkg: string,
  option: string,
  problem: string,
  fix: string,
  ...got: [value: unknown] | []
): TypeError {
  const shown = got.length === 0 ? '' : ` (got ${describeValue(got[0])})`;
  return new TypeError(`${packageName(pkg)}: "${option}" ${problem}${shown}; ${fix}`);
}

// Optimal string alignment distance, small inputs only (option names).
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (d[(i - 1) * cols + j] ?? 0) + 1,
        (d[i * cols + j - 1] ?? 0) + 1,
        (d[(i - 1) * cols + j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (d[(i - 2) * cols + j - 2] ?? 0) + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] ?? 0;
}

/** The known key closest to `key` (case-insensitive edit distance), or undefined when none is close. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const probe = key.slice(0, 64).toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(probe, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/**
 * Checks an options argument: `undefined` is `{}`; anything but a plain object is refused; every
 * own key must be in `allowedKeys` (a typo must not silently turn a control off: the closest known
 * key is suggested). Returns a frozen null-prototype copy without `undefined` values, so
 * `{}` and `{ x: undefined }` behave alike and the caller's object is never mutated.
 *
 * @param pkg short package name, e.g. `"cors"`
 * @param value the options argument as received
 * @param allowedKeys the {@link OptionKeys} list of the options interface
 * @param name what the options belong to in messages. @default "options"
 */
export function checkOptions<T extends object>(
  pkg: string,
  value: unknown,
  allowedKeys: OptionKeys<T>,
  name = 'options',
): CheckedOptions<T> {
  const empty: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (value === undefined) return Object.freeze(empty);
  const known = Object.keys(allowedKeys);
  if (!isPlainObject(value)) {
    throw optionError(pkg, name, 'must be a plain object', `pass an object with the options ${listKeys(known)}`, value);
  }
  const out = empty;
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol') {
      throw optionError(pkg, name, 'has a symbol key', `use only the options ${listKeys(known)}`);
    }
    const item = value[key];
    if (!Object.hasOwn(allowedKeys, key)) {
      const near = closestKey(key, known);
      const option = name === 'options' ? clip(key, 64) : `${name}.${clip(key, 64)}`;
      throw optionError(
        pkg,
        option,
        'is not a known option',
        near === undefined ? `use one of ${listKeys(known)}` : `did you mean "${near}"?`,
        item,
      );
    }
    if (item !== undefined) out[key] = item;
  }
  return Object.freeze(out);
}

function listKeys(keys: readonly string[]): string {
  return keys.length === 0 ? '(none)' : keys.map((k) => `"${k}"`).join(', ');
}
