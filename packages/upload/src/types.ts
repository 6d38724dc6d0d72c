// The media types the guard knows: what each is stored as, which declared types and extensions agree with it.

/** One known media type. */
export interface KnownType {
  /** The media type stored and served (`Content-Type` of downloads adds `; charset=utf-8` for text). */
  readonly mime: string;
  /** Extension the stored file gets (without the dot). */
  readonly ext: string;
  /** Client file-name extensions (lower case, no dot) that agree with this type. */
  readonly extensions: readonly string[];
  /** Part `Content-Type` values (lower case, no parameters) that agree with this type. */
  readonly declared: readonly string[];
  /** Script-capable in a browser (SVG, HTML, XML, JavaScript): refused unless dangerouslyAllowActiveContent. */
  readonly active: boolean;
  /** Recognised by the own text detectors rather than by file-type. */
  readonly text: boolean;
  /** An image whose dimensions are read before it is accepted. */
  readonly image: boolean;
}

function known(
  mime: string,
  ext: string,
  extensions: readonly string[],
  declared: readonly string[],
  flags: { active?: boolean; text?: boolean; image?: boolean } = {},
): KnownType {
  return Object.freeze({
    mime,
    ext,
    extensions: Object.freeze([...extensions]),
    declared: Object.freeze([mime, ...declared]),
    active: flags.active ?? false,
    text: flags.text ?? false,
    image: flags.image ?? false,
  });
}

/** Every type a field may list in `types`. */
export const KNOWN_TYPES: ReadonlyMap<string, KnownType> = new Map(
  [
    known('application/pdf', 'pdf', ['pdf'], ['application/x-pdf']),
    known('image/png', 'png', ['png'], ['image/x-png'], { image: true }),
    known('image/jpeg', 'jpg', ['jpg', 'jpeg', 'jpe'], ['image/jpg', 'image/pjpeg'], { image: true }),
    known('image/gif', 'gif', ['gif'], [], { image: true }),
    known('image/webp', 'webp', ['webp'], [], { image: true }),
    known('application/zip', 'zip', ['zip'], ['application/x-zip-compressed', 'application/x-zip']),
    known('text/plain', 'txt', ['txt', 'text', 'log'], [], { text: true }),
    // Windows browsers send CSV files as application/vnd.ms-excel; text/plain is the multipart default (RFC 7578 §4.4).
    known('text/csv', 'csv', ['csv'], ['application/csv', 'text/x-csv', 'application/vnd.ms-excel', 'text/plain'], {
      text: true,
    }),
    known('image/svg+xml', 'svg', ['svg'], [], { active: true, text: true }),
    known('text/html', 'html', ['html', 'htm'], ['application/xhtml+xml'], { active: true, text: true }),
    known('application/xml', 'xml', ['xml'], ['text/xml'], { active: true, text: true }),
    known('text/javascript', 'js', ['js', 'mjs'], ['application/javascript', 'application/x-javascript'], {
      active: true,
      text: true,
    }),
  ].map((t) => [t.mime, t]),
);

/** Part Content-Type values that claim nothing about the content, so never contradict it. */
export const GENERIC_DECLARED: ReadonlySet<string> = new Set(['application/octet-stream']);

/**
 * Extensions that make a file executable or script-capable somewhere (web servers mapping by any extension,
 * browsers, shells). Refused anywhere in a client file name (`x.php.png`), not only at its end.
 */
export const DANGEROUS_EXTENSIONS: ReadonlySet<string> = new Set([
  'php',
  'php3',
  'php4',
  'php5',
  'php7',
  'php8',
  'phtml',
  'phar',
  'pht',
  'phps',
  'asp',
  'aspx',
  'ascx',
  'ashx',
  'asmx',
  'cer',
  'jsp',
  'jspx',
  'jsf',
  'cfm',
  'cgi',
  'pl',
  'py',
  'rb',
  'sh',
  'exe',
  'dll',
  'bat',
  'cmd',
  'com',
  'scr',
  'msi',
  'ps1',
  'vbs',
  'wsf',
  'hta',
  'jar',
  'war',
  'html',
  'htm',
  'xhtml',
  'shtml',
  'svg',
  'svgz',
  'xml',
  'xsl',
  'js',
  'mjs',
  'swf',
  'htaccess',
]);

/** The Content-Type a stored file of this type is served with. */
export function servedContentType(type: KnownType): string {
  return type.text ? `${type.mime}; charset=utf-8` : type.mime;
}
