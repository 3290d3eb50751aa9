import { loadConfig, type Config } from '../config.js';
import type { Container } from '../composition/container.js';
import type { TenantRecord } from '../domain/ports.js';
import { isValidDomain } from '../domain/tenants/tenant-service.js';

/** Bad input from the operator: reported as one line on stderr, exit code 2. */
export class CliError extends Error {}

/** The configuration, read from the environment exactly as the server reads it. */
export function cliConfig(): Config {
  return loadConfig();
}

/**
 * Opens the container (storage, migrations, services), runs `fn` and closes it again whatever
 * happens: an open database pool would keep the process alive after the command is done.
 */
export async function withContainer<T>(fn: (c: Container) => Promise<T>): Promise<T> {
  const config = cliConfig();
  // Loaded on first use: the storage drivers take most of the start-up time, and `--help` or a
  // rejected option should not wait for them.
  const [{ createContainer }, { createLogger }, { default: pino }] = await Promise.all([
    import('../composition/container.js'),
    import('../logger.js'),
    import('pino'),
  ]);
  // Logs go to stderr so that stdout carries only the command's output (JSON, a token).
  const logger = createLogger(config.logLevel, pino.destination({ fd: 2, sync: true }));
  const c = await createContainer({ config, logger });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

export async function findTenant(c: Container, name: string): Promise<TenantRecord> {
  const tenant = await c.repos.tenants.findByName(name);
  if (!tenant) throw new CliError(`unknown tenant: ${name}`);
  return tenant;
}

/**
 * The host a tenant's Management API is addressed at: `requested` when given, else the tenant's first
 * domain. A host the tenant does not answer to is refused (its tokens would be rejected), except for
 * the default tenant, which answers every host no other tenant owns.
 */
export async function tenantHost(c: Container, tenant: TenantRecord, requested: string | undefined): Promise<string> {
  const domains = await c.repos.tenants.domains(tenant.id);
  const isDefault = tenant.name === c.config.defaultTenant;
  if (requested !== undefined) {
    const host = requested.trim().toLowerCase();
    if (!isValidDomain(host)) throw new CliError(`invalid domain: ${requested}`);
    if (domains.includes(host) || (isDefault && !(await c.repos.tenants.findByDomain(host)))) return host;
    throw new CliError(`tenant ${tenant.name} does not answer to ${host} (its domains: ${domains.join(', ') || 'none'})`);
  }
  const first = domains[0];
  if (!first) throw new CliError(`tenant ${tenant.name} has no domain; pass --domain`);
  return first;
}

/** Repeatable option collector: `--domain a --domain b` → ['a', 'b']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Scopes from a variadic option, also accepting space- or comma-separated lists in one argument. */
export function splitScopes(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const scopes = values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  if (scopes.length === 0) throw new CliError('--scope needs at least one scope');
  return [...new Set(scopes)];
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
