// The traversal corpus: each input with the reason resolveSafePath must give against the fixture tree.
import type { PathErrorReason, ResolveSafePathOptions } from '@portcullis/paths';

export interface CorpusEntry {
  readonly title: string;
  readonly input: unknown;
  readonly reason: PathErrorReason;
  readonly options?: ResolveSafePathOptions;
}

const SUB: ResolveSafePathOptions = { allowSubdirectories: true };
const CSV: ResolveSafePathOptions = { allowedExtensions: ['.csv', '.txt'] };

export const CORPUS: readonly CorpusEntry[] = [
  // ".." in every spelling
  { title: 'rejects ../x', input: '../x', reason: 'traversal' },
  { title: 'rejects ../../etc/passwd', input: '../../etc/passwd', reason: 'traversal' },
  {
    title: 'rejects ../../etc/passwd with subdirectories allowed',
    input: '../../etc/passwd',
    reason: 'traversal',
    options: SUB,
  },
  { title: 'rejects ..\\x (backslash traversal)', input: '..\\x', reason: 'traversal' },
  { title: 'rejects a/../../x', input: 'a/../../x', reason: 'traversal', options: SUB },
  {
    title: 'rejects nested/../report.csv without normalising first',
    input: 'nested/../report.csv',
    reason: 'traversal',
    options: SUB,
  },
  { title: 'rejects a bare ..', input: '..', reason: 'traversal' },
  { title: 'rejects a trailing ..', input: 'nested/..', reason: 'traversal', options: SUB },
  { title: 'rejects x\\..\\..\\y', input: 'x\\..\\..\\y', reason: 'traversal', options: SUB },
  { title: 'rejects ....// (filter-stripping bypass)', input: '....//', reason: 'invalid' },
  { title: 'rejects ....// with subdirectories allowed', input: '....//', reason: 'invalid', options: SUB },
  { title: 'rejects ... (trailing dot)', input: '...', reason: 'invalid' },
  // encodings arrive literally: never decoded again
  { title: 'treats literal %2e%2e%2f as an odd missing name', input: '%2e%2e%2f', reason: 'not_found' },
  {
    title: 'treats literal %2e%2e%2f as a wrong extension under an allowlist',
    input: '%2e%2e%2f',
    reason: 'extension',
    options: CSV,
  },
  { title: 'rejects ..%2f as a dotfile', input: '..%2f', reason: 'dotfile' },
  { title: 'treats double-encoded %252e%252e%252f as missing', input: '%252e%252e%252f', reason: 'not_found' },
  { title: 'rejects overlong UTF-8 %c0%ae%c0%ae/', input: '%c0%ae%c0%ae/', reason: 'invalid' },
  {
    title: 'treats literal %2e%2e/report.csv as a missing directory',
    input: '%2e%2e/report.csv',
    reason: 'not_found',
    options: SUB,
  },
  { title: 'treats literal x%00.csv as missing', input: 'x%00.csv', reason: 'not_found' },
  // control characters
  { title: 'rejects a NUL byte x\\u0000.csv', input: 'x\u0000.csv', reason: 'invalid' },
  { title: 'rejects CR LF', input: 'x\r\n.csv', reason: 'invalid' },
  { title: 'rejects a tab', input: 'x\t.csv', reason: 'invalid' },
  { title: 'rejects DEL', input: 'x\u007f.csv', reason: 'invalid' },
  { title: 'rejects C1 NEL', input: 'x\u0085.csv', reason: 'invalid' },
  { title: 'rejects an RTL override', input: 'invoice\u202Efdp.csv', reason: 'invalid' },
  { title: 'rejects a zero-width space', input: 'report\u200B.csv', reason: 'invalid' },
  { title: 'rejects a BOM', input: '\uFEFFreport.csv', reason: 'invalid' },
  { title: 'rejects a lone surrogate', input: 'x\uD800.csv', reason: 'invalid' },
  // absolute forms
  { title: 'rejects /etc/passwd', input: '/etc/passwd', reason: 'absolute' },
  { title: 'rejects /', input: '/', reason: 'absolute' },
  { title: 'rejects C:\\Windows\\win.ini', input: 'C:\\Windows\\win.ini', reason: 'absolute' },
  { title: 'rejects drive-relative C:x', input: 'C:x', reason: 'absolute' },
  { title: 'rejects UNC \\\\server\\share', input: '\\\\server\\share', reason: 'absolute' },
  { title: 'rejects device path \\\\?\\C:\\', input: '\\\\?\\C:\\', reason: 'absolute' },
  { title: 'rejects a rooted \\x', input: '\\x', reason: 'absolute' },
  { title: 'rejects file:///etc/passwd', input: 'file:///etc/passwd', reason: 'absolute' },
  // separators and colons that are not absolute
  { title: 'rejects a backslash inside a name', input: 'a\\b.csv', reason: 'invalid', options: SUB },
  { title: 'rejects an NTFS stream x.csv::$DATA', input: 'x.csv::$DATA', reason: 'invalid' },
  { title: 'rejects a colon', input: 'report.csv:evil', reason: 'invalid' },
  { title: 'rejects a subdirectory when only names are allowed', input: 'nested/inner.csv', reason: 'invalid' },
  { title: 'rejects ~/x', input: '~/x', reason: 'invalid' },
  { title: 'rejects an empty segment a//b', input: 'nested//inner.csv', reason: 'invalid', options: SUB },
  { title: 'rejects a "." segment', input: 'nested/./inner.csv', reason: 'invalid', options: SUB },
  { title: 'rejects a trailing slash', input: 'nested/', reason: 'invalid', options: SUB },
  // Unicode
  { title: 'rejects fullwidth ．．／', input: '．．／', reason: 'traversal' },
  { title: 'rejects fullwidth ．．／etc', input: '．．／etc', reason: 'traversal', options: SUB },
  { title: 'rejects two-dot leader ‥/', input: '‥/', reason: 'traversal' },
  { title: 'rejects small full stop ﹒﹒/', input: '﹒﹒/', reason: 'traversal' },
  { title: 'rejects fullwidth solidus ..／x', input: '..／x', reason: 'traversal' },
  { title: 'rejects fullwidth reverse solidus x＼y', input: 'x＼y', reason: 'traversal' },
  { title: 'rejects one-dot leaders ․․', input: '\u2024\u2024', reason: 'traversal' },
  { title: 'rejects fullwidth colon C：x', input: 'C：x', reason: 'traversal' },
  { title: 'rejects non-NFC cafe\\u0301.csv', input: 'cafe\u0301.csv', reason: 'invalid' },
  { title: 'rejects a compatibility ligature ﬁle.csv', input: '\uFB01le.csv', reason: 'invalid' },
  { title: 'rejects a trailing no-break space', input: 'report.csv\u00A0', reason: 'invalid' },
  // Windows names
  { title: 'rejects CON', input: 'CON', reason: 'invalid' },
  { title: 'rejects nul.txt', input: 'nul.txt', reason: 'invalid' },
  { title: 'rejects COM1.csv', input: 'COM1.csv', reason: 'invalid' },
  { title: 'rejects lpt9.tar.gz', input: 'lpt9.tar.gz', reason: 'invalid' },
  { title: 'rejects aux in a directory', input: 'nested/aux.csv', reason: 'invalid', options: SUB },
  { title: 'rejects CONIN$', input: 'CONIN$', reason: 'invalid' },
  { title: 'rejects a trailing dot x.csv.', input: 'x.csv.', reason: 'invalid' },
  { title: 'rejects a trailing space x.csv ', input: 'x.csv ', reason: 'invalid' },
  // dotfiles and extensions
  { title: 'rejects .env', input: '.env', reason: 'dotfile' },
  { title: 'rejects .git/config', input: '.git/config', reason: 'dotfile', options: SUB },
  { title: 'rejects .git/config as a single name', input: '.git/config', reason: 'invalid' },
  { title: 'rejects ..;/ (path parameter trick) as a dotfile', input: '..;', reason: 'dotfile' },
  { title: 'rejects report.exe under an allowlist', input: 'report.exe', reason: 'extension', options: CSV },
  { title: 'rejects report.csv.exe under an allowlist', input: 'report.csv.exe', reason: 'extension', options: CSV },
  { title: 'rejects a name without extension under an allowlist', input: 'report', reason: 'extension', options: CSV },
  // lengths and types
  { title: 'rejects a 256-byte segment', input: `${'a'.repeat(252)}.csv`, reason: 'invalid' },
  {
    title: 'rejects a 128-char multibyte segment (over 255 bytes)',
    input: `${'é'.repeat(128)}.csv`,
    reason: 'invalid',
  },
  { title: 'rejects a path over 1024 bytes', input: 'a/'.repeat(600) + 'x.csv', reason: 'invalid', options: SUB },
  { title: 'rejects a very long name', input: 'x'.repeat(100_000), reason: 'invalid' },
  { title: 'rejects the empty string', input: '', reason: 'invalid' },
  { title: 'rejects .', input: '.', reason: 'invalid' },
  { title: 'rejects a number', input: 42, reason: 'invalid' },
  { title: 'rejects null', input: null, reason: 'invalid' },
  { title: 'rejects an array (query-string pollution)', input: ['report.csv'], reason: 'invalid' },
  { title: 'rejects an object with toString', input: { toString: () => 'report.csv' }, reason: 'invalid' },
  // real filesystem outcomes
  { title: 'rejects a missing file', input: 'missing.csv', reason: 'not_found' },
  { title: 'rejects ~/x as a missing directory', input: '~/x', reason: 'not_found', options: SUB },
  { title: 'rejects a symlink to a file outside', input: 'link-outside.csv', reason: 'symlink_escape' },
  { title: 'rejects an absolute symlink to a file outside', input: 'link-absolute.csv', reason: 'symlink_escape' },
  {
    title: 'rejects a symlinked directory escaping',
    input: 'linkdir/secret.csv',
    reason: 'symlink_escape',
    options: SUB,
  },
  { title: 'rejects a symlink into a same-prefix sibling', input: 'evil.csv', reason: 'symlink_escape' },
  { title: 'rejects a symlink to the base itself', input: 'self', reason: 'symlink_escape' },
  { title: 'rejects a symlink inside the base to a dotfile', input: 'to-env.csv', reason: 'dotfile' },
  {
    title: 'rejects a symlink inside the base to a disallowed extension',
    input: 'to-exe.csv',
    reason: 'extension',
    options: CSV,
  },
  { title: 'rejects a dangling symlink', input: 'dangling.csv', reason: 'not_found' },
  { title: 'rejects a symlink loop', input: 'loop-a.csv', reason: 'not_found' },
];
