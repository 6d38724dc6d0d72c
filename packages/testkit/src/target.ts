// startTarget(): the app under attack on 127.0.0.1:0 (or a loopback base URL), and raw node:http requests that send exact bytes.
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { PKG, checkOptions, optionError, type OptionKeys } from './options.js';

/** Options of {@link startTarget}. */
export interface TargetOptions {
  /**
   * Allow a base URL whose host is not loopback. The kit is an attack tool: pointing it at a host you
   * do not own is an attack. @default false (only 127.0.0.0/8, ::1 and localhost)
   */
  readonly dangerouslyAllowRemoteTarget?: boolean | undefined;
  /** Time one request may take before the kit gives up on it, in milliseconds. @default 10000 */
  readonly timeoutMs?: number | undefined;
}

const TARGET_KEYS: OptionKeys<TargetOptions> = { dangerouslyAllowRemoteTarget: true, timeoutMs: true };

/** One request, written as given: `path` goes on the request line unchanged (no URL normalisation). */
export interface RawRequest {
  /** @default "GET" */
  readonly method?: string | undefined;
  /** The raw request target, e.g. `/files/..%2f..%2fetc/passwd`. Must start with `/` or be `*`. */
  readonly path: string;
  /** Header lines in order; a name may repeat (duplicate headers are sent as separate lines). Values are sent as Latin-1. */
  readonly headers?: readonly (readonly [name: string, value: string])[] | undefined;
  readonly body?: string | Buffer | undefined;
  /** Overrides the target's timeoutMs for this request (milliseconds). */
  readonly timeoutMs?: number | undefined;
}

/** One answer. `body` is cut at 1 MiB (the rest is read and dropped). */
export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
  /** `body` as UTF-8 text. */
  readonly text: string;
}

/** The app under attack. */
export interface Target {
  /** `http://127.0.0.1:<port>` (or the given base URL without a trailing slash). */
  readonly baseUrl: string;
  /** Sends one raw request. Rejects only when no answer came (connection refused, reset, timeout). */
  request(req: RawRequest): Promise<RawResponse>;
  /** Closes the server the kit started (a given http.Server or base URL is left alone). */
  close(): Promise<void>;
}

/** An Express app (or any request listener). */
export type TargetApp = RequestListener;

const MAX_BODY = 1024 * 1024;

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h.toLowerCase() === 'localhost') return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) {
    const lower = h.toLowerCase();
    return lower === '::1' || /^::ffff:127\./.test(lower);
  }
  return false;
}

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

/**
 * Starts the app under attack. An Express app (or request listener) is served on `127.0.0.1:0`; an
 * `http.Server` is used as it is (started on `127.0.0.1:0` when not yet listening); a base URL must be
 * loopback unless `dangerouslyAllowRemoteTarget` is set. Options are checked here: a bad one throws a TypeError.
 */
export async function startTarget(
  appOrServerOrBaseUrl: TargetApp | Server | string | URL,
  options?: TargetOptions,
): Promise<Target> {
  const opts = checkOptions<TargetOptions>(PKG, options, TARGET_KEYS);
  const allowRemote = opts.dangerouslyAllowRemoteTarget;
  if (allowRemote !== undefined && typeof allowRemote !== 'boolean')
    throw optionError(
      PKG,
      'dangerouslyAllowRemoteTarget',
      'must be a boolean',
      'pass true or leave it out',
      allowRemote,
    );
  const timeoutOption = opts.timeoutMs ?? 10_000;
  if (
    typeof timeoutOption !== 'number' ||
    !Number.isInteger(timeoutOption) ||
    timeoutOption < 1 ||
    timeoutOption > 600_000
  )
    throw optionError(
      PKG,
      'timeoutMs',
      'must be an integer from 1 to 600000 milliseconds',
      'e.g. 10000',
      timeoutOption,
    );
  const timeout: number = timeoutOption;

  let owned: Server | undefined;
  let base: URL;
  if (typeof appOrServerOrBaseUrl === 'string' || appOrServerOrBaseUrl instanceof URL) {
    try {
      base = new URL(String(appOrServerOrBaseUrl));
    } catch {
      throw optionError(
        PKG,
        'target',
        'must be an absolute http URL',
        'e.g. "http://127.0.0.1:3000"',
        appOrServerOrBaseUrl,
      );
    }
    if (base.protocol !== 'http:')
      throw optionError(
        PKG,
        'target',
        'must be an http URL (the kit speaks plain node:http)',
        'e.g. "http://127.0.0.1:3000"',
        base.href,
      );
    if (!isLoopbackHost(base.hostname) && allowRemote !== true)
      throw optionError(
        PKG,
        'target',
        'is not a loopback address',
        'attack only servers you own; set dangerouslyAllowRemoteTarget: true for a remote one',
        base.hostname,
      );
  } else if (typeof appOrServerOrBaseUrl === 'function') {
    owned = createServer(appOrServerOrBaseUrl);
    const address = await listen(owned);
    base = new URL(`http://127.0.0.1:${address.port}`);
  } else if (
    typeof appOrServerOrBaseUrl === 'object' &&
    (appOrServerOrBaseUrl as unknown) !== null &&
    typeof appOrServerOrBaseUrl.listen === 'function'
  ) {
    const server = appOrServerOrBaseUrl;
    const address: AddressInfo | string = server.address() ?? (await listen((owned = server)));
    if (typeof address === 'string')
      throw optionError(PKG, 'target', 'listens on a pipe', 'listen on 127.0.0.1 (TCP) instead', address);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    base = new URL(`http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`);
  } else {
    throw optionError(
      PKG,
      'target',
      'must be an Express app, an http.Server or a base URL',
      'e.g. startTarget(app)',
      appOrServerOrBaseUrl,
    );
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  const baseUrl = `${base.protocol}//${base.host}${prefix}`;

  function request(req: RawRequest): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const flat: string[] = [];
      let hasHost = false;
      for (const [name, value] of req.headers ?? []) {
        if (name.toLowerCase() === 'host') hasHost = true;
        flat.push(name, value);
      }
      if (!hasHost) flat.unshift('Host', base.host);
      const body =
        req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
      if (body !== undefined && !flat.some((v, i) => i % 2 === 0 && /^(content-length|transfer-encoding)$/i.test(v)))
        flat.push('Content-Length', String(body.length));
      const clientRequest = httpRequest({
        host: base.hostname.startsWith('[') ? base.hostname.slice(1, -1) : base.hostname,
        port: base.port === '' ? 80 : Number(base.port),
        method: req.method ?? 'GET',
        path: `${prefix}${req.path}`,
        headers: flat,
        agent: false,
        setHost: false,
        timeout: req.timeoutMs ?? timeout,
      });
      clientRequest.on('timeout', () => {
        clientRequest.destroy(new Error(`no answer within ${String(req.timeoutMs ?? timeout)} ms`));
      });
      clientRequest.on('error', reject);
      clientRequest.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk.subarray(0, MAX_BODY - size));
          size += chunk.length;
        });
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] ?? '').toLowerCase();
            const value = res.rawHeaders[i + 1] ?? '';
            const prev = headers[name];
            headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
          }
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers, body: buf, text: buf.toString('utf8') });
        });
      });
      clientRequest.end(body);
    });
  }

  return {
    baseUrl,
    request,
    close: () => (owned === undefined ? Promise.resolve() : closeServer(owned)),
  };
}
