// Lexical rules applied to the requested name before any filesystem call; the same on every OS.
import { PathError } from './errors.js';
import type { Rules } from './options.js';

/** Bytes per segment (NAME_MAX on Linux, ext4, APFS and NTFS in UTF-16 units). */
export const MAX_SEGMENT_BYTES = 255;
/** Bytes for the whole requested path. */
export const MAX_TOTAL_BYTES = 1024;

// C0 controls, DEL and C1 controls (NUL truncates in C APIs; CR/LF split headers and log lines).
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

// Invisible, joiner, variation-selector and bidirectional formatting characters:
// "invoice\u202Efdp.exe" displays as "invoiceexe.pdf". Inclusive ranges.
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xfff0, 0xfffb],
];

function isInvisible(code: number): boolean {
  return INVISIBLE_RANGES.some(([lo, hi]) => code >= lo && code <= hi);
}

/** The first offending class of character, if any. */
function badCharacter(value: string): 'control' | 'invisible' | undefined {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (isControl(code)) return 'control';
    if (isInvisible(code)) return 'invisible';
  }
  return undefined;
}
// Lone surrogates cannot be encoded as UTF-8: the filesystem would see U+FFFD instead.
const LONE_SURROGATE = /\p{Cs}/u;
// Characters that path syntax depends on; NFKC must not create new ones (fullwidth "．／", "‥", "﹒").
const PATH_SYNTAX = /[./\\:]/g;
// "C:\x", "C:x" (drive-relative), "c:".
const DRIVE = /^[A-Za-z]:/;
// "file:///etc/passwd", "smb://host/share".
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// Device names Windows resolves in every directory, whatever the extension: "nul.txt" is NUL.
const RESERVED =
  /^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$)$/i;

function countSyntax(value: string): number {
  return value.match(PATH_SYNTAX)?.length ?? 0;
}

function extensionOf(segment: string): string {
  const dot = segment.lastIndexOf('.');
  return dot <= 0 ? '' : segment.slice(dot).toLowerCase();
}

/**
 * Checks `requested` against every lexical rule and returns its segments. Never decodes, never
 * normalises: a rejected form is rejected, not repaired.
 * @throws PathError with reason invalid, absolute, traversal, dotfile or extension.
 */
export function checkLexical(requested: unknown, rules: Rules): string[] {
  if (typeof requested !== 'string') throw new PathError('invalid', 'Path is not a string');
  if (requested.length === 0) throw new PathError('invalid', 'Path is empty');
  // Cheap bound first (a UTF-16 unit is at least one UTF-8 byte), then the exact byte count.
  if (requested.length > MAX_TOTAL_BYTES || Buffer.byteLength(requested, 'utf8') > MAX_TOTAL_BYTES) {
    throw new PathError('invalid', `Path longer than ${MAX_TOTAL_BYTES} bytes`);
  }
  const bad = badCharacter(requested);
  if (bad === 'control') throw new PathError('invalid', 'Path contains a control character');
  if (bad === 'invisible') throw new PathError('invalid', 'Path contains an invisible or bidi formatting character');
  if (LONE_SURROGATE.test(requested)) throw new PathError('invalid', 'Path contains a lone surrogate');
  if (requested.normalize('NFC') !== requested) throw new PathError('invalid', 'Path is not NFC');
  const nfkc = requested.normalize('NFKC');
  if (nfkc !== requested && /[./\\:]/.test(nfkc)) {
    // A later layer that folds compatibility characters (Windows best-fit, some libraries) would see
    // path syntax here that we did not. New syntax characters are a traversal attempt.
    if (countSyntax(nfkc) !== countSyntax(requested)) {
      throw new PathError('traversal', 'Path contains a Unicode look-alike of ".", "/", "\\" or ":"');
    }
    throw new PathError('invalid', 'Path changes under NFKC');
  }
  if (requested.startsWith('/') || requested.startsWith('\\')) {
    throw new PathError('absolute', 'Path is absolute (root, UNC or device form)');
  }
  if (DRIVE.test(requested)) throw new PathError('absolute', 'Path has a Windows drive letter');
  if (URL_SCHEME.test(requested)) throw new PathError('absolute', 'Path is a URL');

  // Split on both separators so "..\\x" is traversal on every OS; never normalise first.
  const parts = requested.split(/[/\\]/);
  if (parts.includes('..')) throw new PathError('traversal', 'Path has a ".." segment');
  if (requested.includes('\\')) throw new PathError('invalid', 'Path contains a backslash');
  if (requested.includes(':')) throw new PathError('invalid', 'Path contains ":" (drive or alternate data stream)');
  if (parts.length > 1 && !rules.allowSubdirectories) {
    throw new PathError('invalid', 'Path has subdirectories but allowSubdirectories is false');
  }
  for (const segment of parts) {
    if (segment === '' || segment === '.') throw new PathError('invalid', 'Path has an empty or "." segment');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw new PathError('invalid', `Path segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    // Windows strips trailing dots and spaces, so "x.csv." and "x.csv " name "x.csv" there.
    if (segment.endsWith('.') || segment.endsWith(' ')) {
      throw new PathError('invalid', 'Path segment ends with a dot or a space');
    }
    const stem = (segment.split('.')[0] ?? '').replace(/ +$/, '');
    if (RESERVED.test(stem)) throw new PathError('invalid', 'Path segment is a reserved Windows device name');
    if (segment.startsWith('.') && !rules.allowDotfiles) throw new PathError('dotfile', 'Path has a dotfile segment');
  }
  if (rules.allowedExtensions !== undefined) {
    const last = parts[parts.length - 1] ?? '';
    if (!rules.allowedExtensions.has(extensionOf(last))) {
      throw new PathError('extension', 'Path extension is not allowed');
    }
  }
  return parts;
}

export { extensionOf };
