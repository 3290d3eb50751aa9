import { AppError } from '../errors.js';
import type { TenantRecord, TenantRepository } from '../ports.js';
import type { TenantService } from '../tenants/tenant-service.js';
import type { OperatorRecord } from './ports.js';
import { mayManage } from './scopes.js';
import { mintManagementToken, type MintedToken } from './token-minting.js';
import type { TokenKeys } from '../ports.js';

export interface ManagedTenant {
  name: string;
  friendly_name: string;
  domains: string[];
  /** True when this tenant answers the host the dashboard was loaded from: its API is same-origin. */
  here: boolean;
  /** Where this tenant's dashboard is, when it is not `here` (its first domain). */
  dashboard_url: string | null;
}

export interface DashboardToken extends MintedToken {
  tenant: string;
  /** The origin whose `/api/v2` the token is for: `''` for the dashboard's own origin. */
  api_origin: string;
  same_origin: boolean;
}

/**
 * Which tenants an operator may manage, and Management API tokens for them. The Management API
 * finds its tenant by the request's Host, and the dashboard only talks to its own origin (CSP
 * `connect-src 'self'`): a tenant is managed from the dashboard served on one of its own hosts (or
 * the default tenant's). For another tenant the token names the host to call, and the page links
 * to that host's dashboard.
 */
export class TenantAccess {
  constructor(
    private readonly tenants: Pick<TenantRepository, 'list' | 'domains' | 'findByName'>,
    private readonly resolver: Pick<TenantService, 'resolve'>,
    private readonly keys: Pick<TokenKeys, 'sign'>,
  ) {}

  async list(operator: OperatorRecord, requestHost: string, scheme: string): Promise<ManagedTenant[]> {
    const here = await this.resolver.resolve(requestHost);
    const all = (await this.tenants.list()).filter((t) => mayManage(operator, t.name));
    return Promise.all(
      all.map(async (t) => {
        const domains = await this.tenants.domains(t.id);
        const isHere = here?.id === t.id;
        return {
          name: t.name,
          friendly_name: t.friendlyName,
          domains,
          here: isHere,
          dashboard_url: isHere || !domains[0] ? null : `${scheme}://${domains[0]}/dashboard/`,
        };
      }),
    );
  }

  /** A 5-minute token for `tenantName`, or 403 `access_denied` (the same for a tenant that does not exist). */
  async mint(operator: OperatorRecord, tenantName: string, requestHost: string, scheme: string): Promise<DashboardToken> {
    const tenant: TenantRecord | undefined = mayManage(operator, tenantName) ? await this.tenants.findByName(tenantName) : undefined;
    if (!tenant) throw new AppError('access_denied', `You may not manage tenant ${tenantName}`);
    const here = await this.resolver.resolve(requestHost);
    if (here?.id === tenant.id) {
      return { ...(await mintManagementToken(this.keys, operator, tenant.id, requestHost)), tenant: tenant.name, api_origin: '', same_origin: true };
    }
    const domain = (await this.tenants.domains(tenant.id))[0];
    if (!domain) throw new AppError('access_denied', `Tenant ${tenantName} has no domain to reach its Management API at`);
    return { ...(await mintManagementToken(this.keys, operator, tenant.id, domain)), tenant: tenant.name, api_origin: `${scheme}://${domain}`, same_origin: false };
  }
}
