// parseCsvStrict refuses malformed or hostile CSV bytes; toCsvSafe neutralises formula cells (ASVS V1.2.10).
import { describe, expect, it } from 'vitest';
import { CsvError, neutraliseCell, parseCsvStrict, toCsvSafe } from '../src/index.js';

const header = ['title', 'description'];
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('parseCsvStrict', () => {
  const ok: [string, Buffer, string[][]][] = [
    ['CRLF records', bytes('title,description\r\na,b\r\n'), [['a', 'b']]],
    ['LF records without a final break', bytes('title,description\na,b'), [['a', 'b']]],
    ['quoted commas and doubled quotes', bytes('title,description\n"x, y","say ""hi"""\n'), [['x, y', 'say "hi"']]],
    ['a quoted line break', bytes('title,description\n"multi\nline",z\n'), [['multi\nline', 'z']]],
    [
      'empty fields',
      bytes('title,description\na,\n"",""\n'),
      [
        ['a', ''],
        ['', ''],
      ],
    ],
    [
      'a UTF-8 BOM (stripped)',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('title,description\na,b\n')]),
      [['a', 'b']],
    ],
    ['blank lines (skipped)', bytes('title,description\n\na,b\n\n'), [['a', 'b']]],
    ['non-ASCII text', bytes('title,description\ncafé,日本\n'), [['café', '日本']]],
  ];
  it.each(ok)('parses %s', (_t, input, rows) => {
    expect(parseCsvStrict(input, { header }).rows.map((r) => r.fields)).toEqual(rows);
  });

  it('reports the line each row starts on', () => {
    const table = parseCsvStrict(bytes('title,description\n"a\nb",c\nx,y\n'), { header });
    expect(table.rows.map((r) => r.line)).toEqual([2, 4]);
  });

  const bad: [string, Buffer, string, number][] = [
    ['invalid UTF-8', Buffer.from([0x74, 0x69, 0xff, 0x0a]), 'not_utf8', 0],
    ['an overlong UTF-8 form', Buffer.concat([bytes('title,description\n'), Buffer.from([0xc0, 0xaf])]), 'not_utf8', 0],
    ['a UTF-16 BOM', Buffer.from('\ufefftitle,description\n', 'utf16le'), 'nul', 0],
    ['a UTF-16 BOM without NUL bytes', Buffer.from([0xff, 0xfe, 0x41, 0x42]), 'not_utf8', 0],
    ['a NUL', bytes('title,description\na\u0000,b\n'), 'nul', 0],
    ['10,000 columns', bytes(`title,description\n${'x,'.repeat(9_999)}x\n`), 'too_many_columns', 2],
    [
      'an unbalanced quote to the end',
      bytes(`title,description\n"never closed,${'x'.repeat(30)}\nmore\n`),
      'unterminated_quote',
      2,
    ],
    ['a quote inside an unquoted field', bytes('title,description\nab"c,d\n'), 'quote_in_field', 2],
    ['text after a closing quote', bytes('title,description\n"a"b,c\n'), 'text_after_quote', 2],
    ['a bare carriage return', bytes('title,description\na\rb,c\n'), 'bare_cr', 2],
    ['a wrong header', bytes('Title,description\na,b\n'), 'header', 1],
    ['a header with an extra column', bytes('title,description,x\na,b,c\n'), 'too_many_columns', 1],
    ['an empty file', bytes(''), 'empty', 1],
    ['a field over maxFieldBytes', bytes(`title,description\n${'é'.repeat(40)},b\n`), 'field_too_large', 2],
    ['too many rows', bytes(`title,description\n${'a,b\n'.repeat(6)}`), 'too_many_rows', 7],
  ];
  it.each(bad)('refuses %s', (_t, input, reason, line) => {
    let error: unknown;
    try {
      parseCsvStrict(input, { header, maxRows: 5, maxFieldBytes: 64 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).status).toBe(422);
    expect((error as CsvError).code).toBe('upload_rejected');
    expect((error as CsvError).reason).toBe(reason);
    expect((error as CsvError).line).toBe(line);
  });

  it('never quotes the content in its message', () => {
    try {
      parseCsvStrict(bytes('title,description\n"SECRET-VALUE\n'), { header });
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRET');
      expect((e as CsvError).problem).toBe('unterminated quoted field');
    }
    expect.assertions(2);
  });

  it.each([[{}], [{ header: [] }], [{ header: 'title' }], [{ header, maxRows: 0 }], [{ header, maxColums: 3 }]])(
    'refuses bad options %j',
    (options) => {
      expect(() => parseCsvStrict(bytes('a'), options as never)).toThrow(TypeError);
    },
  );
});

describe('toCsvSafe [ASVS V1.2.10]', () => {
  const formulas = [
    "=cmd|' /C calc'!A0",
    '@SUM(1+1)',
    '+1',
    '-1',
    '\t=1',
    ' =1',
    '\r=1',
    '  @x',
    '=HYPERLINK("http://evil")',
  ];
  it.each(formulas)('neutralises %j', (value) => {
    expect(neutraliseCell(value)).toBe(`'${value}`);
    expect(toCsvSafe([[value]])).toBe(`"'${value.replaceAll('"', '""')}"\r\n`);
  });
  it.each(['plain', '1=1', 'a-b', '', 'e@mail'])('leaves %j alone', (value) => {
    expect(neutraliseCell(value)).toBe(value);
  });
  it('quotes every cell, doubles quotes, renders null as empty and numbers as text', () => {
    expect(
      toCsvSafe([
        ['h', 'n'],
        ['a "b", c', null],
        [1, true],
      ]),
    ).toBe('"h","n"\r\n"a ""b"", c",""\r\n"1","true"\r\n');
  });
  it('exports what parseCsvStrict reads back unchanged (apart from the neutralising quote)', () => {
    const csv = toCsvSafe([header, ['x\ny', 'say "hi", ok']]);
    expect(parseCsvStrict(Buffer.from(csv), { header }).rows[0]!.fields).toEqual(['x\ny', 'say "hi", ok']);
  });
});
