// createSafeAgents: node:http / node:https agents whose every socket is opened by the checked connector (axios, got, SDKs).
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { openCheckedSocket } from './connect.js';
import type { CompiledPolicy } from './options.js';
import { compiledOf, refuse, type EgressPolicy } from './policy.js';

type Callback = (err: Error | null, stream: Duplex) => void;

function connectThrough(
  c: CompiledPolicy,
  protocol: 'http:' | 'https:',
  options: ClientRequestArgs,
  callback: Callback | undefined,
): void {
  const host =
    typeof options.host === 'string' ? options.host : typeof options.hostname === 'string' ? options.hostname : '';
  const port =
    options.port === undefined || options.port === null || options.port === ''
      ? protocol === 'http:'
        ? 80
        : 443
      : Number(options.port);
  const logUrl = `${protocol}//${host.includes(':') ? `[${host}]` : host}:${port}/`;
  const done = (error: Error | null, socket?: Duplex): void => {
    if (callback !== undefined) callback(error, socket as Duplex);
    else if (error === null) socket?.destroy();
  };
  const extra = options as ClientRequestArgs & { path?: unknown };
  // A unix socket or a chosen source address would bypass the address table; an own lookup() would be ignored anyway.
  if (extra.socketPath !== undefined || options.localAddress !== undefined) {
    done(refuse(c, 'egress_connect', 'connect', { url: logUrl, host }, 'socketPath and localAddress are refused'));
    return;
  }
  openCheckedSocket(c, { protocol, hostname: host, port: Number.isInteger(port) ? port : -1 }, logUrl).then(
    (socket) => {
      done(null, socket);
    },
    (error: unknown) => {
      done(error instanceof Error ? error : new Error('connect failed'));
    },
  );
}

class SafeHttpAgent extends HttpAgent {
  readonly #policy: CompiledPolicy;
  constructor(c: CompiledPolicy) {
    super({ keepAlive: true });
    this.#policy = c;
  }
  override createConnection(options: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
    connectThrough(this.#policy, 'http:', options, callback);
    return undefined;
  }
}

class SafeHttpsAgent extends HttpsAgent {
  readonly #policy: CompiledPolicy;
  constructor(c: CompiledPolicy) {
    super({ keepAlive: true });
    this.#policy = c;
  }
  override createConnection(options: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
    connectThrough(this.#policy, 'https:', options, callback);
    return undefined;
  }
}

/** The agents of {@link createSafeAgents}. */
export interface SafeAgents {
  /** For http: URLs (refuses everything unless the policy allows "http:"). */
  readonly httpAgent: HttpAgent;
  /** For https: URLs; TLS is verified against the requested host name. */
  readonly httpsAgent: HttpsAgent;
}

/**
 * node:http / node:https agents enforcing the policy, for clients that take an agent (axios
 * `httpAgent`/`httpsAgent`, got `agent: { http, https }`, `http.request({ agent })`). Every socket
 * is opened by the checked connector: host allowlist, port, names resolved once with every answer
 * classified, connect to the checked address, peer re-checked; `socketPath` and `localAddress` are
 * refused. Redirects the client follows come back through the agent, so each hop is checked at
 * host/address level (the agent never sees paths). Body size and header/body timeouts are the client's.
 */
export function createSafeAgents(policy: EgressPolicy): SafeAgents {
  const c = compiledOf(policy, 'createSafeAgents');
  return Object.freeze({ httpAgent: new SafeHttpAgent(c), httpsAgent: new SafeHttpsAgent(c) });
}
