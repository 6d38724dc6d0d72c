// The connector every entry point ends in: resolve once, classify every answer, connect to the checked address, re-check the peer.
import { subscribe } from 'node:diagnostics_channel';
import { connect as netConnect, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { isReachable, normaliseAddress } from './addresses.js';
import { EgressError } from './errors.js';
import type { CompiledPolicy } from './options.js';
import { checkTarget, emit, normaliseHost, refuse, type Target } from './policy.js';

/** What a connector is asked to reach (undici's connect options and node:http's agree on these). */
export interface ConnectRequest {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number;
}

// ---- the app's own listening sockets (a request to them would let the outside call the app from the inside)

const ownServers = new Set<Server>();
let listening = false;

/** Starts tracking servers of this process that start listening from now on (net.Server#listen tracing channel). */
export function trackOwnServers(): void {
  if (listening) return;
  listening = true;
  subscribe('tracing:net.server.listen:asyncEnd', (message) => {
    const server = (message as { server?: Server }).server;
    if (server === undefined || ownServers.has(server)) return;
    ownServers.add(server);
    server.once('close', () => ownServers.delete(server));
  });
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      const n = normaliseAddress(i.address);
      if (n !== null) out.add(n.address);
    }
  }
  return out;
}

/** True when address:port is a socket this process listens on (wildcard listeners: any local address). */
export function isOwnListener(address: string, port: number): boolean {
  const target = normaliseAddress(address);
  if (target === null) return false;
  let locals: Set<string> | undefined;
  for (const server of ownServers) {
    const bound = server.address();
    if (bound === null || typeof bound === 'string' || bound.port !== port) continue;
    const mine = normaliseAddress(bound.address);
    if (mine === null) continue;
    if (mine.address === target.address) return true;
    if (mine.address === '0.0.0.0' || mine.address === '0:0:0:0:0:0:0:0') {
      locals ??= localAddresses();
      if (locals.has(target.address) || target.address.startsWith('127.') || target.address === '0:0:0:0:0:0:0:1')
        return true;
    }
  }
  return false;
}

// ---- resolution

function errno(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';
}

async function answers(query: Promise<string[]>): Promise<string[]> {
  try {
    const list = await query;
    return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [];
  } catch (error) {
    // No record of this family is an empty answer, not a failure: the other family may have one.
    if (errno(error) === 'ENODATA') return [];
    throw error;
  }
}

/**
 * Resolves a name once (A and AAAA together, within dnsMs) and classifies every answer. With
 * mixedAnswers "reject" any disallowed answer refuses the host: a name that points at an internal
 * address next to a public one is a rebinding or an attack, not a mistake to route around.
 * Returns the address to connect to.
 */
export async function resolveTarget(c: CompiledPolicy, host: string, logUrl: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new EgressError('egress_timeout', 'DNS timed out'));
    }, c.timeouts.dnsMs);
  });
  let list: string[];
  try {
    const [v4, v6] = await Promise.race([
      Promise.all([answers(c.resolver.resolve4(host)), answers(c.resolver.resolve6(host))]),
      timeout,
    ]);
    list = [...v4, ...v6];
  } catch (error) {
    const timedOut = error instanceof EgressError || errno(error) === 'ETIMEOUT';
    throw refuse(
      c,
      timedOut ? 'egress_timeout' : 'egress_dns',
      'dns',
      { url: logUrl, host },
      timedOut ? 'DNS timed out' : `DNS failed (${errno(error) || 'error'})`,
      error,
    );
  } finally {
    clearTimeout(timer);
  }
  if (list.length === 0) throw refuse(c, 'egress_dns', 'dns', { url: logUrl, host }, 'No A/AAAA answer');
  let chosen: string | undefined;
  for (const address of list) {
    if (isReachable(c.table.classify(address))) {
      chosen ??= address;
    } else if (c.mixedAnswers === 'reject') {
      throw refuse(c, 'egress_address', 'dns', { url: logUrl, host, address }, 'A resolved address is not public');
    }
  }
  if (chosen === undefined) {
    throw refuse(
      c,
      'egress_address',
      'dns',
      { url: logUrl, host, address: list[0] ?? '' },
      'No resolved address is public',
    );
  }
  return chosen;
}

// ---- connecting

/** TLS/socket settings of the connection (not policy: the policy decides where, these decide how). */
export interface SocketSettings {
  /** ALPN protocols offered on https. */
  readonly alpn?: readonly string[];
}

/**
 * Opens a socket for a target after every check: URL-level target check, resolution (names) or the
 * literal itself, the own-listener check, connect (TLS with servername = the original host, so
 * certificate verification stays on the name), then the peer address re-checked. Rejects with an
 * EgressError; never leaves a socket open on failure.
 */
export async function openCheckedSocket(
  c: CompiledPolicy,
  request: ConnectRequest,
  logUrl: string,
  settings: SocketSettings = {},
): Promise<Socket> {
  const h = normaliseHost(request.hostname);
  if (h === null)
    throw refuse(c, 'egress_host', 'connect', { url: logUrl, host: request.hostname }, 'Host is not valid');
  const target: Target = { protocol: request.protocol, host: h.host, port: request.port, literal: h.literal };
  const refused = checkTarget(c, target, logUrl);
  if (refused !== undefined) throw refused;
  const address = h.literal ? h.host : await resolveTarget(c, h.host, logUrl);
  const where = { url: logUrl, host: h.host, address };
  if (isOwnListener(address, request.port)) {
    throw refuse(c, 'egress_address', 'connect', where, "Address is this process's own listening socket");
  }
  const socket = await new Promise<Socket>((resolve, reject) => {
    const options = {
      host: address,
      port: request.port,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
    };
    const s =
      request.protocol === 'https:'
        ? tlsConnect({
            ...options,
            // SNI and certificate verification use the name the caller asked for, never the address.
            ...(h.literal ? {} : { servername: h.host }),
            ...(c.ca === undefined ? {} : { ca: [...c.ca] }),
            ALPNProtocols: [...(settings.alpn ?? ['http/1.1'])],
            rejectUnauthorized: true,
          })
        : netConnect(options);
    const timer = setTimeout(() => {
      s.destroy();
      reject(refuse(c, 'egress_timeout', 'connect', where, 'Connect timed out'));
    }, c.timeouts.connectMs);
    const onError = (error: Error): void => {
      clearTimeout(timer);
      s.destroy();
      reject(refuse(c, 'egress_connect', 'connect', where, `Connect failed (${errno(error) || 'error'})`, error));
    };
    s.once('error', onError);
    s.once(request.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      s.off('error', onError);
      resolve(s);
    });
  });
  // The peer as the kernel reports it: what was connected to, whatever the resolution said.
  const peer = socket.remoteAddress;
  if (peer === undefined || !isReachable(c.table.classify(peer)) || isOwnListener(peer, request.port)) {
    socket.destroy();
    throw refuse(c, 'egress_address', 'connect', { ...where, address: peer ?? '' }, 'Connected peer is not public');
  }
  emit(c, { decision: 'allow', stage: 'connect', ...where });
  return socket;
}
