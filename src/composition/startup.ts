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

export interface OperatorBootstrap {
  email: string;
  password: string;
}

/**
 * First start (or the first start with the dashboard): with no operator yet, creates one who may
 * manage every tenant as admin, adds it to `$DATA_DIR/bootstrap.json` and returns it for the caller
 * to print once. Later starts find an operator and do nothing.
 */
export async function runOperatorBootstrap(c: Container): Promise<OperatorBootstrap | undefined> {
  if ((await c.dashboard.operators.count()) > 0) return undefined;
  const domain = c.config.defaultTenantDomains[0] ?? 'localhost';
  const { operator, password } = await c.dashboard.operators.create({ email: `admin@${domain.replace(/:\d+$/, '')}`, role: 'admin', tenants: '*' });
  fs.mkdirSync(c.config.dataDir, { recursive: true });
  const file = path.join(c.config.dataDir, 'bootstrap.json');
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // No file yet (the default tenant is switched off, or existed before): start one.
  }
  doc['dashboard_operator'] = { email: operator.email, password, role: operator.role, tenants: operator.tenants };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { email: operator.email, password };
}
