import { randomBase62 } from '../ids.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { TenantRecord } from '../ports.js';
import type {
  ConnectionRecord,
  ConnectionRepository,
  ConnectionStrategy,
  DatabaseConnectionOptions,
  SmsConnectionOptions,
} from './ports.js';

/** The database connection every tenant gets (Auth0's default name). */
export const DEFAULT_DATABASE_CONNECTION = 'Username-Password-Authentication';
/** The passwordless SMS connection every tenant gets (Auth0 requires the name `sms`). */
export const DEFAULT_SMS_CONNECTION = 'sms';

export const DATABASE_DEFAULTS: DatabaseConnectionOptions = {
  identifiers: ['email'],
  disable_signup: false,
  brute_force_protection: true,
  brute_force_threshold: 10,
  breached_password_action: 'block',
  password_min_length: 8,
};

export const SMS_DEFAULTS: SmsConnectionOptions = {
  totp: { length: 6, time_step: 180 },
  disable_signup: false,
  brute_force_protection: true,
};

export type ConnectionOptionsInput = Partial<Omit<DatabaseConnectionOptions, 'identifiers'>> &
  Partial<Omit<SmsConnectionOptions, 'totp'>> & {
    identifiers?: DatabaseConnectionOptions['identifiers'];
    totp?: Partial<SmsConnectionOptions['totp']>;
  };

export interface NewConnection {
  name: string;
  strategy: ConnectionStrategy;
  options?: ConnectionOptionsInput;
  enabledClients?: string[];
}

/** Connection ids: `con_` + 16 base62 characters, as Auth0's. */
export const newConnectionId = (): string => `con_${randomBase62(16)}`;

/** What the clients of the tenant can list: the ids the defaults are enabled for. */
export interface ClientLister {
  listAll(tenantId: string): Promise<Array<{ clientId: string }>>;
}

/** Marks "the defaults were provisioned for this tenant" together with their creation (one transaction). */
export type DefaultsProvisioner = (tenantId: string, connections: ConnectionRecord[]) => Promise<boolean>;

function invalid(msg: string): AppError {
  return new AppError('invalid_body', `Payload validation error: ${msg}`);
}

/** Merges `input` over `base` for the strategy, refusing options of the other strategy and values out of range. */
export function mergeOptions(
  strategy: ConnectionStrategy,
  base: DatabaseConnectionOptions | SmsConnectionOptions,
  input: ConnectionOptionsInput = {},
): DatabaseConnectionOptions | SmsConnectionOptions {
  if (strategy === 'sms') {
    for (const k of ['identifiers', 'brute_force_threshold', 'breached_password_action', 'password_min_length'] as const) {
      if (input[k] !== undefined) throw invalid(`option ${k} is not supported by the sms strategy`);
    }
    const b = base as SmsConnectionOptions;
    const totp = { ...b.totp, ...input.totp };
    if (!Number.isInteger(totp.length) || totp.length < 4 || totp.length > 10) throw invalid('totp.length must be between 4 and 10');
    if (!Number.isInteger(totp.time_step) || totp.time_step < 60 || totp.time_step > 3600) throw invalid('totp.time_step must be between 60 and 3600');
    return {
      totp,
      disable_signup: input.disable_signup ?? b.disable_signup,
      brute_force_protection: input.brute_force_protection ?? b.brute_force_protection,
    };
  }
  if (input.totp !== undefined) throw invalid('option totp is not supported by the auth0 strategy');
  const b = base as DatabaseConnectionOptions;
  const out: DatabaseConnectionOptions = {
    identifiers: input.identifiers ?? b.identifiers,
    disable_signup: input.disable_signup ?? b.disable_signup,
    brute_force_protection: input.brute_force_protection ?? b.brute_force_protection,
    brute_force_threshold: input.brute_force_threshold ?? b.brute_force_threshold,
    breached_password_action: input.breached_password_action ?? b.breached_password_action,
    password_min_length: input.password_min_length ?? b.password_min_length,
  };
  if (out.identifiers.length === 0) throw invalid('identifiers must name at least one of email, phone_number, username');
  if (new Set(out.identifiers).size !== out.identifiers.length) throw invalid('identifiers must not repeat');
  return out;
}

/** Connections of a tenant: the two defaults, validation of options, which clients may use them. */
export class ConnectionCatalog {
  /** Tenants whose defaults this process has seen provisioned (saves a round trip per request). */
  private readonly ensured = new Set<string>();

  constructor(
    private readonly repo: ConnectionRepository,
    private readonly clients: ClientLister,
    private readonly provisionDefaults: DefaultsProvisioner,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates, once per tenant, `Username-Password-Authentication` (identifiers email, phone_number,
   * username) and `sms` (6 digits, 180 s), enabled for every client the tenant has at that moment.
   * Idempotent and race-safe: a marker row written in the same transaction decides, so a default an
   * administrator deleted later is not recreated. Cheap after the first call (cached per process).
   */
  async ensureDefaultConnections(tenant: Pick<TenantRecord, 'id'>): Promise<void> {
    if (this.ensured.has(tenant.id)) return;
    const now = this.clock.now().toISOString();
    const enabledClients = (await this.clients.listAll(tenant.id)).map((c) => c.clientId);
    const rec = (name: string, strategy: ConnectionStrategy, options: ConnectionRecord['options']): ConnectionRecord => ({
      id: newConnectionId(),
      name,
      strategy,
      options,
      enabledClients,
      createdAt: now,
      updatedAt: now,
    });
    await this.provisionDefaults(tenant.id, [
      rec(DEFAULT_DATABASE_CONNECTION, 'auth0', { ...DATABASE_DEFAULTS, identifiers: ['email', 'phone_number', 'username'] }),
      rec(DEFAULT_SMS_CONNECTION, 'sms', SMS_DEFAULTS),
    ]);
    this.ensured.add(tenant.id);
  }

  async create(tenant: Pick<TenantRecord, 'id'>, input: NewConnection): Promise<ConnectionRecord> {
    await this.ensureDefaultConnections(tenant);
    if (input.strategy === 'sms' && input.name !== DEFAULT_SMS_CONNECTION) {
      throw invalid('a connection of strategy sms must be named "sms"');
    }
    const base = input.strategy === 'sms' ? SMS_DEFAULTS : DATABASE_DEFAULTS;
    const now = this.clock.now().toISOString();
    const c: ConnectionRecord = {
      id: newConnectionId(),
      name: input.name,
      strategy: input.strategy,
      options: mergeOptions(input.strategy, base, input.options),
      enabledClients: await this.checkClients(tenant.id, input.enabledClients ?? []),
      createdAt: now,
      updatedAt: now,
    };
    await this.repo.insert(tenant.id, c);
    return c;
  }

  async list(tenant: Pick<TenantRecord, 'id'>, filter: { strategy?: ConnectionStrategy } = {}): Promise<ConnectionRecord[]> {
    await this.ensureDefaultConnections(tenant);
    return this.repo.list(tenant.id, filter);
  }

  async get(tenant: Pick<TenantRecord, 'id'>, id: string): Promise<ConnectionRecord> {
    await this.ensureDefaultConnections(tenant);
    const c = await this.repo.get(tenant.id, id);
    if (!c) throw new AppError('inexistent_connection');
    return c;
  }

  /** By name (the `connection`/`realm` of the Authentication API); undefined when there is none. */
  async byName(tenant: Pick<TenantRecord, 'id'>, name: string): Promise<ConnectionRecord | undefined> {
    await this.ensureDefaultConnections(tenant);
    return this.repo.getByName(tenant.id, name);
  }

  async update(
    tenant: Pick<TenantRecord, 'id'>,
    id: string,
    patch: { options?: ConnectionOptionsInput; enabledClients?: string[] },
  ): Promise<ConnectionRecord> {
    const c = await this.get(tenant, id);
    const updated = await this.repo.update(tenant.id, id, {
      ...(patch.options !== undefined ? { options: mergeOptions(c.strategy, c.options, patch.options) } : {}),
      ...(patch.enabledClients !== undefined ? { enabledClients: await this.checkClients(tenant.id, patch.enabledClients) } : {}),
      updatedAt: this.clock.now().toISOString(),
    });
    if (!updated) throw new AppError('inexistent_connection');
    return updated;
  }

  /** Deletes the connection and its users. */
  async delete(tenant: Pick<TenantRecord, 'id'>, id: string): Promise<void> {
    await this.ensureDefaultConnections(tenant);
    if (!(await this.repo.delete(tenant.id, id))) throw new AppError('inexistent_connection');
  }

  /** Enables a client on every connection (Auth0's default for new applications). */
  async enableClient(tenant: Pick<TenantRecord, 'id'>, clientId: string): Promise<void> {
    for (const c of await this.list(tenant)) {
      if (c.enabledClients.includes(clientId)) continue;
      await this.repo.update(tenant.id, c.id, { enabledClients: [...c.enabledClients, clientId], updatedAt: this.clock.now().toISOString() });
    }
  }

  /** May `clientId` use this connection? */
  isEnabledForClient(c: ConnectionRecord, clientId: string): boolean {
    return c.enabledClients.includes(clientId);
  }

  private async checkClients(tenantId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const known = new Set((await this.clients.listAll(tenantId)).map((c) => c.clientId));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw invalid(`unknown client in enabled_clients: ${unknown[0]}`);
    return [...new Set(ids)];
  }
}
