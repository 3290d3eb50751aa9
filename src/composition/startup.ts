import fs from 'node:fs';
import path from 'node:path';
import type { Container } from './container.js';
import { bootstrapDefaultTenant, type BootstrapResult } from '../domain/tenants/bootstrap.js';

/**
 * Creates the default tenant on first start and writes its management client's credentials to
 * `$DATA_DIR/bootstrap.json` (mode 0600). Returns what was created, for the caller to print once.
 */
export async function runBootstrap(c: Container): Promise<BootstrapResult | undefined> {
  const result = await bootstrapDefaultTenant(
    c.repos,
    c.services.tenants,
    c.services.clients,
    c.config.defaultTenant,
    c.config.defaultTenantDomains,
  );
  if (result?.created) {
    fs.mkdirSync(c.config.dataDir, { recursive: true });
    const file = path.join(c.config.dataDir, 'bootstrap.json');
    const doc = {
      tenant: result.tenant.name,
      domain: result.created.domain,
      client_id: result.created.clientId,
      client_secret: result.created.clientSecret,
      audience: result.created.audience,
      created_at: result.tenant.createdAt,
    };
    fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  return result;
}
