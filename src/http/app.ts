import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import sjson from 'secure-json-parse';
import { AppError } from '../domain/errors.js';
import { frameworkErrorHandler, registerErrorHandling } from './plugins/error-handler.js';
import { registerNulGuard } from './plugins/nul-guard.js';
import { registerRequestContext, type RequestContextDeps } from './plugins/request-context.js';
import { managementRoutes, type ManagementRouteDeps } from './management/index.js';
import { authenticationRoutes, type AuthenticationRouteDeps } from './authentication/index.js';
import { receiptRoutes, type ReceiptRouteDeps } from './webhooks/receipt.routes.js';
import { dashboardRoutes, type DashboardRouteDeps } from './dashboard/index.js';

/**
 * Everything the HTTP layer needs, built by the composition root (`src/composition/http-deps.ts`):
 * services and settings only, never a repository or an adapter.
 */
export interface AppDeps {
  logger: FastifyBaseLogger;
  bodyLimit: number;
  /** PEM file paths: serve HTTPS. */
  tls: { cert: string; key: string } | undefined;
  context: RequestContextDeps;
  management: ManagementRouteDeps;
  authentication: AuthenticationRouteDeps;
  receipts: ReceiptRouteDeps;
  /** The operator console at `/dashboard`; absent: not served. */
  dashboard?: DashboardRouteDeps;
  metrics: { contentType: string; metrics(): Promise<string> };
  /** The bearer token `/metrics` asks for; undefined: `/metrics` is not served (it names every tenant). */
  metricsToken: string | undefined;
  /** Trusted proxies (addresses or CIDRs) whose X-Forwarded-For gives the client's address; empty: none. */
  trustProxy: readonly string[];
}

export interface BuildAppOptions {
  /** Serve HTTPS with this certificate and key (PEM text). */
  https?: { cert: string; key: string } | undefined;
  /** Called with every route as it registers (the malformed-request fuzz suite lists the routes with it). */
  onRoute?: (route: RouteOptions) => void;
}

function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Builds the HTTP application over its dependencies. Never listens: `main.ts` does, tests use `inject()`.
 */
export async function buildApp(c: AppDeps, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const https = opts.https ?? (c.tls ? { cert: fs.readFileSync(c.tls.cert, 'utf8'), key: fs.readFileSync(c.tls.key, 'utf8') } : undefined);
  const app = Fastify({
    loggerInstance: c.logger,
    bodyLimit: c.bodyLimit,
    trustProxy: c.trustProxy.length > 0 ? [...c.trustProxy] : false,
    // A path that does not decode, or a parameter past the router's length limit: our error bodies, not Fastify's.
    frameworkErrors: frameworkErrorHandler,
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);

  // Bodies are validated strictly (no type coercion, unknown properties refused); query strings and
  // path parameters are strings on the wire, so they are coerced to the schema's types.
  const bodyAjv = makeAjv(false);
  const partAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : partAjv).compile(schema));

  // JSON only (plus forms on the Authentication API, registered there). An empty body parses to
  // undefined so that routes whose body is optional accept a bodyless request; routes that need a
  // body refuse it through their schema. secure-json-parse refuses __proto__/constructor payloads.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new AppError('invalid_json'), undefined);
    }
  });

  registerErrorHandling(app);
  registerRequestContext(app, c.context);
  registerNulGuard(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'unifone',
        description: 'Unified Phone Experience: Management API (Auth0-compatible) and Authentication API.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });

  app.get('/healthz', { config: { global: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/api/v2/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  // Not tenant-scoped, and its series name every tenant: served only behind its own bearer token.
  if (c.metricsToken !== undefined) {
    const expected = createHash('sha256').update(c.metricsToken).digest();
    app.get('/metrics', { config: { global: true }, schema: { hide: true } }, async (req, reply) => {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      // Compared as digests: constant time, whatever the lengths.
      if (!m || !timingSafeEqual(createHash('sha256').update(m[1]!).digest(), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ error: 'unauthorized', error_description: 'A valid metrics bearer token is required' });
      }
      reply.type(c.metrics.contentType);
      return c.metrics.metrics();
    });
  }

  await app.register(managementRoutes(c.management), { prefix: '/api/v2' });
  await app.register(authenticationRoutes(c.authentication));
  await app.register(receiptRoutes(c.receipts));
  if (c.dashboard) await app.register(dashboardRoutes(c.dashboard), { prefix: '/dashboard' });
  return app;
}
