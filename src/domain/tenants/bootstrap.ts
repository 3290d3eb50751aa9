import type { ClientService } from '../clients/client-service.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../scopes.js';
import type { TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import type { TenantService } from './tenant-service.js';

export interface BootstrapResult {
  tenant: TenantRecord;
  /** Present only when the tenant was created by this call (credentials are shown once). */
  created?: { clientId: string; clientSecret: string; audience: string; domain: string };
}

/**
 * First start: creates the default tenant, its signing key and a management client granted every
 * Management API scope. Later starts find the tenant and do nothing.
 */
export async function bootstrapDefaultTenant(
  repos: Repositories,
  tenants: TenantService,
  clients: ClientService,
  name: string,
  domains: readonly string[],
): Promise<BootstrapResult | undefined> {
  if (!name) return undefined;
  const existing = await repos.tenants.findByName(name);
  if (existing) return { tenant: existing };
  const tenant = await tenants.create({ name, friendlyName: name, domains: [...domains] });
  const { client, secret } = await clients.create(tenant.id, {
    name: 'Bootstrap management client',
    description: 'Created on first start with every Management API scope',
    appType: 'non_interactive',
    grantTypes: ['client_credentials'],
  });
  const domain = domains[0] ?? 'localhost';
  const audience = managementAudience(domain);
  await clients.createGrant(tenant.id, { clientId: client.clientId, audience, scope: [...MANAGEMENT_SCOPES] });
  return { tenant, created: { clientId: client.clientId, clientSecret: secret, audience, domain } };
}
