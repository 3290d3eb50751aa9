import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { dashboardApiRoutes, type DashboardApiDeps } from './api.routes.js';

/**
 * The dashboard's Content Security Policy: scripts, styles and connections from this origin only
 * (no inline script, no eval), no framing, no plugins, forms post nowhere else.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardRouteDeps extends DashboardApiDeps {
  /** The built single-page app (index.html and assets/); undefined or missing: a page says it is not built. */
  staticDir: string | undefined;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NOT_BUILT = 'The dashboard is not built: run `npm run build` (it runs the Vite build of dashboard/).\n';

/**
 * `/dashboard`: the single-page app (hash routing, so every page is `index.html`) and its private API.
 * Hashed assets are cached for a year; `index.html` is revalidated on every load, so a new build is
 * picked up at once.
 */
export function dashboardRoutes(c: DashboardRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      return payload;
    });

    await app.register(dashboardApiRoutes(c), { prefix: '/api' });

    const root = c.staticDir;
    const built = root !== undefined && fs.existsSync(path.join(root, 'index.html'));
    const config = { global: true };
    if (built) {
      await app.register(fastifyStatic, { root, serve: false, cacheControl: false, etag: true, lastModified: true });
    }

    app.get('/', { config, schema: { hide: true } }, async (_req, reply) => {
      if (!built) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    });

    app.get('/assets/*', { config, schema: { hide: true } }, async (req, reply) => {
      const file = (req.params as { '*': string })['*'];
      // Only the file names Vite writes (name-hash.ext): no dot segments, no separators.
      if (!built || !/^[\w.-]+$/.test(file) || file.startsWith('.')) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
      if (!fs.existsSync(path.join(root!, 'assets', file))) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
      reply.header('cache-control', IMMUTABLE);
      return reply.sendFile(`assets/${file}`);
    });
  };
}
