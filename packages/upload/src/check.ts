// The one content check every path runs (streamed uploads and validateBuffer): sniffed type, contradictions, pixels.
import { UploadError } from './errors.js';
import { analyseName } from './names.js';
import type { CompiledField } from './options.js';
import { imagePixels, IMAGE_HEADER_BYTES, sniffType } from './sniff.js';
import { DANGEROUS_EXTENSIONS, GENERIC_DECLARED, KNOWN_TYPES, type KnownType } from './types.js';

/** What is known about a received file when its bytes are complete. */
export interface ContentFacts {
  readonly rule: CompiledField;
  /** The first bytes (at least SNIFF_BYTES when the file is that long). */
  readonly head: Uint8Array;
  /** The whole file was valid UTF-8 without NUL. */
  readonly isText: boolean;
  /** The part's Content-Type as busboy reports it (RFC 7578 §4.4: absent means text/plain). */
  readonly declared: string;
  /** The client's file name as sent (busboy dropped directories), or undefined. */
  readonly clientName: string | undefined;
  /** Reads up to `bytes` from the file's start (for image headers). */
  readonly readStart: (bytes: number) => Promise<Uint8Array>;
}

/** Normalises a media type: lower case, parameters dropped. */
export function bareMediaType(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Checks a complete file against its field rule and returns its type. Throws UploadError:
 * 415 `upload_type` (unrecognised, not allowed, active content), 415 `upload_type_mismatch` (Content-Type or
 * extension contradicts the content, deceptive names), 422 `upload_rejected` (pixels, unreadable image header).
 */
export async function checkContent(facts: ContentFacts, maxPixels: number): Promise<KnownType> {
  const name = facts.clientName === undefined || facts.clientName === '' ? undefined : analyseName(facts.clientName);
  if (name?.refusal !== undefined) throw new UploadError('upload_type_mismatch', name.refusal);
  const declared = bareMediaType(facts.declared);
  const mime = await sniffType(facts.head, facts.isText, {
    declared,
    ext: name?.ext,
    allowed: new Set(facts.rule.types.keys()),
  });
  if (mime === undefined) throw new UploadError('upload_type', 'unrecognised_content');
  const known = KNOWN_TYPES.get(mime);
  const type = facts.rule.types.get(mime);
  if (type === undefined) {
    throw new UploadError('upload_type', known?.active === true ? 'active_content' : 'type_not_allowed');
  }
  if (!GENERIC_DECLARED.has(declared) && !type.declared.includes(declared)) {
    throw new UploadError('upload_type_mismatch', 'content_type_contradicts');
  }
  if (name !== undefined) {
    if (name.ext !== undefined && !type.extensions.includes(name.ext)) {
      throw new UploadError('upload_type_mismatch', 'extension_contradicts');
    }
    if (name.inner.some((ext) => DANGEROUS_EXTENSIONS.has(ext))) {
      throw new UploadError('upload_type_mismatch', 'dangerous_inner_extension');
    }
  }
  if (type.image) {
    const pixels = imagePixels(type, await facts.readStart(IMAGE_HEADER_BYTES));
    if (pixels === undefined) throw new UploadError('upload_rejected', 'image_header_unreadable');
    if (pixels > maxPixels) throw new UploadError('upload_rejected', 'image_too_many_pixels');
  }
  return type;
}
