// The one option-checking module: message format, unknown keys, safe value descriptions.
import { describe, expect, it } from 'vitest';
import {
  checkOptions,
  closestKey,
  describeValue,
  isPlainObject,
  optionError,
  type OptionKeys,
} from '../src/options.js';

interface Demo {
  origins?: readonly string[];
  credentials?: boolean | undefined;
  maxAgeSec?: number;
}
const KEYS: OptionKeys<Demo> = { origins: true, credentials: true, maxAgeSec: true };
const FORMAT = /^@portcullis\/demo: "[^"]+" .+ \(got .+\); .+$/;

describe('optionError', () => {
  it('produces the one message format with the value described', () => {
    const error = optionError('demo', 'maxAgeSec', 'must be an integer', 'e.g. 600', 'x');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('@portcullis/demo: "maxAgeSec" must be an integer (got "x"); e.g. 600');
  });
  it('keeps a full scoped package name as given', () => {
    expect(optionError('@acme/thing', 'a', 'is bad', 'fix it', 1).message).toBe(
      '@acme/thing: "a" is bad (got 1); fix it',
    );
  });
  it('leaves out "got" only when no value is passed, and shows an explicit undefined', () => {
    expect(optionError('demo', 'a', 'is bad', 'fix it').message).toBe('@portcullis/demo: "a" is bad; fix it');
    expect(optionError('demo', 'a', 'is bad', 'fix it', undefined).message).toBe(
      '@portcullis/demo: "a" is bad (got undefined); fix it',
    );
  });
});

describe('describeValue', () => {
  it.each([
    ['a short string', 'HS256', '"HS256"'],
    ['a number', 5, '5'],
    ['NaN', Number.NaN, 'NaN'],
    ['minus zero', -0, '-0'],
    ['a boolean', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a bigint', 12n, '12n'],
    ['a symbol', Symbol('secret-name'), 'a symbol'],
    ['a function', () => 1, 'a function'],
    ['an empty array', [], 'an empty array'],
    ['an array', [1, 2], 'an array of 2'],
    ['a RegExp', /x/, 'a RegExp'],
    ['a Date', new Date(0), 'a Date'],
    ['a Map', new Map(), 'a Map'],
    ['a Set', new Set(), 'a Set'],
    ['a Buffer', Buffer.from('secret'), 'binary data'],
    ['an object', { password: 'secret' }, 'an object'],
    ['a null-prototype object', Object.create(null) as object, 'an object'],
    ['a class instance', new URL('https://user:pw@example.com/'), 'a class instance'],
  ])('describes %s without echoing its contents', (_name, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('never shows more than 24 characters of a long secret-looking string', () => {
    const secret = 'sk_live_' + 'Q'.repeat(20) + 'TAIL-SECRET-PART';
    const shown = describeValue(secret);
    expect(shown).not.toContain('TAIL-SECRET-PART');
    expect(shown).toContain(`(${secret.length} characters)`);
    const quoted = /^"([^"]*)…"/.exec(shown);
    expect(quoted?.[1]?.length).toBeLessThanOrEqual(24);
  });

  it('cuts a huge bigint', () => {
    expect(describeValue(10n ** 60n).length).toBeLessThanOrEqual(24);
  });
});

describe('checkOptions', () => {
  it('treats undefined as {} and drops undefined values (empty forms behave alike)', () => {
    const reference = checkOptions('demo', {}, KEYS);
    expect(checkOptions('demo', undefined, KEYS)).toEqual(reference);
    expect(checkOptions('demo', Object.create(null), KEYS)).toEqual(reference);
    expect(checkOptions('demo', { credentials: undefined }, KEYS)).toEqual(reference);
    expect(Object.keys(checkOptions('demo', { credentials: undefined }, KEYS))).toEqual([]);
  });

  it('returns a frozen copy and never mutates a frozen input', () => {
    const input = Object.freeze({ origins: ['https://a.example'], maxAgeSec: 5 });
    const out = checkOptions('demo', input, KEYS);
    expect(out).toEqual({ origins: ['https://a.example'], maxAgeSec: 5 });
    expect(Object.isFrozen(out)).toBe(true);
    expect(out).not.toBe(input);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'origins'],
    ['a number', 5],
    ['a function', () => ({})],
    ['a class instance', new Date()],
  ])('refuses %s as the options argument', (_name, value) => {
    expect(() => checkOptions('demo', value, KEYS)).toThrow(FORMAT);
    expect(() => checkOptions('demo', value, KEYS)).toThrow(/"options" must be a plain object/);
  });

  it('refuses an unknown key and suggests the closest known one (a typo must not turn a control off)', () => {
    expect(() => checkOptions('demo', { orgins: ['x'] }, KEYS)).toThrow(
      '@portcullis/demo: "orgins" is not a known option (got an array of 1); did you mean "origins"?',
    );
    expect(() => checkOptions('demo', { Credentials: true }, KEYS)).toThrow(/did you mean "credentials"\?/);
  });

  it('lists the known keys when nothing is close', () => {
    expect(() => checkOptions('demo', { zzz: 1 }, KEYS)).toThrow(/use one of "origins", "credentials", "maxAgeSec"$/);
  });

  it('names the nested option group in messages', () => {
    expect(() => checkOptions('demo', { foo: 1 }, KEYS, 'image')).toThrow(/"image\.foo" is not a known option/);
    expect(() => checkOptions('demo', 7, KEYS, 'image')).toThrow(/"image" must be a plain object \(got 7\)/);
  });

  it('does not echo a long secret given under an unknown key', () => {
    const secret = 'x'.repeat(30) + 'SECRET-END';
    let message = '';
    try {
      checkOptions('demo', { secretKey: secret }, KEYS);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(FORMAT);
    expect(message).not.toContain('SECRET-END');
  });

  it('refuses symbol keys', () => {
    expect(() => checkOptions('demo', { [Symbol('x')]: 1 }, KEYS)).toThrow(/has a symbol key/);
  });

  it('refuses an inherited __proto__ trick: only own keys of a plain object count', () => {
    const sneaky = JSON.parse('{"__proto__": {"credentials": true}}') as unknown;
    expect(() => checkOptions('demo', sneaky, KEYS)).toThrow(/"__proto__" is not a known option/);
  });
});

describe('helpers', () => {
  it('closestKey finds transpositions and case slips but not distant names', () => {
    expect(closestKey('maxAgeSce', ['maxAgeSec', 'origins'])).toBe('maxAgeSec');
    expect(closestKey('ORIGINS', ['maxAgeSec', 'origins'])).toBe('origins');
    expect(closestKey('completelyDifferent', ['maxAgeSec', 'origins'])).toBeUndefined();
  });
  it('isPlainObject accepts literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
  });
});
