import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.js';
import { clientGrantRoutes } from './client-grants.routes.js';
import { clientRoutes } from './clients.routes.js';
import { guardianRoutes } from './guardian.routes.js';
import { phoneProviderRoutes } from './phone-providers.routes.js';
import { phoneTemplateRoutes } from './phone-templates.routes.js';
import { tenantSettingsRoutes } from './tenant-settings.routes.js';
import { logRoutes } from './logs.routes.js';
import { actionRoutes } from './actions.routes.js';
import { phoneDeliveryRoutes } from './phone-delivery.routes.js';
import { identityRoutes } from './identity.routes.js';

/** Every Management API resource, mounted under `/api/v2`. */
export function managementRoutes(c: Container): FastifyPluginAsync {
  return async (app) => {
    await app.register(clientRoutes(c));
    await app.register(clientGrantRoutes(c));
    await app.register(phoneProviderRoutes(c));
    await app.register(phoneTemplateRoutes(c));
    await app.register(guardianRoutes(c));
    await app.register(tenantSettingsRoutes(c));
    await app.register(phoneDeliveryRoutes(c));
    await app.register(logRoutes(c));
    await app.register(actionRoutes(c.actions));
    await app.register(identityRoutes(c));
  };
}
