import type { Config } from '../config.js';
import { ActionService } from '../domain/actions/action-service.js';
import type { Clock } from '../domain/clock.js';
import { PhoneMigrationService } from '../domain/migration/migration-service.js';
import type { ProviderRegistry } from '../domain/phone-provider/provider-registry.js';
import type { PhoneProviderService } from '../domain/phone-provider/phone-provider-service.js';
import type { Sealer } from '../domain/ports.js';
import type { Repositories } from '../domain/repositories.js';
import type { TenantService } from '../domain/tenants/tenant-service.js';
import type { ActionsModule } from './actions-module.js';

interface Parts {
  config: Pick<Config, 'twilioApiBaseUrl'>;
  repos: Repositories;
  sealer: Sealer;
  clock: Clock;
  kinds: ProviderRegistry;
  actions: ActionsModule;
  providers: PhoneProviderService;
  tenants: TenantService;
}

/** The migration to the Unified Phone Experience (plan, apply, rollback) over this process's services. */
export function createMigrationService(p: Parts): PhoneMigrationService {
  return new PhoneMigrationService({
    repos: p.repos,
    sealer: p.sealer,
    clock: p.clock,
    providers: p.providers,
    actionsOver: (r) => new ActionService(r.actions, p.actions.runner, p.actions.executor, p.sealer, p.clock),
    checkCode: (code) => p.actions.runner.check(code),
    // The translator (a JavaScript parser and printer) is loaded on first use, not at every start.
    translate: async (code) => (await import('../domain/migration/action-translator.js')).translateSendPhoneMessage(code),
    twilioApiBaseUrl: p.config.twilioApiBaseUrl,
    kindMethods: (kind) => p.kinds.get(kind)?.deliveryMethods ?? [],
    tenantChanged: () => p.tenants.forget(),
  });
}
