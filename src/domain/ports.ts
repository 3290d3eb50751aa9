/**
 * The interfaces the domain needs from the outside world. Adapters implement them; the composition
 * root (`src/composition/`) wires them. The bag of every repository is `Repositories`
 * (`repositories.ts`), kept apart so that the port files it gathers never import each other back. Every repository method takes the tenant id first, and an
 * implementation must never return or touch a row of another tenant.
 */

export interface TenantRecord {
  id: string;
  name: string;
  friendlyName: string;
  pictureUrl: string | null;
  supportEmail: string | null;
  supportUrl: string | null;
  homeUrl: string | null;
  enabledLocales: string[];
  /** The Unified Phone Experience switch: true routes every phone feature through the tenant provider. */
  phoneConsolidatedExperience: boolean;
  /**
   * Auth0 tenant settings stored and returned unchanged without acting on them (`flags`,
   * `session_lifetime`, …); absent: none. The API layer decides which names and shapes are accepted.
   */
  properties?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** `properties` given are merged into the stored ones: each named property replaced whole, null removes it. */
export type TenantSettingsPatch = Partial<
  Pick<
    TenantRecord,
    'friendlyName' | 'pictureUrl' | 'supportEmail' | 'supportUrl' | 'homeUrl' | 'enabledLocales' | 'phoneConsolidatedExperience' | 'properties'
  >
>;

export interface TenantRepository {
  findById(tenantId: string): Promise<TenantRecord | undefined>;
  findByName(name: string): Promise<TenantRecord | undefined>;
  /** The tenant that owns `domain` (exact, lower-case host, port included when the domain has one). */
  findByDomain(domain: string): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  create(tenant: TenantRecord, domains: string[]): Promise<void>;
  domains(tenantId: string): Promise<string[]>;
  addDomain(tenantId: string, domain: string): Promise<void>;
  updateSettings(tenantId: string, patch: TenantSettingsPatch, updatedAt: string): Promise<TenantRecord | undefined>;
}

export interface SigningKeyRecord {
  kid: string;
  alg: 'RS256';
  /** PKCS#8 PEM sealed with the secret box (purpose `signing_key`). */
  privateKeySealed: string;
  publicJwk: Record<string, unknown>;
  status: 'current' | 'previous';
  createdAt: string;
}

export interface SigningKeyRepository {
  list(tenantId: string): Promise<SigningKeyRecord[]>;
  insert(tenantId: string, key: SigningKeyRecord): Promise<void>;
  /** Re-seals private keys (key rotation of the secret box). */
  updateSealed(tenantId: string, kid: string, privateKeySealed: string): Promise<void>;
}

export interface ClientRecord {
  clientId: string;
  name: string;
  description: string | null;
  appType: string | null;
  isFirstParty: boolean;
  grantTypes: string[];
  clientMetadata: Record<string, string>;
  callbacks: string[];
  tokenEndpointAuthMethod: 'client_secret_post' | 'client_secret_basic' | 'none';
  /**
   * Auth0 properties stored and returned unchanged without acting on them (`logo_uri`,
   * `jwt_configuration`, …): the API layer decides which names and shapes are accepted.
   */
  properties: Record<string, unknown>;
  /** The client secret sealed with the secret box (purpose `client_secret`). */
  secretSealed: string;
  createdAt: string;
  updatedAt: string;
}

export type ClientPatch = Partial<Omit<ClientRecord, 'clientId' | 'createdAt'>>;

export interface Page {
  page: number;
  perPage: number;
}

export interface ClientRepository {
  insert(tenantId: string, client: ClientRecord): Promise<void>;
  get(tenantId: string, clientId: string): Promise<ClientRecord | undefined>;
  list(tenantId: string, page: Page): Promise<{ items: ClientRecord[]; total: number }>;
  update(tenantId: string, clientId: string, patch: ClientPatch): Promise<ClientRecord | undefined>;
  delete(tenantId: string, clientId: string): Promise<boolean>;
  listAll(tenantId: string): Promise<ClientRecord[]>;
  /** Every tenant's sealed client secrets, for secret-box key rotation. */
  listSealed(): Promise<Array<{ tenantId: string; clientId: string; secretSealed: string }>>;
  /**
   * Compare-and-swap of one sealed secret (key rotation): writes `to` only while the row still holds
   * `from`, so a secret rotated through the API meanwhile is never overwritten. Resolves true when written.
   */
  updateSealed(tenantId: string, clientId: string, from: string, to: string): Promise<boolean>;
}

export interface ClientGrantRecord {
  id: string;
  clientId: string;
  audience: string;
  scope: string[];
  /** Auth0 grant properties stored and returned unchanged (`organization_usage`, …); absent: none. */
  properties?: Record<string, unknown>;
  createdAt: string;
}

export interface ClientGrantRepository {
  insert(tenantId: string, grant: ClientGrantRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<ClientGrantRecord | undefined>;
  list(tenantId: string, filter: { clientId?: string; audience?: string }): Promise<ClientGrantRecord[]>;
  /** Writes the given parts; undefined when the grant does not exist. */
  update(tenantId: string, id: string, patch: { scope?: string[]; properties?: Record<string, unknown> }): Promise<ClientGrantRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** An API of the tenant (Auth0's resource server) other than the Management API. */
export interface ResourceServerRecord {
  id: string;
  /** The audience, unique per tenant; never changes. */
  identifier: string;
  name: string;
  /** Every other Auth0 property (`scopes`, `signing_alg`, `token_lifetime`, …), as the API accepted it. */
  properties: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ResourceServerRepository {
  /** Refuses a second identifier of the tenant with AppError `resource_server_conflict`. */
  insert(tenantId: string, rs: ResourceServerRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<ResourceServerRecord | undefined>;
  findByIdentifier(tenantId: string, identifier: string): Promise<ResourceServerRecord | undefined>;
  list(tenantId: string): Promise<ResourceServerRecord[]>;
  update(tenantId: string, id: string, patch: { name?: string; properties?: Record<string, unknown>; updatedAt: string }): Promise<ResourceServerRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export type DeliveryMethod = 'text' | 'voice';
/** The name of a registered provider kind (`domain/phone-provider/provider-registry.ts`). */
export type PhoneProviderName = string;

/**
 * Provider configuration as stored and returned (no credentials): the delivery methods, the sender
 * number, and the keys its kind declares (see `ProviderKind.configuration`), as the API accepted them.
 */
export interface PhoneProviderConfiguration {
  delivery_methods: DeliveryMethod[];
  default_from?: string;
  readonly [kindKey: string]: unknown;
}

export interface PhoneProviderRecord {
  id: string;
  name: PhoneProviderName;
  disabled: boolean;
  configuration: PhoneProviderConfiguration;
  /** JSON of the credentials object, sealed with the secret box (purpose `phone_provider_credentials`). */
  credentialsSealed: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PhoneProviderRepository {
  /** The tenant's one provider, if configured. */
  getForTenant(tenantId: string): Promise<PhoneProviderRecord | undefined>;
  get(tenantId: string, id: string): Promise<PhoneProviderRecord | undefined>;
  /** Inserts; resolves false (and writes nothing) when the tenant already has a provider. */
  insert(tenantId: string, provider: PhoneProviderRecord): Promise<boolean>;
  replace(tenantId: string, provider: PhoneProviderRecord): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Every tenant's sealed credentials, for secret-box key rotation. */
  listSealed(): Promise<Array<{ tenantId: string; id: string; credentialsSealed: string }>>;
  /** Compare-and-swap of the sealed credentials (key rotation); resolves true when written. */
  updateSealed(tenantId: string, id: string, from: string, to: string): Promise<boolean>;
}

export const TEMPLATE_TYPES = ['otp_verify', 'otp_enroll', 'change_password', 'blocked_account', 'password_breach'] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

export interface PhoneTemplateRecord {
  id: string;
  type: TemplateType;
  disabled: boolean;
  from: string | null;
  bodyText: string;
  bodyVoice: string;
  /** Incremented on every change; caches of compiled templates key on (id, version). */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface PhoneTemplateRepository {
  list(tenantId: string): Promise<PhoneTemplateRecord[]>;
  get(tenantId: string, id: string): Promise<PhoneTemplateRecord | undefined>;
  getByType(tenantId: string, type: TemplateType): Promise<PhoneTemplateRecord | undefined>;
  /** Inserts; resolves false (and writes nothing) when the tenant already has a template of that type. */
  insert(tenantId: string, template: PhoneTemplateRecord): Promise<boolean>;
  /** Compare-and-swap on the version: false when the template is gone or another save came first. */
  replace(tenantId: string, template: PhoneTemplateRecord, expectedVersion: number): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export type MfaMessageType = 'sms' | 'voice';
export type LegacySelectedProvider = 'auth0' | 'twilio' | 'phone-message-hook';

export interface GuardianSettingsRecord {
  /** Factor name → enabled. Names absent from the map are disabled. */
  factors: Record<string, boolean>;
  messageTypes: MfaMessageType[];
  policies: string[];
  /** Legacy (pre-UPE) configuration, used only while the tenant is in legacy mode. */
  selectedProvider: LegacySelectedProvider;
  twilio: { sid: string | null; from: string | null; messaging_service_sid: string | null };
  twilioAuthTokenSealed: string | null;
  enrollmentMessage: string | null;
  verificationMessage: string | null;
  updatedAt: string;
}

export interface GuardianRepository {
  get(tenantId: string): Promise<GuardianSettingsRecord | undefined>;
  put(tenantId: string, settings: GuardianSettingsRecord): Promise<void>;
  /**
   * The settings, created from `defaults` when the tenant has none yet, read for a change: inside a
   * transaction the row stays locked until it ends, so concurrent read-modify-writes apply one after
   * the other instead of the last overwriting the others.
   */
  lock(tenantId: string, defaults: GuardianSettingsRecord): Promise<GuardianSettingsRecord>;
  listSealed(): Promise<Array<{ tenantId: string; sealed: string }>>;
  /** Compare-and-swap of the sealed legacy Twilio auth token (key rotation); resolves true when written. */
  updateSealed(tenantId: string, from: string, to: string): Promise<boolean>;
}

/** Server-wide sealed values (not a tenant's): the derivation root of the hashing keys. */
export interface ServerSecretRepository {
  get(name: string): Promise<string | undefined>;
  /** Writes the value unless one is there already (the first node to start wins; read it back). */
  insertIfAbsent(name: string, sealed: string): Promise<void>;
  listSealed(): Promise<Array<{ name: string; sealed: string }>>;
  /** Compare-and-swap: false when the stored value is no longer `from`. */
  updateSealed(name: string, from: string, to: string): Promise<boolean>;
}


/** Authenticated encryption for secrets at rest; `purpose` binds a sealed value to its use. */
export interface Sealer {
  seal(plaintext: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
  needsRotation(sealed: string): boolean;
}

/** Creates per-tenant token signing keys (the private key is sealed at rest by the implementation). */
export interface SigningKeyFactory {
  createKey(tenantId: string): Promise<string>;
}

/** The claims of a token, as signed and as verified (a JWT payload). */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

/**
 * A tenant's token keys: RS256 signing, verification and the public JWKS. Implementations keep the
 * private keys sealed at rest; `verify` resolves undefined for any token that fails a check
 * (signature with one of the tenant's keys, issuer, audience, expiry), never throws for a bad token.
 */
export interface TokenKeys extends SigningKeyFactory {
  jwks(tenantId: string): Promise<{ keys: Record<string, unknown>[] }>;
  sign(tenantId: string, claims: TokenClaims, ttlSeconds: number): Promise<string>;
  verify(tenantId: string, token: string, expect: { issuers: string[]; audiences: string[] }): Promise<TokenClaims | undefined>;
  /** Re-seals the tenant's private keys under the current secret key (rotation); how many were written. */
  reseal(tenantId: string): Promise<number>;
}
