import { timingSafeEqual, createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newClientId, newClientSecret, newId } from '../ids.js';
import type { ClientGrantRecord, ClientPatch, ClientRecord, Page, Sealer } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { isManagementScope, managementAudienceHost } from '../scopes.js';
import { CLIENT_SECRET_PURPOSE } from '../purposes.js';

export interface NewClient {
  name: string;
  description?: string | undefined;
  appType?: string | undefined;
  isFirstParty?: boolean | undefined;
  grantTypes?: string[] | undefined;
  clientMetadata?: Record<string, string> | undefined;
  callbacks?: string[] | undefined;
  tokenEndpointAuthMethod?: ClientRecord['tokenEndpointAuthMethod'] | undefined;
  properties?: Record<string, unknown> | undefined;
}

/** Filters of the application list (Auth0's `is_first_party`, `app_type`). */
export interface ClientFilter {
  isFirstParty?: boolean | undefined;
  /** Any of these application types. */
  appTypes?: string[] | undefined;
}

/** Filters of the client grant list (Auth0's query parameters). */
export interface ClientGrantFilter {
  clientId?: string | undefined;
  audience?: string | undefined;
  allowAnyOrganization?: boolean | undefined;
  subjectType?: string | undefined;
}

/** The value of a stored grant property, with Auth0's default when the grant never set it. */
export function grantProperty(g: ClientGrantRecord, name: 'allow_any_organization' | 'subject_type'): unknown {
  const v = g.properties?.[name];
  if (v !== undefined) return v;
  return name === 'subject_type' ? 'client' : false;
}

/** Grant types a machine-to-machine application gets when none are given. */
const DEFAULT_GRANT_TYPES = ['client_credentials'];

const sha256 = (s: string) => createHash('sha256').update(s).digest();
/** What an unknown client id is compared against, so timing does not reveal which ids exist. */
const NO_CLIENT_DIGEST = sha256('x'.repeat(64));
const DIGESTS_MAX = 10_000;

/** Applications (clients) and their grants to the Management API. */
export class ClientService {
  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
  ) {}

  /**
   * SHA-256 of each client's secret, by its sealed text (a new secret is a new sealed text): a token
   * request then costs one hash, not a decryption and two hashes.
   */
  private readonly secretDigests = new Map<string, Buffer>();

  private secretDigest(client: ClientRecord): Buffer {
    let d = this.secretDigests.get(client.secretSealed);
    if (!d) {
      d = sha256(this.secretOf(client));
      if (this.secretDigests.size >= DIGESTS_MAX) this.secretDigests.delete(this.secretDigests.keys().next().value!);
      this.secretDigests.set(client.secretSealed, d);
    }
    return d;
  }

  secretOf(client: ClientRecord): string {
    return this.sealer.open(client.secretSealed, CLIENT_SECRET_PURPOSE);
  }

  async create(tenantId: string, input: NewClient): Promise<{ client: ClientRecord; secret: string }> {
    const now = this.clock.now().toISOString();
    const secret = newClientSecret();
    const client: ClientRecord = {
      clientId: newClientId(),
      name: input.name,
      description: input.description ?? null,
      appType: input.appType ?? 'non_interactive',
      isFirstParty: input.isFirstParty ?? true,
      grantTypes: input.grantTypes ?? DEFAULT_GRANT_TYPES,
      clientMetadata: input.clientMetadata ?? {},
      callbacks: input.callbacks ?? [],
      tokenEndpointAuthMethod: input.tokenEndpointAuthMethod ?? 'client_secret_post',
      properties: input.properties ?? {},
      secretSealed: this.sealer.seal(secret, CLIENT_SECRET_PURPOSE),
      createdAt: now,
      updatedAt: now,
    };
    await this.repos.clients.insert(tenantId, client);
    return { client, secret };
  }

  async get(tenantId: string, clientId: string): Promise<ClientRecord> {
    const c = await this.repos.clients.get(tenantId, clientId);
    if (!c) throw new AppError('inexistent_client');
    return c;
  }

  list(tenantId: string, page: Page) {
    return this.repos.clients.list(tenantId, page);
  }

  /** Every application of the tenant that passes `filter`, in creation order. */
  async listFiltered(tenantId: string, filter: ClientFilter): Promise<ClientRecord[]> {
    const all = await this.repos.clients.listAll(tenantId);
    return all.filter(
      (c) =>
        (filter.isFirstParty === undefined || c.isFirstParty === filter.isFirstParty) &&
        (filter.appTypes === undefined || (c.appType !== null && filter.appTypes.includes(c.appType))),
    );
  }

  /**
   * A partial update. `properties` are merged into the stored ones: each named property is replaced
   * whole (as Auth0 replaces a nested object given in a PATCH), the others are kept.
   */
  async update(tenantId: string, clientId: string, patch: Omit<ClientPatch, 'secretSealed' | 'updatedAt'>): Promise<ClientRecord> {
    const { properties, ...rest } = patch;
    let merged: Record<string, unknown> | undefined;
    if (properties !== undefined && Object.keys(properties).length > 0) {
      merged = { ...(await this.get(tenantId, clientId)).properties, ...properties };
    }
    const c = await this.repos.clients.update(tenantId, clientId, {
      ...rest,
      ...(merged ? { properties: merged } : {}),
      updatedAt: this.clock.now().toISOString(),
    });
    if (!c) throw new AppError('inexistent_client');
    return c;
  }

  async rotateSecret(tenantId: string, clientId: string): Promise<{ client: ClientRecord; secret: string }> {
    const secret = newClientSecret();
    const c = await this.repos.clients.update(tenantId, clientId, {
      secretSealed: this.sealer.seal(secret, CLIENT_SECRET_PURPOSE),
      updatedAt: this.clock.now().toISOString(),
    });
    if (!c) throw new AppError('inexistent_client');
    return { client: c, secret };
  }

  async delete(tenantId: string, clientId: string): Promise<void> {
    if (!(await this.repos.clients.delete(tenantId, clientId))) throw new AppError('inexistent_client');
  }

  /**
   * The client when `secret` is its secret; otherwise undefined. Unknown client ids take the same
   * path (a comparison against a throwaway value) so timing does not reveal which ids exist.
   */
  async authenticate(tenantId: string, clientId: string, secret: string): Promise<ClientRecord | undefined> {
    const c = await this.repos.clients.get(tenantId, clientId);
    // Both sides hashed, so the comparison is constant-time whatever the lengths.
    const ok = timingSafeEqual(c ? this.secretDigest(c) : NO_CLIENT_DIGEST, sha256(secret));
    return c && ok ? c : undefined;
  }

  // ---- client grants ----

  /**
   * A grant's audience is the Management API (its scopes must be Management API scopes) or one of the
   * tenant's resource servers (its scopes are stored as given: no token is issued for them here).
   */
  private async checkGrant(tenantId: string, audience: string, scope: string[]): Promise<void> {
    if (!managementAudienceHost(audience)) {
      if (await this.repos.resourceServers.findByIdentifier(tenantId, audience)) return;
      // Auth0's answer for an audience that is no API of the tenant.
      throw new AppError('inexistent_resource_server', `No resource with identifier ${audience}`);
    }
    const unknown = scope.filter((s) => !isManagementScope(s));
    if (unknown.length) throw new AppError('invalid_body', `Payload validation error: unknown scopes: ${unknown.join(', ')}`);
  }

  async createGrant(
    tenantId: string,
    input: { clientId: string; audience: string; scope: string[]; properties?: Record<string, unknown> | undefined },
  ): Promise<ClientGrantRecord> {
    await this.checkGrant(tenantId, input.audience, input.scope);
    await this.get(tenantId, input.clientId);
    const existing = await this.repos.clientGrants.list(tenantId, { clientId: input.clientId, audience: input.audience });
    if (existing.length) throw new AppError('client_grant_conflict');
    const grant: ClientGrantRecord = {
      id: newId('cgr'),
      clientId: input.clientId,
      audience: input.audience,
      scope: [...new Set(input.scope)],
      properties: input.properties ?? {},
      createdAt: this.clock.now().toISOString(),
    };
    await this.repos.clientGrants.insert(tenantId, grant);
    return grant;
  }

  async listGrants(tenantId: string, filter: ClientGrantFilter): Promise<ClientGrantRecord[]> {
    const grants = await this.repos.clientGrants.list(tenantId, {
      ...(filter.clientId !== undefined ? { clientId: filter.clientId } : {}),
      ...(filter.audience !== undefined ? { audience: filter.audience } : {}),
    });
    return grants.filter(
      (g) =>
        (filter.allowAnyOrganization === undefined || grantProperty(g, 'allow_any_organization') === filter.allowAnyOrganization) &&
        (filter.subjectType === undefined || grantProperty(g, 'subject_type') === filter.subjectType),
    );
  }

  /** Changes the scopes and/or the stored properties (each named property replaced whole, null removes it). */
  async updateGrant(tenantId: string, id: string, patch: { scope?: string[] | undefined; properties?: Record<string, unknown> | undefined }): Promise<ClientGrantRecord> {
    const g = await this.repos.clientGrants.get(tenantId, id);
    if (!g) throw new AppError('inexistent_client_grant');
    if (patch.scope !== undefined) await this.checkGrant(tenantId, g.audience, patch.scope);
    return (await this.repos.clientGrants.update(tenantId, id, {
      ...(patch.scope !== undefined ? { scope: [...new Set(patch.scope)] } : {}),
      // A property given as null is removed (Auth0's PATCH of a grant).
      ...(patch.properties !== undefined
        ? { properties: Object.fromEntries(Object.entries({ ...g.properties, ...patch.properties }).filter(([, v]) => v !== null)) }
        : {}),
    }))!;
  }

  async deleteGrant(tenantId: string, id: string): Promise<void> {
    if (!(await this.repos.clientGrants.delete(tenantId, id))) throw new AppError('inexistent_client_grant');
  }

  /**
   * The Management API scopes `client` holds: the union of its grants whose audience is a Management
   * API identifier of this tenant (`hosts` are the names the tenant answers to).
   */
  async managementScopes(tenantId: string, clientId: string, hosts: string[]): Promise<string[]> {
    const grants = await this.repos.clientGrants.list(tenantId, { clientId });
    const scopes = new Set<string>();
    for (const g of grants) {
      const h = managementAudienceHost(g.audience);
      if (h && hosts.includes(h)) g.scope.forEach((s) => scopes.add(s));
    }
    return [...scopes];
  }
}
