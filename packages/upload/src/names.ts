// Client file names: checked for contradictions with the sniffed type, and sanitised for display only.

// Bidirectional controls (U+202A–U+202E, U+2066–U+2069, marks U+200E/U+200F/U+061C): "x\u202Egnp.exe" displays as
// "xexe.png" (CVE-2023-32046-style spoofing of the extension).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// C0/C1 controls, DEL, zero-width and other invisible format characters, line/paragraph separators.
const INVISIBLE_CLASS =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb]';
const INVISIBLE = new RegExp(INVISIBLE_CLASS, 'u');
const INVISIBLE_ALL = new RegExp(INVISIBLE_CLASS, 'gu');
const MAX_DISPLAY_BYTES = 255;

/** What a client file name says about the type, for the contradiction checks. */
export interface NameVerdict {
  /** The last extension, lower case without the dot; undefined when the name has none. */
  readonly ext: string | undefined;
  /** Why the name is refused whatever the type: a deceptive or ambiguous name. */
  readonly refusal: string | undefined;
  /** Every inner extension (between the first and the last dot), lower case. */
  readonly inner: readonly string[];
}

/** Analyses a client file name (busboy already dropped any directory part). */
export function analyseName(raw: string): NameVerdict {
  const name = raw.normalize('NFC');
  if (BIDI.test(name)) return { ext: undefined, refusal: 'bidi_control_in_name', inner: [] };
  if (INVISIBLE.test(name)) return { ext: undefined, refusal: 'control_in_name', inner: [] };
  // Windows drops trailing dots and spaces: "x.png." and "x.html " are stored as "x.png" / "x.html".
  if (/[. ]$/u.test(name)) return { ext: undefined, refusal: 'trailing_dot_or_space', inner: [] };
  const parts = name.split('.');
  // ".bashrc": a leading dot starts no extension.
  if (parts[0] === '') parts.shift();
  if (parts.length < 2) return { ext: undefined, refusal: undefined, inner: [] };
  const lower = parts.map((p) => p.trim().toLowerCase());
  return { ext: lower[lower.length - 1], refusal: undefined, inner: lower.slice(1, -1) };
}

function clipUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * The client's file name for display only: NFC, without controls, bidi or invisible characters, path separators
 * replaced, at most 255 UTF-8 bytes; `"file"` when nothing is left. Never use it as a path.
 */
export function displayName(raw: string | undefined): string {
  if (typeof raw !== 'string') return 'file';
  const cleaned = raw.normalize('NFC').replace(INVISIBLE_ALL, '').replace(/[/\\]/gu, '_').trim();
  const clipped = clipUtf8(cleaned, MAX_DISPLAY_BYTES);
  return clipped === '' || clipped === '.' || clipped === '..' ? 'file' : clipped;
}
