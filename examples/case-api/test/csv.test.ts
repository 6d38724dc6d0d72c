// RFC 4180 parsing of imports and formula neutralisation of exports.
import { describe, expect, it } from 'vitest';
import { formatCell, neutraliseCell, parseCsv, writeCsv } from '../src/csv.js';

describe('parseCsv', () => {
  const ok: [string, string[][]][] = [
    [
      'title,description\r\na,b\r\n',
      [
        ['title', 'description'],
        ['a', 'b'],
      ],
    ],
    [
      'title,description\na,b',
      [
        ['title', 'description'],
        ['a', 'b'],
      ],
    ],
    ['"x, y","say ""hi"""\r\n', [['x, y', 'say "hi"']]],
    ['"multi\nline",z\n', [['multi\nline', 'z']]],
    ['a,\n', [['a', '']]],
    ['a,""\n', [['a', '']]],
    ['\uFEFFtitle,description\n', [['title', 'description']]],
    ['', []],
  ];
  it.each(ok)('parses %j', (text, records) => {
    const result = parseCsv(text, 10);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.records.map((r) => r.fields)).toEqual(records);
  });

  const bad: [string, string][] = [
    ['"unterminated\n', 'unterminated quoted field'],
    ['ab"c,d\n', 'quote inside an unquoted field'],
    ['"a"b,c\n', 'unexpected character after a closing quote'],
    ['a\rb\n', 'bare carriage return'],
  ];
  it.each(bad)('rejects %j (%s)', (text, message) => {
    const result = parseCsv(text, 10);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe(message);
  });

  it('stops at maxRecords + 1 records', () => {
    const result = parseCsv('a\n'.repeat(20), 5);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('more than 5 records');
  });

  it('reports the line each record starts on', () => {
    const result = parseCsv('h,d\n"a\nb",c\nx,y\n', 10);
    expect(result.ok && result.records.map((r) => r.line)).toEqual([1, 2, 4]);
  });
});

describe('CSV formula neutralisation', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tcmd', '\rcmd', '=HYPERLINK("http://evil")'])(
    'neutralises %j',
    (value) => {
      expect(neutraliseCell(value)).toBe(`'${value}`);
    },
  );
  it.each(['plain', '1=1', ' =x', ''])('leaves %j alone', (value) => {
    expect(neutraliseCell(value)).toBe(value);
  });
  it('quotes every cell and doubles quotes', () => {
    expect(formatCell('a "b", c')).toBe('"a ""b"", c"');
    expect(formatCell(null)).toBe('""');
    expect(writeCsv(['h'], [['=cmd|x'], ['ok']])).toBe('"h"\r\n"\'=cmd|x"\r\n"ok"\r\n');
  });
});
