// One option-error format for every package's factories: an unknown key, a wrong type and a long
// secret-looking string each produce `@portcullis/<pkg>: "<option>" <problem> (got <value>); <fix>`
// with at most 24 characters of the value (@portcullis/errors/options).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jwtAuth } from '@portcullis/auth';
import { csrfGuard, jsonBody, requireJson, securityHeaders } from '@portcullis/baseline';
import { defineConfig, secret } from '@portcullis/config';
import { strictCors } from '@portcullis/cors';
import { createEgressPolicy } from '@portcullis/egress';
import { errorHandler } from '@portcullis/errors';
import { createLogger, requestLogger } from '@portcullis/logging';
import { sendSafeFile } from '@portcullis/paths';
import { authorize, definePolicy } from '@portcullis/policy';
import { loginLimiter, rateLimit, redisStore } from '@portcullis/ratelimit';
import { createPasswordHasher } from '@portcullis/secrets';

const SECRET = `sk_live_${'Q7'.repeat(24)}`;
const FORMAT = /^@portcullis\/([a-z-]+): "[^"\n]+" [^\n]+ \(got [^\n]+\); [^\n]+$/;

type Make = (options: Record<string, unknown>) => unknown;
interface Factory {
  readonly pkg: string;
  readonly name: string;
  readonly make: Make;
  /** Options that are valid on their own, so that only the case under test is wrong. */
  readonly base: Record<string, unknown>;
  /** An option given a value of the wrong type. */
  readonly wrongType: Record<string, unknown>;
  /** An option given a long secret-looking string it refuses. */
  readonly secretString: Record<string, unknown>;
}

const policy = definePolicy({
  tenantOfPrincipal: (p: { t: string }) => p.t,
  tenantOfResource: (r: { t: string }) => r.t,
  rules: { READ: () => true },
});
const schema = z.object({ PORT: z.string().optional() });

const factories: Factory[] = [
  {
    pkg: 'errors',
    name: 'errorHandler',
    make: (o) => errorHandler(o),
    base: {},
    wrongType: { logger: 5 },
    secretString: { logger: SECRET },
  },
  {
    pkg: 'logging',
    name: 'createLogger',
    make: (o) => createLogger(o),
    base: {},
    wrongType: { level: 30 },
    secretString: { level: SECRET },
  },
  {
    pkg: 'logging',
    name: 'requestLogger',
    make: (o) => requestLogger(o as never),
    base: { logger: createLogger({ level: 'silent' }) },
    wrongType: { trustIncomingRequestId: 'yes' },
    secretString: { quietRoutes: [SECRET] },
  },
  {
    pkg: 'config',
    name: 'defineConfig',
    make: (o) => defineConfig(schema, o as never),
    base: {},
    wrongType: { rules: 5 },
    secretString: { rules: SECRET },
  },
  {
    pkg: 'config',
    name: 'secret',
    make: (o) => secret(z.string(), o as never),
    base: {},
    wrongType: { minBytes: '32' },
    secretString: { mask: SECRET },
  },
  {
    pkg: 'auth',
    name: 'jwtAuth',
    make: (o) => jwtAuth(o as never),
    base: { issuer: 'https://issuer.example', audience: 'api', algorithms: ['HS256'], secret: 'k'.repeat(32) },
    wrongType: { clockToleranceSec: '5' },
    secretString: { profile: SECRET },
  },
  {
    pkg: 'policy',
    name: 'definePolicy',
    make: (o) => definePolicy(o as never),
    base: { tenantOfPrincipal: () => 't', tenantOfResource: () => 't', rules: { READ: () => true } },
    wrongType: { crossTenant: 5 },
    secretString: { crossTenant: SECRET },
  },
  {
    pkg: 'policy',
    name: 'authorize',
    make: (o) => authorize(policy, 'READ', o as never),
    base: { principal: () => ({ t: 't' }), load: () => null },
    wrongType: { load: 5 },
    secretString: { principal: SECRET },
  },
  {
    pkg: 'paths',
    name: 'sendSafeFile',
    make: (o) => sendSafeFile('/srv/exports', o),
    base: {},
    wrongType: { ranges: 'yes' },
    secretString: { allowedExtensions: [SECRET] },
  },
  {
    pkg: 'cors',
    name: 'strictCors',
    make: (o) => strictCors(o as never),
    base: { origins: ['https://app.example.com'] },
    wrongType: { credentials: 'yes' },
    secretString: { origins: [SECRET] },
  },
  {
    pkg: 'ratelimit',
    name: 'rateLimit',
    make: (o) => rateLimit(o as never),
    base: { name: 'api', windowMs: 60_000, limit: 5 },
    wrongType: { limit: '5' },
    secretString: { name: `${SECRET}+` },
  },
  {
    pkg: 'ratelimit',
    name: 'loginLimiter',
    make: (o) => loginLimiter(o),
    base: {},
    wrongType: { storeTimeoutMs: '5' },
    secretString: { usernameField: `${SECRET}+` },
  },
  {
    pkg: 'ratelimit',
    name: 'redisStore',
    make: (o) => redisStore({ call: () => Promise.resolve(0) }, o),
    base: {},
    wrongType: { prefix: 5 },
    secretString: { prefix: `${SECRET}+` },
  },
  {
    pkg: 'baseline',
    name: 'securityHeaders',
    make: (o) => securityHeaders('api', o),
    base: {},
    wrongType: { xPoweredBy: 'no' },
    secretString: { cacheControl: `${SECRET}\r\n` },
  },
  {
    pkg: 'baseline',
    name: 'csrfGuard',
    make: (o) => csrfGuard(o),
    base: {},
    wrongType: { trustedOrigins: 5 },
    secretString: { trustedOrigins: [SECRET] },
  },
  {
    pkg: 'baseline',
    name: 'jsonBody',
    make: (o) => jsonBody(o),
    base: {},
    wrongType: { maxDepth: '5' },
    secretString: { limit: SECRET },
  },
  {
    pkg: 'baseline',
    name: 'requireJson',
    make: (o) => requireJson(o),
    base: {},
    wrongType: { allow: 5 },
    secretString: { allow: SECRET },
  },
  {
    pkg: 'secrets',
    name: 'createPasswordHasher',
    make: (o) => createPasswordHasher(o),
    base: {},
    wrongType: { maxConcurrency: '2' },
    secretString: { pepper: 5, normalize: SECRET },
  },
  {
    pkg: 'egress',
    name: 'createEgressPolicy',
    make: (o) => createEgressPolicy(o as never),
    base: { hosts: 'public' },
    wrongType: { maxRedirects: '3' },
    secretString: { allowHosts: [SECRET] },
  },
];

function messageOf(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('no TypeError was thrown');
}

function expectOneFormat(pkg: string, message: string): void {
  // jwtAuth lists every problem at once, one line each: every line is in the format.
  for (const line of message.split('\n')) {
    expect(line, message).toMatch(FORMAT);
    expect(FORMAT.exec(line)?.[1]).toBe(pkg);
  }
}

function expectAtMost24Characters(message: string): void {
  for (let i = 0; i + 25 <= SECRET.length; i++) expect(message).not.toContain(SECRET.slice(i, i + 25));
}

describe.each(factories)('$pkg $name option errors', ({ pkg, make, base, wrongType, secretString }) => {
  it('accepts its base options', () => {
    expect(() => make(base)).not.toThrow();
  });

  it('refuses an unknown key in the one format, suggesting nothing secret', () => {
    const message = messageOf(() => make({ ...base, colour: SECRET }));
    expectOneFormat(pkg, message);
    expect(message).toContain('"colour" is not a known option');
    expectAtMost24Characters(message);
  });

  it('refuses a wrong type in the one format', () => {
    const message = messageOf(() => make({ ...base, ...wrongType }));
    expectOneFormat(pkg, message);
    expectAtMost24Characters(message);
  });

  it('refuses a long secret-looking string showing at most 24 characters of it', () => {
    const message = messageOf(() => make({ ...base, ...secretString }));
    expectOneFormat(pkg, message);
    expectAtMost24Characters(message);
  });
});
