// installGlobalEgressGuard: the policy for everything that uses the process-wide defaults (global fetch, http(s).globalAgent).
import http from 'node:http';
import https from 'node:https';
import { getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { createSafeAgents } from './agents.js';
import { createSafeDispatcher } from './dispatcher.js';
import type { EgressPolicy } from './policy.js';

/**
 * Installs the policy as undici's global dispatcher (which Node's own `fetch` uses too) and as
 * `http.globalAgent` / `https.globalAgent`, for third-party SDKs that make requests on their own.
 * Returns a function that restores what was there before. Libraries that bring their own agent or
 * dispatcher are not covered (see the README's limits).
 */
export function installGlobalEgressGuard(policy: EgressPolicy): () => void {
  const dispatcher = createSafeDispatcher(policy);
  const agents = createSafeAgents(policy);
  const previous = { dispatcher: getGlobalDispatcher(), http: http.globalAgent, https: https.globalAgent };
  setGlobalDispatcher(dispatcher);
  http.globalAgent = agents.httpAgent;
  https.globalAgent = agents.httpsAgent;
  let restored = false;
  return function restoreEgressGuard(): void {
    if (restored) return;
    restored = true;
    setGlobalDispatcher(previous.dispatcher);
    http.globalAgent = previous.http;
    https.globalAgent = previous.https;
    void dispatcher.close().catch(() => undefined);
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  };
}
