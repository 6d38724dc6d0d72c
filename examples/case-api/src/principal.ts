// The caller, from verified JWT claims only (sub, tenant_id, roles): never from headers, query or body.
import type { IncomingMessage } from 'node:http';
import { principalFromClaims } from '@portcullis/policy';
import { z } from 'zod';
import type { Principal } from './domain.js';

const IDENTIFIER = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@|-]+$/);

const claimsSchema = z.object({
  sub: IDENTIFIER,
  tenant_id: IDENTIFIER,
  roles: z.array(z.string().min(1).max(64)).max(32),
});

const readClaims = principalFromClaims(claimsSchema);

/**
 * The principal of an authenticated request. Throws 401 (no verified claims) or 403 invalid_claims
 * (claims missing or malformed) for next(err); never a 500.
 */
export function principalOf(req: IncomingMessage): Principal {
  const claims = readClaims(req);
  return { id: claims.sub, tenantId: claims.tenant_id, roles: claims.roles };
}
