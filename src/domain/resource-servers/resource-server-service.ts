import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { ResourceServerRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { MANAGEMENT_SCOPES } from '../scopes.js';

/** The name Auth0 gives the Management API's resource server (configuration tools skip it by this name). */
export const MANAGEMENT_API_NAME = 'Auth0 Management API';

/** Auth0's defaults of a new resource server, returned for every property the request left out. */
export const RESOURCE_SERVER_DEFAULTS: Readonly<Record<string, unknown>> = {
  scopes: [],
  signing_alg: 'RS256',
  allow_offline_access: false,
  skip_consent_for_verifiable_first_party_clients: false,
  token_lifetime: 86_400,
  token_lifetime_for_web: 7_200,
  enforce_policies: false,
  token_dialect: 'access_token',
};

/** A resource server as the API shows it: the Management API is one more, marked `isSystem`. */
export interface ResourceServerView extends ResourceServerRecord {
  isSystem: boolean;
}

/**
 * The tenant's APIs (Auth0's resource servers). They are stored and listed so that configuration tools
 * round-trip them, and client grants may name them as audience; unifone issues access tokens for the
 * Management API only.
 */
export class ResourceServerService {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
  ) {}

  /** The Management API of `tenantId` as a read-only system resource server, addressed by `identifier`. */
  system(tenantId: string, identifier: string): ResourceServerView {
    return {
      id: createHash('sha256').update(`management-api:${tenantId}`).digest('hex').slice(0, 24),
      identifier,
      name: MANAGEMENT_API_NAME,
      properties: {
        ...RESOURCE_SERVER_DEFAULTS,
        scopes: MANAGEMENT_SCOPES.map((value) => ({ value, description: value.replace(':', ' ').replace(/_/g, ' ') })),
      },
      createdAt: '1970-01-01T00:00:00.000Z',
      updatedAt: '1970-01-01T00:00:00.000Z',
      isSystem: true,
    };
  }

  /**
   * True when `identifier` is an API the tenant registered (exactly as registered): the audiences a
   * user login may ask for besides the MFA API. The Management API is not among them.
   */
  async isRegistered(tenantId: string, identifier: string): Promise<boolean> {
    return (await this.repos.resourceServers.findByIdentifier(tenantId, identifier)) !== undefined;
  }

  /** The system resource server first, then the tenant's own in creation order. */
  async list(tenantId: string, system: ResourceServerView): Promise<ResourceServerView[]> {
    const own = await this.repos.resourceServers.list(tenantId);
    return [system, ...own.map((r) => ({ ...r, isSystem: false }))];
  }

  async get(tenantId: string, id: string, system: ResourceServerView): Promise<ResourceServerView> {
    if (id === system.id) return system;
    const r = await this.repos.resourceServers.get(tenantId, id);
    if (!r) throw new AppError('inexistent_resource_server');
    return { ...r, isSystem: false };
  }

  async create(
    tenantId: string,
    input: { identifier: string; name?: string | undefined; properties: Record<string, unknown> },
    system: ResourceServerView,
    /** Every identifier the Management API answers to for this tenant (one per tenant host). */
    managementIdentifiers: string[],
  ): Promise<ResourceServerView> {
    if (input.identifier === system.identifier || managementIdentifiers.includes(input.identifier)) throw new AppError('resource_server_conflict');
    if (await this.repos.resourceServers.findByIdentifier(tenantId, input.identifier)) throw new AppError('resource_server_conflict');
    const now = this.clock.now().toISOString();
    const rs: ResourceServerRecord = {
      id: randomBytes(12).toString('hex'),
      identifier: input.identifier,
      name: input.name ?? input.identifier,
      properties: { ...RESOURCE_SERVER_DEFAULTS, ...input.properties },
      createdAt: now,
      updatedAt: now,
    };
    await this.repos.resourceServers.insert(tenantId, rs);
    return { ...rs, isSystem: false };
  }

  /** Each property given replaces the stored one whole (null included, as given). */
  async update(
    tenantId: string,
    id: string,
    patch: { name?: string | undefined; properties: Record<string, unknown> },
    system: ResourceServerView,
  ): Promise<ResourceServerView> {
    if (id === system.id) throw new AppError('system_resource_server');
    const r = await this.repos.resourceServers.get(tenantId, id);
    if (!r) throw new AppError('inexistent_resource_server');
    const updated = await this.repos.resourceServers.update(tenantId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      properties: { ...r.properties, ...patch.properties },
      updatedAt: this.clock.now().toISOString(),
    });
    if (!updated) throw new AppError('inexistent_resource_server');
    return { ...updated, isSystem: false };
  }

  async delete(tenantId: string, id: string, system: ResourceServerView): Promise<void> {
    if (id === system.id) throw new AppError('system_resource_server');
    if (!(await this.repos.resourceServers.delete(tenantId, id))) throw new AppError('inexistent_resource_server');
  }
}
