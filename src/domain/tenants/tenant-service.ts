import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { GuardianSettingsRecord, SigningKeyFactory, TenantRecord, TenantSettingsPatch } from '../ports.js';
import type { Repositories } from '../repositories.js';

const TENANT_NAME_RE = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
const DOMAIN_RE = /^(?=.{1,253}(:\d{1,5})?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

export function isValidTenantName(name: string): boolean {
  return TENANT_NAME_RE.test(name);
}

export function isValidDomain(domain: string): boolean {
  return DOMAIN_RE.test(domain.toLowerCase());
}

/** Guardian settings of a new tenant: no factor enabled, SMS as the phone message type, no policy. */
export function defaultGuardianSettings(now: string): GuardianSettingsRecord {
  return {
    factors: {},
    messageTypes: ['sms'],
    policies: [],
    selectedProvider: 'auth0',
    twilio: { sid: null, from: null, messaging_service_sid: null },
    twilioAuthTokenSealed: null,
    enrollmentMessage: null,
    verificationMessage: null,
    updatedAt: now,
  };
}

export interface ResolvedTenant {
  tenant: TenantRecord;
  /** The lower-cased Host the request was addressed to (may include a port). */
  host: string;
}

/** How long a Host → tenant resolution is reused by this process (other nodes see changes within it). */
const RESOLVE_TTL_MS = 5_000;
const RESOLVE_MAX = 1_000;

/** Tenants: creation with their signing key, resolution from the request's Host, settings. */
export class TenantService {
  /** Host → tenant and its domains, for RESOLVE_TTL_MS; every request resolves its tenant. */
  private readonly resolved = new Map<string, { tenant: TenantRecord | undefined; domains: string[]; at: number }>();

  constructor(
    private readonly repos: Repositories,
    private readonly keys: SigningKeyFactory,
    private readonly clock: Clock,
    private readonly defaultTenantName: string,
  ) {}

  /**
   * The tenant for a Host header: an exact domain match (with port), then the host without its
   * port, then the configured default tenant. Undefined when none applies.
   */
  async resolve(hostHeader: string | undefined): Promise<TenantRecord | undefined> {
    const host = (hostHeader ?? '').trim().toLowerCase();
    const now = this.clock.now().getTime();
    const hit = this.resolved.get(host);
    if (hit && now - hit.at < RESOLVE_TTL_MS) return hit.tenant;
    const tenant = await this.resolveUncached(host);
    const domains = tenant ? await this.repos.tenants.domains(tenant.id) : [];
    if (this.resolved.size >= RESOLVE_MAX) this.resolved.delete(this.resolved.keys().next().value!);
    this.resolved.set(host, { tenant, domains, at: now });
    return tenant;
  }

  private async resolveUncached(host: string): Promise<TenantRecord | undefined> {
    if (host) {
      const exact = await this.repos.tenants.findByDomain(host);
      if (exact) return exact;
      const bare = host.replace(/:\d+$/, '');
      if (bare !== host) {
        const byBare = await this.repos.tenants.findByDomain(bare);
        if (byBare) return byBare;
      }
    }
    return this.defaultTenantName ? this.repos.tenants.findByName(this.defaultTenantName) : undefined;
  }

  /** Every host name that addresses `tenant` for a request sent to `requestHost`. */
  async hostsOf(tenant: TenantRecord, requestHost: string): Promise<string[]> {
    const hit = this.resolved.get(requestHost.toLowerCase());
    const domains = hit?.tenant?.id === tenant.id ? hit.domains : await this.repos.tenants.domains(tenant.id);
    return [...new Set([requestHost.toLowerCase(), ...domains])];
  }

  async create(input: { name: string; friendlyName?: string; domains: string[] }): Promise<TenantRecord> {
    if (!isValidTenantName(input.name)) {
      throw new AppError('invalid_body', 'tenant name must be 3-64 lower-case letters, digits or hyphens');
    }
    for (const d of input.domains) {
      if (!isValidDomain(d)) throw new AppError('invalid_body', `invalid domain: ${d}`);
    }
    if (await this.repos.tenants.findByName(input.name)) {
      throw new AppError('invalid_body', `a tenant named ${input.name} already exists`);
    }
    for (const d of input.domains) {
      if (await this.repos.tenants.findByDomain(d)) throw new AppError('invalid_body', `domain ${d} already belongs to a tenant`);
    }
    const now = this.clock.now().toISOString();
    const tenant: TenantRecord = {
      id: newId('ten'),
      name: input.name,
      friendlyName: input.friendlyName ?? input.name,
      pictureUrl: null,
      supportEmail: null,
      supportUrl: null,
      homeUrl: null,
      enabledLocales: ['en'],
      phoneConsolidatedExperience: true,
      createdAt: now,
      updatedAt: now,
    };
    await this.repos.transaction(async (r) => {
      await r.tenants.create(tenant, input.domains);
      await r.guardian.put(tenant.id, defaultGuardianSettings(now));
    });
    await this.keys.createKey(tenant.id);
    this.resolved.clear();
    return tenant;
  }

  /** Forgets the tenants resolved so far (after a change written outside this service, in a transaction). */
  forget(): void {
    this.resolved.clear();
  }

  async updateSettings(tenantId: string, patch: TenantSettingsPatch): Promise<TenantRecord> {
    const updated = await this.repos.tenants.updateSettings(tenantId, patch, this.clock.now().toISOString());
    if (!updated) throw new AppError('inexistent_tenant');
    this.resolved.clear();
    return updated;
  }
}

/**
 * A Host header as one spelling per host: lower case, no surrounding space, and no trailing dot on
 * the name (`B.Example.:443` → `b.example:443`). `b.example.` names the same host as `b.example`; left
 * as it is it would miss the tenant's domain and fall to the default tenant.
 */
export function normalizeHost(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(h);
  if (!m) return h;
  return `${m[1]!.replace(/\.$/, '')}${m[2] ?? ''}`;
}
