// Content sniffing: file-type for binary formats, own detectors for text (fatal UTF-8, no NUL) and markup.
import { imageSize } from 'image-size';
import { KNOWN_TYPES, type KnownType } from './types.js';

/** Bytes of a file's start that are sniffed (file-type's own minimum for reliable detection). */
export const SNIFF_BYTES = 4100;

type FileTypeFromBuffer = (buffer: Uint8Array) => Promise<{ readonly mime: string } | undefined>;
let fileTypeLoader: Promise<FileTypeFromBuffer> | undefined;

/**
 * file-type 21 is ESM only. A dynamic import() loads it from the ESM build and from the CommonJS build alike
 * (tsup keeps import() as is; Node resolves it as ESM), loaded once, on the first upload.
 */
export function loadFileType(): Promise<FileTypeFromBuffer> {
  fileTypeLoader ??= import('file-type').then(
    (m) => m.fileTypeFromBuffer,
    (error: unknown) => {
      fileTypeLoader = undefined;
      throw error;
    },
  );
  return fileTypeLoader;
}

/** Validates text while a file streams: strict UTF-8 over the whole file and no NUL byte anywhere. */
export class TextCheck {
  #decoder = new TextDecoder('utf-8', { fatal: true });
  #ok = true;

  update(chunk: Uint8Array): void {
    if (!this.#ok) return;
    if (chunk.includes(0)) {
      this.#ok = false;
      return;
    }
    try {
      this.#decoder.decode(chunk, { stream: true });
    } catch {
      this.#ok = false;
    }
  }

  /** True when every byte seen formed valid UTF-8 text without NUL. */
  finish(): boolean {
    if (!this.#ok) return false;
    try {
      this.#decoder.decode();
    } catch {
      this.#ok = false;
    }
    return this.#ok;
  }
}

// Markup a browser would render or run (WHATWG MIME Sniffing §7.1 looks for these at the start; anywhere in the
// sniffed head is stricter, and a text file holding them is refused as markup rather than stored as text).
const SVG = /<svg[\s/>]/iu;
const XML = /^\s*<\?xml[\s?]/iu;
const HTML =
  /<(?:!doctype\s+html|html|head|body|script|iframe|frame|frameset|object|embed|applet|meta|link|style|base|form|img|video|audio|a\s|div|table|title|xml|xsl|math)[\s/>]|<!--/iu;

/** Hints from the request for the text detectors (which formats the file claims to be). */
export interface TextHints {
  readonly declared: string;
  readonly ext: string | undefined;
  readonly allowed: ReadonlySet<string>;
}

function textType(head: Uint8Array, hints: TextHints): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\ufeff/u, '');
  if (SVG.test(text)) return 'image/svg+xml';
  if (XML.test(text)) return 'application/xml';
  if (HTML.test(text)) return 'text/html';
  const js = KNOWN_TYPES.get('text/javascript');
  if (js !== undefined && (js.extensions.includes(hints.ext ?? '') || js.declared.includes(hints.declared))) {
    return 'text/javascript';
  }
  const csv = KNOWN_TYPES.get('text/csv');
  const claimsCsv =
    csv !== undefined &&
    (hints.ext === 'csv' || (hints.declared !== 'text/plain' && csv.declared.includes(hints.declared)));
  if (claimsCsv) return 'text/csv';
  if (hints.allowed.has('text/csv') && !hints.allowed.has('text/plain')) return 'text/csv';
  return 'text/plain';
}

/**
 * The sniffed media type of a file from its first {@link SNIFF_BYTES} bytes, or undefined when nothing is
 * recognised. `isText` says whether the whole file is valid UTF-8 without NUL ({@link TextCheck}).
 */
export async function sniffType(head: Uint8Array, isText: boolean, hints: TextHints): Promise<string | undefined> {
  if (head.length === 0) return undefined;
  const fromBuffer = await loadFileType();
  const detected = await fromBuffer(head.subarray(0, SNIFF_BYTES));
  if (detected !== undefined) return detected.mime;
  return isText ? textType(head.subarray(0, SNIFF_BYTES), hints) : undefined;
}

// image-size's names for the image types the guard knows.
const IMAGE_SIZE_TYPES: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Bytes of an image's start handed to image-size (JPEG headers can sit behind large EXIF blocks). */
export const IMAGE_HEADER_BYTES = 512 * 1024;

/** Pixel count from the image header alone (no decoding), or undefined when the header cannot be read. */
export function imagePixels(type: KnownType, header: Uint8Array): number | undefined {
  try {
    const size = imageSize(header);
    if (size.type !== IMAGE_SIZE_TYPES[type.mime]) return undefined;
    let pixels = size.width * size.height;
    for (const image of size.images ?? []) pixels = Math.max(pixels, image.width * image.height);
    return Number.isFinite(pixels) && pixels > 0 ? pixels : undefined;
  } catch {
    return undefined;
  }
}
