import { randomBase62 } from '../ids.js';
import type { Clock } from '../clock.js';
import { AppError, isAppError } from '../errors.js';
import { legacyPasswordlessAccount } from '../notifications/legacy-passwordless.js';
import type { ProviderRegistry } from '../phone-provider/provider-registry.js';
import type { Sealer, TenantRecord } from '../ports.js';
import { LEGACY_SMS_GATEWAY_SECRET_PURPOSE, LEGACY_SMS_TWILIO_TOKEN_PURPOSE } from '../purposes.js';
import { validateTemplate } from '../templates/liquid.js';
import type {
  ConnectionRecord,
  ConnectionRepository,
  ConnectionStrategy,
  DatabaseConnectionOptions,
  SmsConnectionOptions,
  SmsGatewayAuthentication,
} from './ports.js';
import { STORED_DATABASE_OPTION_KEYS, STORED_SMS_OPTION_KEYS } from './ports.js';

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

/**
 * Auth0's legacy delivery options of the `sms` connection as the API takes them: the secrets in
 * clear (`twilio_token`, `gateway_authentication.secret`), sealed before they are stored. On PATCH
 * an omitted key keeps its value and `null` removes it; an omitted secret keeps the sealed one.
 */
export interface LegacySmsOptionsInput {
  provider?: 'twilio' | 'sms_gateway' | null;
  twilio_sid?: string | null;
  twilio_token?: string | null;
  from?: string | null;
  messaging_service_sid?: string | null;
  template?: string | null;
  syntax?: 'md_with_macros' | 'liquid' | null;
  gateway_url?: string | null;
  gateway_authentication?: (SmsGatewayAuthentication & { secret?: string }) | null;
  forward_req_info?: boolean | null;
}

/** The legacy option keys, in the order responses list them. */
export const LEGACY_SMS_OPTION_KEYS = [
  'provider',
  'twilio_sid',
  'twilio_token',
  'from',
  'messaging_service_sid',
  'template',
  'syntax',
  'gateway_url',
  'gateway_authentication',
  'forward_req_info',
] as const satisfies ReadonlyArray<keyof LegacySmsOptionsInput>;

export type ConnectionOptionsInput = Partial<Omit<DatabaseConnectionOptions, 'identifiers'>> &
  Partial<Pick<SmsConnectionOptions, 'disable_signup' | 'brute_force_protection'>> & { name?: string | null } &
  LegacySmsOptionsInput & {
    identifiers?: DatabaseConnectionOptions['identifiers'];
    totp?: Partial<SmsConnectionOptions['totp']>;
  };

/** What the legacy options need beyond the repository: the sealer of their secrets, the provider kinds that check them. */
export interface LegacySmsDeps {
  sealer: Pick<Sealer, 'seal' | 'open'>;
  kinds?: ProviderRegistry;
}

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

/** The plain (non-secret) legacy keys, stored as given. */
const PLAIN_LEGACY_KEYS = ['provider', 'twilio_sid', 'from', 'messaging_service_sid', 'template', 'syntax', 'gateway_url', 'forward_req_info'] as const;

function needSealer(legacy: LegacySmsDeps | undefined): Pick<Sealer, 'seal' | 'open'> {
  if (!legacy) throw new Error('the legacy options of sms connections need a sealer (ConnectionCatalog built without one)');
  return legacy.sealer;
}

/**
 * The legacy delivery options of `input` over those of `b`: an omitted key keeps its value, `null`
 * removes it. Secrets are sealed here; an omitted `twilio_token`, or a `gateway_authentication`
 * without `secret`, keeps the sealed value (a round trip through GET, which never shows it, does not
 * wipe it). `gateway_authentication` is replaced as a whole (`null` removes it and its secret).
 */
function mergeLegacy(b: SmsConnectionOptions, input: ConnectionOptionsInput, legacy: LegacySmsDeps | undefined): Partial<SmsConnectionOptions> {
  const out: Record<string, unknown> = {};
  for (const k of PLAIN_LEGACY_KEYS) {
    const v = input[k] === undefined ? b[k] : input[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  if (input.twilio_token === undefined) {
    if (b.twilio_token_sealed !== undefined) out['twilio_token_sealed'] = b.twilio_token_sealed;
  } else if (input.twilio_token !== null) {
    out['twilio_token_sealed'] = needSealer(legacy).seal(input.twilio_token, LEGACY_SMS_TWILIO_TOKEN_PURPOSE);
  }
  const auth = input.gateway_authentication;
  if (auth === undefined) {
    if (b.gateway_authentication !== undefined) out['gateway_authentication'] = b.gateway_authentication;
    if (b.gateway_secret_sealed !== undefined) out['gateway_secret_sealed'] = b.gateway_secret_sealed;
  } else if (auth !== null) {
    const { secret, ...shown } = auth;
    out['gateway_authentication'] = {
      method: shown.method,
      subject: shown.subject,
      audience: shown.audience,
      ...(shown.secret_base64_encoded !== undefined ? { secret_base64_encoded: shown.secret_base64_encoded } : {}),
    } satisfies SmsGatewayAuthentication;
    if (secret !== undefined) out['gateway_secret_sealed'] = needSealer(legacy).seal(secret, LEGACY_SMS_GATEWAY_SECRET_PURPOSE);
    else if (b.gateway_secret_sealed !== undefined) out['gateway_secret_sealed'] = b.gateway_secret_sealed;
    else throw invalid('options.gateway_authentication.secret is required');
  }
  return out as Partial<SmsConnectionOptions>;
}

/** The rules of the legacy options as stored: a Liquid template parses; a gateway account passes its kind's checks. */
function checkLegacy(o: SmsConnectionOptions, legacy: LegacySmsDeps | undefined): void {
  if (o.syntax === 'liquid' && o.template !== undefined) {
    try {
      validateTemplate(o.template);
    } catch (e) {
      if (isAppError(e)) throw invalid(`options.template is not valid Liquid: ${e.message}`);
      throw e;
    }
  }
  // The gateway rules (https, no credentials in the URL, no internal address, a base64url secret
  // when so declared) are the sms_gateway kind's, checked once the options name a complete gateway.
  if (o.gateway_url !== undefined && legacy?.kinds) {
    const built = legacyPasswordlessAccount({ ...o, provider: 'sms_gateway' }, legacy.sealer);
    const kind = legacy.kinds.get('sms_gateway');
    const problem = built && kind?.check?.(built.account.configuration, built.account.credentials);
    if (problem) throw invalid(`options: ${problem.replace(/configuration\.|credentials\./g, '')}`);
  }
}

/**
 * Merges `input` over `base` for the strategy, refusing options of the other strategy and values
 * out of range. `legacy` seals the secrets of the `sms` strategy's legacy options.
 */
export function mergeOptions(
  strategy: ConnectionStrategy,
  base: DatabaseConnectionOptions | SmsConnectionOptions,
  input: ConnectionOptionsInput = {},
  legacy?: LegacySmsDeps,
): DatabaseConnectionOptions | SmsConnectionOptions {
  if (strategy === 'sms') {
    for (const k of ['identifiers', 'brute_force_threshold', 'breached_password_action', 'password_min_length', 'disable_self_service_change_password', ...STORED_DATABASE_OPTION_KEYS] as const) {
      if (input[k] !== undefined) throw invalid(`option ${k} is not supported by the sms strategy`);
    }
    const b = base as SmsConnectionOptions;
    const totp = { ...b.totp, ...input.totp };
    if (!Number.isInteger(totp.length) || totp.length < 4 || totp.length > 10) throw invalid('totp.length must be between 4 and 10');
    if (!Number.isInteger(totp.time_step) || totp.time_step < 60 || totp.time_step > 3600) throw invalid('totp.time_step must be between 60 and 3600');
    const out: SmsConnectionOptions = {
      totp,
      disable_signup: input.disable_signup ?? b.disable_signup,
      brute_force_protection: input.brute_force_protection ?? b.brute_force_protection,
      ...mergeStored(STORED_SMS_OPTION_KEYS, b, input),
      ...mergeLegacy(b, input, legacy),
    };
    if (LEGACY_SMS_OPTION_KEYS.some((k) => input[k] !== undefined)) checkLegacy(out, legacy);
    return out;
  }
  if (input.totp !== undefined) throw invalid('option totp is not supported by the auth0 strategy');
  for (const k of [...LEGACY_SMS_OPTION_KEYS, ...STORED_SMS_OPTION_KEYS]) {
    if (input[k] !== undefined) throw invalid(`option ${k} is not supported by the auth0 strategy`);
  }
  const b = base as DatabaseConnectionOptions;
  const stored = mergeStored(STORED_DATABASE_OPTION_KEYS, b, input) as Partial<DatabaseConnectionOptions>;
  const out: DatabaseConnectionOptions = {
    identifiers: identifiersOf(input, stored.attributes, b.identifiers),
    disable_signup: input.disable_signup ?? b.disable_signup,
    brute_force_protection: input.brute_force_protection ?? b.brute_force_protection,
    brute_force_threshold: input.brute_force_threshold ?? b.brute_force_threshold,
    breached_password_action: input.breached_password_action ?? b.breached_password_action,
    password_min_length: reconcile(complexityMinLength(input), input.password_min_length, b.password_min_length, (x, y) => x === y, 'options.password_min_length and options.password_complexity_options.min_length'),
    ...stored,
  };
  // The stored Auth0 spellings follow a change made in unifone's, so the two always agree.
  if (isObject(out.attributes)) out.attributes = withIdentifierFlags(out.attributes, out.identifiers);
  if (isObject(out.password_complexity_options) && typeof out.password_complexity_options['min_length'] === 'number') {
    out.password_complexity_options = { ...out.password_complexity_options, min_length: out.password_min_length };
  }
  const selfService = input.disable_self_service_change_password ?? b.disable_self_service_change_password;
  if (selfService !== undefined) out.disable_self_service_change_password = selfService;
  if (out.identifiers.length === 0) throw invalid('identifiers must name at least one of email, phone_number, username');
  if (new Set(out.identifiers).size !== out.identifiers.length) throw invalid('identifiers must not repeat');
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const IDENTIFIER_ORDER = ['email', 'phone_number', 'username'] as const;

/** The stored-as-given options of `keys`: an omitted key keeps its value, `null` removes it. */
function mergeStored(keys: readonly string[], b: object, input: ConnectionOptionsInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (input as Record<string, unknown>)[k] === undefined ? (b as Record<string, unknown>)[k] : (input as Record<string, unknown>)[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * One setting given in two spellings, Auth0's (`auth0`) and unifone's (`own`), against the stored
 * value: configuration tools send a GET's options back with their changes merged in, so both arrive
 * together and the one that differs from the stored value is the change. Both changed and
 * disagreeing: 400.
 */
function reconcile<T>(auth0: T | undefined, own: T | undefined, stored: T, same: (a: T, b: T) => boolean, what: string): T {
  if (auth0 === undefined) return own ?? stored;
  if (own === undefined || same(auth0, own)) return own ?? auth0;
  if (same(own, stored)) return auth0;
  if (same(auth0, stored)) return own;
  throw invalid(`${what} disagree`);
}

/**
 * The identifiers of a database connection: Auth0's `attributes` (each attribute whose
 * `identifier.active` is true, as Auth0 expresses "phone as identifier") or unifone's `identifiers`
 * list (see `reconcile`).
 */
function identifiersOf(input: ConnectionOptionsInput, attributes: unknown, current: DatabaseConnectionOptions['identifiers']): DatabaseConnectionOptions['identifiers'] {
  let fromAttributes: DatabaseConnectionOptions['identifiers'] | undefined;
  if (input.attributes !== undefined && input.attributes !== null) {
    if (!isObject(attributes)) throw invalid('options.attributes must be an object');
    fromAttributes = IDENTIFIER_ORDER.filter((k) => {
      const a = attributes[k];
      return isObject(a) && isObject(a['identifier']) && a['identifier']['active'] === true;
    });
    if (fromAttributes.length === 0) throw invalid('options.attributes: at least one of email, phone_number, username must have identifier.active true');
  }
  return reconcile(fromAttributes, input.identifiers, current, sameSet, 'options.identifiers and options.attributes');
}

function withIdentifierFlags(attributes: Record<string, unknown>, identifiers: DatabaseConnectionOptions['identifiers']): Record<string, unknown> {
  const out: Record<string, unknown> = { ...attributes };
  for (const k of IDENTIFIER_ORDER) {
    const a = out[k];
    if (isObject(a)) out[k] = { ...a, identifier: { ...(isObject(a['identifier']) ? a['identifier'] : {}), active: identifiers.includes(k) } };
  }
  return out;
}

/** Auth0's `password_complexity_options.min_length`, the newer spelling of a minimum length. */
function complexityMinLength(input: ConnectionOptionsInput): number | undefined {
  const o = input.password_complexity_options;
  return isObject(o) && typeof o['min_length'] === 'number' ? o['min_length'] : undefined;
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
    /** Seals the secrets of `sms` connections' legacy options and checks a gateway with its kind. */
    private readonly legacy?: LegacySmsDeps,
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
      options: mergeOptions(input.strategy, base, input.options, this.legacy),
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
      ...(patch.options !== undefined ? { options: mergeOptions(c.strategy, c.options, patch.options, this.legacy) } : {}),
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

  /**
   * Auth0's `PATCH /connections/{id}/clients`: turns the connection on (`status: true`) or off for
   * each client named; the others keep their state. A client enabled must exist (400).
   */
  async setClientStatuses(tenant: Pick<TenantRecord, 'id'>, id: string, changes: ReadonlyArray<{ clientId: string; status: boolean }>): Promise<ConnectionRecord> {
    const c = await this.get(tenant, id);
    const last = new Map(changes.map((x) => [x.clientId, x.status]));
    const on = await this.checkClients(tenant.id, [...last].filter(([, status]) => status).map(([clientId]) => clientId));
    const next = [...c.enabledClients.filter((clientId) => last.get(clientId) !== false), ...on.filter((clientId) => !c.enabledClients.includes(clientId))];
    if (next.length === c.enabledClients.length && next.every((x, i) => x === c.enabledClients[i])) return c;
    const updated = await this.repo.update(tenant.id, id, { enabledClients: next, updatedAt: this.clock.now().toISOString() });
    if (!updated) throw new AppError('inexistent_connection');
    return updated;
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
