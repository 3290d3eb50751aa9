import type { FastifyPluginAsync } from 'fastify';
import { actionRoutes, type ActionRoutesDeps } from './actions.routes.js';
import { clientGrantRoutes, type ClientGrantRouteDeps } from './client-grants.routes.js';
import { clientRoutes, type ClientRouteDeps } from './clients.routes.js';
import { guardianRoutes, type GuardianRouteDeps } from './guardian.routes.js';
import { identityRoutes, type IdentityRouteDeps } from './identity.routes.js';
import { logRoutes, type LogRouteDeps } from './logs.routes.js';
import { phoneDeliveryRoutes, type PhoneDeliveryRouteDeps } from './phone-delivery.routes.js';
import { phoneStatsRoutes } from './phone-stats.routes.js';
import { phoneMigrationRoutes, type PhoneMigrationRouteDeps } from './phone-migration.routes.js';
import { phoneFraudGuardRoutes, type PhoneFraudRouteDeps } from './phone-fraud-guard.routes.js';
import { phoneSendPolicyRoutes, type PhoneSendPolicyRouteDeps } from './phone-send-policy.routes.js';
import { phoneSpendRoutes, type PhoneSpendRouteDeps } from './phone-spend.routes.js';
import { phoneVelocityRoutes, type PhoneVelocityRouteDeps } from './phone-velocity.routes.js';
import { phoneBotCheckRoutes, type PhoneBotCheckRouteDeps } from './phone-bot-check.routes.js';
import { phoneProviderRoutes, type PhoneProviderRouteDeps } from './phone-providers.routes.js';
import { phoneTemplateRoutes, type PhoneTemplateRouteDeps } from './phone-templates.routes.js';
import { resourceServerRoutes, type ResourceServerRouteDeps } from './resource-servers.routes.js';
import { tenantSettingsRoutes, type TenantSettingsRouteDeps } from './tenant-settings.routes.js';

/**
 * What the Management API's routes need: the services each resource calls, one flat object the
 * composition root builds. Each route file declares its own narrow part.
 */
export type ManagementRouteDeps = ClientRouteDeps &
  ClientGrantRouteDeps &
  ResourceServerRouteDeps &
  PhoneProviderRouteDeps &
  PhoneTemplateRouteDeps &
  GuardianRouteDeps &
  TenantSettingsRouteDeps &
  PhoneDeliveryRouteDeps &
  LogRouteDeps &
  PhoneMigrationRouteDeps &
  PhoneSendPolicyRouteDeps &
  PhoneFraudRouteDeps &
  PhoneSpendRouteDeps &
  PhoneVelocityRouteDeps &
  PhoneBotCheckRouteDeps &
  IdentityRouteDeps & { actions: ActionRoutesDeps };

/** Every Management API resource, mounted under `/api/v2`. */
export function managementRoutes(deps: ManagementRouteDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(clientRoutes(deps));
    await app.register(clientGrantRoutes(deps));
    await app.register(resourceServerRoutes(deps));
    await app.register(phoneProviderRoutes(deps));
    await app.register(phoneTemplateRoutes(deps));
    await app.register(guardianRoutes(deps));
    await app.register(tenantSettingsRoutes(deps));
    await app.register(phoneDeliveryRoutes(deps));
    await app.register(logRoutes(deps));
    await app.register(phoneStatsRoutes(deps));
    await app.register(actionRoutes(deps.actions));
    await app.register(identityRoutes(deps));
    await app.register(phoneMigrationRoutes(deps));
    await app.register(phoneSendPolicyRoutes(deps));
    await app.register(phoneFraudGuardRoutes(deps));
    await app.register(phoneSpendRoutes(deps));
    await app.register(phoneVelocityRoutes(deps));
    await app.register(phoneBotCheckRoutes(deps));
  };
}
