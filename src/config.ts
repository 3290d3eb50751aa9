import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { providerKinds } from './adapters/providers/registry.js';
import type { ProviderSettingsSection } from './adapters/providers/provider-settings.js';

/**
 * The whole configuration of a unifone process. Parsed once from the environment at start and
 * frozen; nothing else in the code base reads `process.env`.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The settings sections the provider kinds declare (their own environment variables). */
const providerSections: ReadonlyArray<ProviderSettingsSection> = providerKinds.flatMap((k): ProviderSettingsSection[] => (k.settings ? [k.settings as ProviderSettingsSection] : []));

const baseSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** `postgres://...` selects PostgreSQL; unset selects the embedded SQLite database in DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** AES-256-GCM key(s), base64 or hex of 32 bytes. Comma-separated: the first encrypts, all decrypt (rotation). */
  UNIFONE_SECRET_KEY: z.string().optional(),
  /** The tenant that answers requests whose Host matches no tenant domain. Empty: unknown hosts get 404. */
  DEFAULT_TENANT: z.string().default('default'),
  /** Extra domains given to the default tenant when it is first created (comma-separated). */
  DEFAULT_TENANT_DOMAINS: z.string().default('localhost'),
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  /** The externally reachable base URL of this server (used for callback URLs). */
  PUBLIC_URL: z.string().url().optional(),
  /**
   * The bearer token that `GET /metrics` asks for (at least 16 characters). Unset, `/metrics` is not
   * served: its series name every tenant.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * The proxies in front of this server (addresses or CIDRs, comma-separated): X-Forwarded-For from
   * them gives the client's address (brute-force keys, logs, blocked_account texts). Unset: none is
   * trusted, the socket's address is the client's.
   */
  TRUST_PROXY: z.string().default(''),
  /**
   * The fraud guard's mode for tenants that never set one (docs/abuse.md, "Fraud guard"): `enforce`,
   * `monitor` or `off`. A tenant's own setting always wins.
   */
  PHONE_FRAUD_GUARD_DEFAULT_MODE: z.enum(['enforce', 'monitor', 'off']).default('enforce'),
  /** How long the bot check waits for a CAPTCHA vendor's siteverify answer, ms (docs/abuse.md, "Bot check"). */
  BOT_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3_000),
  /**
   * Whether a tenant's `siteverify_url` may point at a loopback or private address (a verifier on the
   * server's own network; tests). Off by default, as for Actions and SMS gateways: the URL is set by
   * tenant administrators. Metadata endpoints stay refused.
   */
  BOT_CHECK_ALLOW_PRIVATE_NETWORK: boolish.default('false'),

  /**
   * `redis://…`: the counters of the velocity limits and of the brute-force gate live in this Redis,
   * shared by every process that names it. Unset: they live in the database (PostgreSQL, or the
   * embedded SQLite database of a single node).
   */
  REDIS_URL: z.string().url().optional(),
  /** Prepended to every Redis key (several deployments on one Redis). */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('unifone'),
  /** Embedded database only: the most counters the process holds in memory (about 130 bytes each); docs/abuse.md. */
  RATE_COUNTERS_MAX: z.coerce.number().int().min(1000).max(100_000_000).default(1_000_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Lifetime of Management API access tokens, seconds. */
  ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(30 * 86400).default(86400),
  /**
   * Threads that sign user tokens (RS256) off the event loop; 0 signs on the event loop with jose.
   * Default: one less than the CPUs available, at least 1, at most 4.
   */
  SIGNING_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  /** Password hashes (scrypt, on libuv's pool of 4 threads) running at once in this process. */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Password hashes that may wait for a slot (all tenants); past it, logins and signups get 429. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(100_000).default(64),
  /** Largest accepted request body, bytes. */
  BODY_LIMIT: z.coerce.number().int().min(1024).default(256 * 1024),
  ACTIONS_ALLOW_PRIVATE_NETWORK: boolish.default('false'),
  /** Wall-clock limit of one action execution, ms (Auth0's is 20 s; keep it under DISPATCHER_LEASE_MS). */
  ACTIONS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(20_000),
  /** Attempts per notification in all (the first included). */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(1).default(2_000),
  NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(1).default(300_000),
  /** How often the background dispatcher looks for due notifications (at most a day: timers take 2^31-1 ms). */
  DISPATCHER_POLL_MS: z.coerce.number().int().min(10).max(86_400_000).default(1_000),
  /** How long a claimed notification stays claimed; longer than the slowest provider call. */
  DISPATCHER_LEASE_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Run the background dispatcher in this process (false: another process runs it). */
  DISPATCHER_ENABLED: boolish.default('true'),
});
// The kinds' variables are validated with the rest (a bad one names itself); their types stay with the kinds.
const schema = baseSchema.extend(Object.assign({}, ...providerSections.map((s) => s.env)) as Record<never, z.ZodTypeAny>);

/** Every provider kind's configuration keys (see its settings section), as one type. */
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type ProviderSettingsOf<K> = K extends { settings?: ProviderSettingsSection<infer T> } ? T : never;
type ProviderSettings = Intersection<ProviderSettingsOf<(typeof providerKinds)[number]>>;

export type Config = Readonly<ProviderSettings & {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  secretKeys: readonly string[];
  defaultTenant: string;
  defaultTenantDomains: readonly string[];
  tls: { cert: string; key: string } | undefined;
  publicUrl: string | undefined;
  /** `GET /metrics` needs `Authorization: Bearer <metricsToken>`; unset, it is not served. */
  metricsToken: string | undefined;
  /** The fraud guard's mode for tenants that never set one. */
  fraudGuardDefaultMode: 'enforce' | 'monitor' | 'off';
  /** The bot check's siteverify calls: their timeout, and whether private addresses may be called. */
  botCheck: { timeoutMs: number; allowPrivateNetwork: boolean };
  /** Addresses or CIDRs of trusted proxies (X-Forwarded-For); empty: none. */
  trustProxy: readonly string[];
  /** Where the shared counters live when set (`redis://…`); else in the database. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** The most counters held in memory on the embedded database. */
  rateCountersMax: number;
  logLevel: z.infer<typeof baseSchema>['LOG_LEVEL'];
  accessTokenTtl: number;
  signingThreads: number;
  bodyLimit: number;
  /** The password-hashing queue (src/domain/auth/hash-queue.ts). */
  passwordHashing: { concurrency: number; maxQueued: number };
  actionsAllowPrivateNetwork: boolean;
  actionsTimeoutMs: number;
  delivery: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; leaseMs: number; pollMs: number; dispatcherEnabled: boolean };
}>;

export class ConfigError extends Error {}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parses an environment-like record into a frozen Config. Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`);
  }
  const e = parsed.data;
  if (Boolean(e.TLS_CERT) !== Boolean(e.TLS_KEY)) {
    throw new ConfigError('invalid configuration: TLS_CERT and TLS_KEY must be set together');
  }
  if (e.REDIS_URL && !/^rediss?:\/\//.test(e.REDIS_URL)) {
    throw new ConfigError('invalid configuration: REDIS_URL must be a redis:// or rediss:// URL');
  }
  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    throw new ConfigError('invalid configuration: DATABASE_URL must be a postgres:// URL');
  }
  for (const p of list(e.TRUST_PROXY)) {
    const [addr, bits, extra] = p.split('/');
    const family = net.isIP(addr ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(`invalid configuration: TRUST_PROXY entry ${JSON.stringify(p)} is not an address or a CIDR`);
    }
  }
  // A lease shorter than the slowest provider call lets another dispatcher take the notification
  // over while the first is still sending it: the message would go twice.
  const providers = providerSections.map((s) => ({ section: s, values: s.read(parsed.data) }));
  const timeouts = providers.flatMap(({ section, values }) => (section.timeout ? [{ variable: section.timeout.variable, ms: section.timeout.ms(values) }] : []));
  const slowest = Math.max(e.ACTIONS_TIMEOUT_MS, ...timeouts.map((t) => t.ms));
  if (e.DISPATCHER_LEASE_MS < 2 * slowest) {
    const variables = [...timeouts.map((t) => t.variable), 'ACTIONS_TIMEOUT_MS'].join(' / ');
    throw new ConfigError(
      `invalid configuration: DISPATCHER_LEASE_MS (${e.DISPATCHER_LEASE_MS}) must be at least twice the longest provider timeout (${variables}: ${slowest})`,
    );
  }
  return Object.freeze({
    ...(Object.assign({}, ...providers.map((p) => p.values)) as ProviderSettings),
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    secretKeys: Object.freeze(list(e.UNIFONE_SECRET_KEY)),
    defaultTenant: e.DEFAULT_TENANT,
    defaultTenantDomains: Object.freeze(list(e.DEFAULT_TENANT_DOMAINS)),
    tls: e.TLS_CERT && e.TLS_KEY ? Object.freeze({ cert: e.TLS_CERT, key: e.TLS_KEY }) : undefined,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    metricsToken: e.METRICS_TOKEN,
    fraudGuardDefaultMode: e.PHONE_FRAUD_GUARD_DEFAULT_MODE,
    botCheck: Object.freeze({ timeoutMs: e.BOT_CHECK_TIMEOUT_MS, allowPrivateNetwork: e.BOT_CHECK_ALLOW_PRIVATE_NETWORK }),
    trustProxy: Object.freeze(list(e.TRUST_PROXY)),
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    rateCountersMax: e.RATE_COUNTERS_MAX,
    logLevel: e.LOG_LEVEL,
    accessTokenTtl: e.ACCESS_TOKEN_TTL,
    signingThreads: e.SIGNING_THREADS ?? Math.min(4, Math.max(1, os.availableParallelism())),
    bodyLimit: e.BODY_LIMIT,
    passwordHashing: Object.freeze({ concurrency: e.PASSWORD_HASH_CONCURRENCY, maxQueued: e.PASSWORD_HASH_QUEUE }),
    actionsAllowPrivateNetwork: e.ACTIONS_ALLOW_PRIVATE_NETWORK,
    actionsTimeoutMs: e.ACTIONS_TIMEOUT_MS,
    delivery: Object.freeze({
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      baseDelayMs: e.NOTIFY_RETRY_BASE_MS,
      maxDelayMs: e.NOTIFY_RETRY_MAX_MS,
      leaseMs: e.DISPATCHER_LEASE_MS,
      pollMs: e.DISPATCHER_POLL_MS,
      dispatcherEnabled: e.DISPATCHER_ENABLED,
    }),
  });
}
