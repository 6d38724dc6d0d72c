// The Express apps under test, one per variant: the same GET /cases/:id route behind each stack.
import { createSecretKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { auth as oauth2Bearer } from 'express-oauth2-jwt-bearer';
import { expressjwt } from 'express-jwt';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import { jwtAuth } from '@portcullis/auth';
import { secureBaseline, securityHeaders } from '@portcullis/baseline';
import { loadSecurityConfig } from '@portcullis/config';
import { strictCors } from '@portcullis/cors';
import { errorHandler } from '@portcullis/errors';
import { createLogger, requestLogger } from '@portcullis/logging';
import { authorize, definePolicy, principalFromClaims } from '@portcullis/policy';
import { rateLimit } from '@portcullis/ratelimit';
import { AUDIENCE, CACHE_MAX_ENTRIES, CASE, ISSUER, ORIGIN, discard, type Material } from './shared.js';

type Case = typeof CASE;
const CASES = new Map<string, Case>([[CASE.id, CASE]]);
/** Never reached: the limiters run their full bookkeeping but never answer 429. */
const NEVER = 1_000_000_000;

export interface BuiltApp {
  readonly app: Express;
  /** Releases timers and helper servers (rate-limit stores, the peer stack's JWKS server). */
  close(): Promise<void>;
}

function findCase(id: string, tenantId?: string): Case | undefined {
  const c = CASES.get(id);
  return c !== undefined && (tenantId === undefined || c.tenantId === tenantId) ? c : undefined;
}

/** The route of every variant except Portcullis (b, d2), which loads through the policy. */
function caseRoute(req: Request, res: Response): void {
  const c = findCase(String(req.params['id']));
  if (c === undefined) {
    res.status(404).json({ error: 'not found' });
    return;
  }
  res.json(c);
}

/** The express.json() app of (a); every other variant adds its middleware to this. */
function bare(): Express {
  const app = express();
  app.use(express.json());
  return app;
}

function portcullisConfig(alg: 'ES256' | 'HS256', material: Material): ReturnType<typeof loadSecurityConfig> {
  return loadSecurityConfig({
    APP_ENV: 'test',
    ALLOWED_ORIGINS: ORIGIN,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_ALGORITHMS: alg,
    RATE_LIMIT_MAX: String(NEVER),
    RATE_LIMIT_SUBJECT_MAX: String(NEVER),
    ...(alg === 'HS256' ? { JWT_SECRET: material.secret } : {}),
  });
}

const toPrincipal = principalFromClaims(
  z
    .object({
      sub: z.string().min(1),
      tenant_id: z.string().min(1),
      roles: z.array(z.enum(['reviewer', 'senior_reviewer', 'admin'])),
    })
    .transform((c) => ({ sub: c.sub, tenantId: c.tenant_id, roles: c.roles })),
);
type Principal = ReturnType<typeof toPrincipal>;
const casePolicy = definePolicy({
  tenantOfPrincipal: (p: Principal) => p.tenantId,
  tenantOfResource: (c: Case) => c.tenantId,
  rules: { VIEW: (p: Principal) => p.roles.length > 0 },
});

/** The opt-in verified-token cache of (b2), (b3) and (d3); everything else is as in (b) and (d2). */
const VERIFIED_TOKEN_CACHE = { maxEntries: CACHE_MAX_ENTRIES } as const;

/** (b), (b2), (d2), (d3): secureBaseline (logger, headers, CORS, rate limit, JSON, auth) + policy + error handler. */
function portcullis(alg: 'ES256' | 'HS256', material: Material, cache = false): BuiltApp {
  const config = portcullisConfig(alg, material);
  const logger = createLogger({ destination: discard });
  // ES256 verifies against a local key set; HS256 takes JWT_SECRET from the config.
  const cacheOption = cache ? { verifiedTokenCache: VERIFIED_TOKEN_CACHE } : {};
  const baseline = secureBaseline({
    config,
    logger,
    auth: alg === 'ES256' ? { jwks: { keys: [material.jwk] }, ...cacheOption } : cacheOption,
  });
  const app = express();
  baseline.install(app);
  app.get(
    '/cases/:id',
    authorize(casePolicy, 'VIEW', {
      principal: toPrincipal,
      load: (req, tenantId) => findCase(String(req.params['id']), tenantId),
    }),
    (_req: Request, res: Response) => {
      res.json(res.locals['resource']);
    },
  );
  app.use(baseline.after);
  return { app, close: () => baseline.shutdown() };
}

/** The hand-written error handler people pair with the peer stack: status from the error, no stack. */
const peerErrorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const raw = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  const status = typeof raw === 'number' && raw >= 400 && raw < 600 ? raw : 500;
  res.status(status).json({ error: status < 500 ? 'request failed' : 'internal error' });
};

/** A loopback server for the JWKS (express-oauth2-jwt-bearer fetches keys from a URL only). */
async function jwksServer(material: Material): Promise<{ url: string; server: Server }> {
  const body = JSON.stringify({ keys: [material.jwk] });
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, server };
}

/** (c) and (d1): pino-http → helmet → cors → express-rate-limit → express.json → JWT → route → error handler. */
async function peer(alg: 'ES256' | 'HS256', material: Material): Promise<BuiltApp> {
  const app = express();
  const logger = pino({ redact: ['req.headers.authorization', 'req.headers.cookie'] }, discard);
  app.use(pinoHttp({ logger }));
  app.use(helmet());
  app.use(cors({ origin: [ORIGIN], credentials: true }));
  app.use(expressRateLimit({ windowMs: 60_000, limit: NEVER, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(express.json());
  let close = (): Promise<void> => Promise.resolve();
  if (alg === 'ES256') {
    const jwks = await jwksServer(material);
    close = () =>
      new Promise<void>((resolve) =>
        jwks.server.close(() => {
          resolve();
        }),
      );
    // strict: RFC 9068 checks (typ at+jwt; sub, iat, client_id, jti), like Portcullis's default profile.
    app.use(
      oauth2Bearer({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, tokenSigningAlg: 'ES256', strict: true }),
    );
  } else {
    // A KeyObject, not the string: given a string, jsonwebtoken 9 first tries createPublicKey() on it on
    // every request (40% of this variant's CPU in a profile); a careful integration passes a KeyObject.
    const secret = createSecretKey(Buffer.from(material.secret));
    app.use(expressjwt({ secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  }
  app.get('/cases/:id', caseRoute);
  app.use(peerErrorHandler);
  return { app, close };
}

/** (e): one Portcullis middleware on the (a) app, plus the error handler (idle on the success path). */
function alone(mw: RequestHandler, close: () => Promise<void> = () => Promise.resolve()): BuiltApp {
  const app = bare();
  app.use(mw);
  app.get('/cases/:id', caseRoute);
  app.use(errorHandler());
  return { app, close };
}

/** Builds the app of a variant by name; throws on an unknown name. */
export async function buildApp(name: string, material: Material): Promise<BuiltApp> {
  switch (name) {
    case 'bare': {
      const app = bare();
      app.get('/cases/:id', caseRoute);
      return { app, close: () => Promise.resolve() };
    }
    case 'portcullis':
      return portcullis('ES256', material);
    case 'portcullis-cache':
    case 'portcullis-cache-miss':
      return portcullis('ES256', material, true);
    case 'portcullis-hs256':
      return portcullis('HS256', material);
    case 'portcullis-hs256-cache':
      return portcullis('HS256', material, true);
    case 'peer':
      return peer('ES256', material);
    case 'peer-hs256':
      return peer('HS256', material);
    case 'only-headers':
      return alone(securityHeaders('api') as RequestHandler);
    case 'only-cors':
      return alone(strictCors({ origins: [ORIGIN] }) as RequestHandler);
    case 'only-ratelimit': {
      const limiter = rateLimit({ name: 'api', windowMs: 60_000, limit: NEVER });
      return alone(limiter as RequestHandler, () => limiter.shutdown());
    }
    case 'only-logger':
      return alone(requestLogger({ logger: createLogger({ destination: discard }) }) as RequestHandler);
    case 'only-jwt-es256': {
      const mw = jwtAuth({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], jwks: { keys: [material.jwk] } });
      await mw.ready();
      return alone(mw as RequestHandler);
    }
    case 'only-jwt-hs256':
      return alone(
        jwtAuth({
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          secret: material.secret,
        }) as RequestHandler,
      );
    default:
      throw new Error(`unknown variant ${JSON.stringify(name)}`);
  }
}
