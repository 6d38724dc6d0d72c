// The two routes that make the server send requests out, both through @portcullis/egress: POST /cases/import-url
// (fetch a CSV from an allowed host) and PUT /webhook (a tenant's URL for signed transition events).
import { createHmac } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  createEgressPolicy,
  EgressError,
  safeFetch,
  type EgressDecisionEvent,
  type EgressPolicy,
  type EgressPolicyOptions,
} from '@portcullis/egress';
import { randomToken } from '@portcullis/secrets';
import type { AuditEvent, Principal } from './domain.js';
import type { CasePolicy, PolicyResource } from './policy.js';
import { principalOf } from './principal.js';
import type { CaseService } from './service.js';
import type { Repository } from './storage/index.js';
import { parseImport } from './validation.js';

/** The logging surface this module needs (a pino logger fits). */
export interface OutboundLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Largest CSV the URL import reads, decoded bytes (the same 1 MiB as POST /cases/import). */
export const IMPORT_URL_MAX_BYTES = 1024 * 1024;
/** Tries per webhook event, the first included. */
export const WEBHOOK_MAX_TRIES = 3;
/** Waits before the second and third try, milliseconds. */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([1000, 5000]);
/** The signature header of webhook deliveries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const SIGNATURE_HEADER = 'Portcullis-Signature';

/** Egress settings of the two features; tests put their loopback stand-ins in allowAddresses here. */
export interface OutboundOptions {
  /** IMPORT_URL_HOSTS: hosts POST /cases/import-url may fetch from; undefined = the route refuses every request. */
  readonly importUrlHosts?: readonly string[] | 'public' | undefined;
  /** Extra egress options of the URL import (never `hosts`). */
  readonly importUrlEgress?: Omit<Partial<EgressPolicyOptions>, 'hosts'> | undefined;
  /** Extra egress options of webhook delivery (hosts is always "public"). */
  readonly webhookEgress?: Omit<Partial<EgressPolicyOptions>, 'hosts'> | undefined;
  /** Waits before the retries, milliseconds. @default [1000, 5000] */
  readonly webhookRetryDelaysMs?: readonly number[] | undefined;
}

const urlBody = z.strictObject({ url: z.string().min(1).max(2048) });

const tenantScope = (p: Principal): PolicyResource => ({ tenantId: p.tenantId, assignedReviewerId: null });

function loggable(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 200);
  } catch {
    return '(unparsable)';
  }
}

function decisionLogger(logger: OutboundLogger, feature: string): (event: EgressDecisionEvent) => void {
  // The event never carries the query string; refusals at warn, allowed connections at info.
  return function logEgressDecision(event) {
    if (event.decision === 'refuse') logger.warn({ egress: { feature, ...event } }, 'egress refused');
    else logger.info({ egress: { feature, ...event } }, 'egress allowed');
  };
}

function isCsv(contentType: string | null): boolean {
  return contentType !== null && contentType.split(';')[0]?.trim().toLowerCase() === 'text/csv';
}

/** The one refusal the client sees for anything that went wrong upstream (422 upstream_refused). */
function refused(code: EgressError['code'], message: string): EgressError {
  return new EgressError(code, message);
}

/** Builds the egress policies once (at app creation, before listen) and the routes using them. */
export function outboundRoutes(deps: {
  readonly policy: CasePolicy;
  readonly repo: Repository;
  readonly logger: OutboundLogger;
  readonly now: () => Date;
  readonly options?: OutboundOptions | undefined;
}): { router: (service: CaseService) => Router; onTransition: (event: AuditEvent) => void } {
  const { policy, repo, logger, options } = deps;
  const importPolicy: EgressPolicy | undefined =
    options?.importUrlHosts === undefined
      ? undefined
      : createEgressPolicy({
          ...options.importUrlEgress,
          hosts: options.importUrlHosts,
          maxResponseBytes: IMPORT_URL_MAX_BYTES,
          onDecision: decisionLogger(logger, 'import-url'),
        });
  const webhookPolicy = createEgressPolicy({
    timeouts: { totalMs: 10_000 },
    maxResponseBytes: 64 * 1024,
    ...options?.webhookEgress,
    hosts: 'public',
    onDecision: decisionLogger(logger, 'webhook'),
  });
  const delays = options?.webhookRetryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS;

  function routes(service: CaseService): Router {
    const router = express.Router();

    // Registered before the case routes; JSON body ({ "url": "https://…" }), admin only.
    router.post('/cases/import-url', async function importFromUrl(req: Request, res: Response) {
      const principal = principalOf(req);
      policy.authorize(principal, 'IMPORT_URL', tenantScope(principal));
      const { url } = urlBody.parse(req.body);
      let bytes: Uint8Array;
      try {
        if (importPolicy === undefined) throw refused('egress_host', 'IMPORT_URL_HOSTS is not set');
        const upstream = await safeFetch(importPolicy, url, { headers: { accept: 'text/csv' } });
        if (upstream.status !== 200) throw refused('egress_connect', `upstream answered ${upstream.status}`);
        if (!isCsv(upstream.headers.get('content-type'))) throw refused('egress_connect', 'upstream is not text/csv');
        bytes = new Uint8Array(await upstream.arrayBuffer());
        // Not UTF-8 is the upstream's fault (422 upstream_refused); parseImport would refuse it as invalid CSV.
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch (error) {
        const egress =
          error instanceof EgressError ? error : refused('egress_connect', 'upstream body is not UTF-8 text');
        logger.warn(
          { importUrl: { code: egress.code, reason: egress.message, url: loggable(url) } },
          'import-url refused',
        );
        throw egress.toHttpError();
      }
      // From here on the same validation and use case as POST /cases/import.
      const created = await service.importCases(principal, parseImport(bytes));
      res.status(201).json({ created });
    });

    router.put('/webhook', async function putWebhook(req: Request, res: Response) {
      const principal = principalOf(req);
      policy.authorize(principal, 'MANAGE_WEBHOOK', tenantScope(principal));
      const { url } = urlBody.parse(req.body);
      // URL-level check on save (scheme, port, userinfo, literals); the addresses are checked at each delivery.
      const decision = webhookPolicy.check(url);
      if (!decision.ok) {
        logger.warn({ webhook: { code: decision.error.code, url: loggable(url) } }, 'webhook refused');
        throw decision.error.toHttpError();
      }
      // Shown once: only the tenant's receiver keeps it.
      const secret = `whsec_${randomToken()}`;
      await repo.putWebhook(principal.tenantId, { url: decision.url.href, secret }, deps.now().toISOString());
      logger.info({ webhook: { tenantId: principal.tenantId, url: loggable(decision.url.href) } }, 'webhook saved');
      res.status(200).json({ url: decision.url.href, secret });
    });
    return router;
  }

  async function deliver(event: AuditEvent): Promise<void> {
    const hook = await repo.getWebhook(event.tenantId);
    if (hook === null) return;
    const body = JSON.stringify({
      type: 'case.transitioned',
      caseId: event.caseId,
      from: event.from,
      to: event.to,
      at: event.at,
    });
    const where = { tenantId: event.tenantId, caseId: event.caseId, url: loggable(hook.url) };
    for (let attempt = 1; attempt <= WEBHOOK_MAX_TRIES; attempt++) {
      const t = Math.floor(deps.now().getTime() / 1000);
      const signature = createHmac('sha256', hook.secret).update(`${t}.${body}`).digest('hex');
      let retry: boolean;
      try {
        const response = await safeFetch(webhookPolicy, hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: `t=${t},v1=${signature}` },
          body,
        });
        if (response.status >= 200 && response.status < 300) {
          logger.info(
            { webhook: { ...where, attempt, outcome: 'delivered', status: response.status } },
            'webhook delivery',
          );
          return;
        }
        retry = response.status >= 500 || response.status === 429 || response.status === 408;
        logger.warn({ webhook: { ...where, attempt, outcome: 'failed', status: response.status } }, 'webhook delivery');
      } catch (error) {
        const code = error instanceof EgressError ? error.code : 'egress_connect';
        // A policy refusal (internal address, DNS, redirect) is final; a connection problem may pass.
        retry = code === 'egress_connect' || code === 'egress_timeout';
        logger.warn(
          { webhook: { ...where, attempt, outcome: retry ? 'failed' : 'refused', code } },
          'webhook delivery',
        );
      }
      if (!retry || attempt === WEBHOOK_MAX_TRIES) return;
      await new Promise<void>((resolve) => setTimeout(resolve, delays[attempt - 1] ?? 0).unref());
    }
  }

  return {
    router: routes,
    // Asynchronous: the transition has committed and answered; a delivery never delays or fails it.
    onTransition: function sendWebhook(event: AuditEvent) {
      deliver(event).catch((error: unknown) => {
        logger.warn(
          {
            webhook: {
              tenantId: event.tenantId,
              caseId: event.caseId,
              outcome: 'error',
              error: error instanceof Error ? error.name : 'unknown',
            },
          },
          'webhook delivery',
        );
      });
    },
  };
}
