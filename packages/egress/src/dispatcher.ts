// createSafeDispatcher: an undici Agent whose every connection goes through the checked connector.
import { Agent, type buildConnector, type Dispatcher } from 'undici';
import { openCheckedSocket } from './connect.js';
import type { CompiledPolicy } from './options.js';
import { checkUrl, compiledOf, loggableUrl, refuse, type EgressPolicy } from './policy.js';

/** The undici connector of a policy: refuses socketPath, localAddress and socket upgrades, then opens a checked socket. */
export function createConnector(c: CompiledPolicy): buildConnector.connector {
  return function egressConnector(options, callback) {
    const port =
      options.port === '' || options.port === undefined
        ? options.protocol === 'http:'
          ? 80
          : 443
        : Number(options.port);
    const logUrl = `${options.protocol}//${options.host ?? options.hostname}/`;
    const where = { url: logUrl, host: options.hostname };
    if (options.socketPath != null || options.localAddress != null || options.httpSocket !== undefined) {
      callback(
        refuse(c, 'egress_connect', 'connect', where, 'socketPath, localAddress and socket upgrades are refused'),
        null,
      );
      return;
    }
    openCheckedSocket(c, { protocol: options.protocol, hostname: options.hostname, port }, logUrl).then(
      (socket) => {
        callback(null, socket);
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error('connect failed'), null);
      },
    );
  };
}

// A handler that never started: give it the refusal the way undici's own dispatch() does for bad options.
function failHandler(handler: Dispatcher.DispatchHandler, error: Error): void {
  // Legacy handlers (Node's bundled fetch among them) only have onError.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (typeof handler.onError === 'function') {
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    handler.onError(error);
    return;
  }
  const controller: Dispatcher.DispatchController = {
    aborted: true,
    paused: false,
    reason: error,
    abort() {},
    pause() {},
    resume() {},
  };
  handler.onResponseError?.(controller, error);
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** undici's timeout errors as egress_timeout (the refusals of the connector are EgressErrors already). */
export function translateError(c: CompiledPolicy, error: Error, target: URL): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    const where = { url: loggableUrl(target), host: target.hostname };
    return refuse(c, 'egress_timeout', 'response', where, `Timed out (${code})`, error);
  }
  return error;
}

// Handlers may be class instances with private fields: methods are called on the original object.
function translatingHandler(
  c: CompiledPolicy,
  handler: Dispatcher.DispatchHandler,
  origin: URL,
  path: string,
): Dispatcher.DispatchHandler {
  // The path without its query: only what logs may see.
  const logTarget = (): URL => {
    const cut = path.search(/[?#]/);
    const url = new URL(origin.href);
    url.pathname = cut === -1 ? path : path.slice(0, cut);
    return url;
  };
  return new Proxy(handler, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'onError')
        return (error: Error) => {
          (value as (e: Error) => void).call(target, translateError(c, error, logTarget()));
        };
      if (key === 'onResponseError') {
        return (controller: Dispatcher.DispatchController, error: Error) => {
          (value as (k: Dispatcher.DispatchController, e: Error) => void).call(
            target,
            controller,
            translateError(c, error, logTarget()),
          );
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

/** An undici Agent enforcing a policy: the URL check at dispatch (every redirect hop included), the checked connector underneath. */
class SafeAgent extends Agent {
  readonly #policy: CompiledPolicy;

  constructor(c: CompiledPolicy) {
    super({
      connect: createConnector(c),
      headersTimeout: c.timeouts.headersMs,
      bodyTimeout: c.timeouts.bodyMs,
      connectTimeout: c.timeouts.connectMs,
    });
    this.#policy = c;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin ?? '');
    const result = checkUrl(this.#policy, origin);
    if (!result.ok) {
      failHandler(handler, result.error);
      return false;
    }
    return super.dispatch(options, translatingHandler(this.#policy, handler, result.url, options.path));
  }
}

/**
 * An undici dispatcher that enforces the policy: pass it as `dispatcher` to undici's `fetch`/`request`
 * (or Node's global fetch). Each request's origin is checked at dispatch — so each redirect hop fetch
 * follows is re-checked — and each connection is opened by the checked connector (names resolved
 * once, every answer classified, TLS verified against the original host, peer re-checked).
 * Timeouts: connectMs, headersMs, and bodyMs as the idle time between body chunks.
 */
export function createSafeDispatcher(policy: EgressPolicy): Dispatcher {
  const c = compiledOf(policy, 'createSafeDispatcher');
  return new SafeAgent(c);
}

const AGENTS = new WeakMap<CompiledPolicy, Dispatcher>();

/** The one agent of a compiled policy that safeFetch uses (keep-alive connections are shared between calls). */
export function sharedAgentOf(c: CompiledPolicy): Dispatcher {
  let agent = AGENTS.get(c);
  if (agent === undefined) {
    agent = new SafeAgent(c);
    AGENTS.set(c, agent);
  }
  return agent;
}
