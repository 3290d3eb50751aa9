import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { createSecretBox, loadSecretKeys, type SecretBox } from '../adapters/crypto/secret-box.js';
import { RsaTokenKeys } from '../adapters/crypto/token-keys.js';
import { createJwsSigner } from '../adapters/crypto/jws-signer.js';
import { migrateToLatest, openStorage, type Storage, type StorageOptions } from '../adapters/storage/db.js';
import { featuresOf } from '../adapters/storage/features.js';
import { withReadCache } from '../adapters/storage/read-cache.js';
import { groupWrite } from '../adapters/storage/write-batcher.js';
import { createRepositories } from '../adapters/storage/repositories.js';
import { PhoneFraudService } from '../domain/abuse/phone-fraud-service.js';
import { PhoneSendPolicyService } from '../domain/abuse/phone-send-policy-service.js';
import { PhoneSpendService } from '../domain/abuse/phone-spend-service.js';
import { PhoneBotCheckService } from '../domain/abuse/phone-bot-check-service.js';
import { SiteverifyClient } from '../adapters/captcha/siteverify-client.js';
import { VelocityPolicyService } from '../domain/abuse/velocity-policy-service.js';
import type { RateCounters } from '../domain/abuse/rate-counters.js';
import { createRateCounters } from '../adapters/rate-limits/rate-counters.js';
import { directoryPort } from '../domain/auth/directory-adapter.js';
import { EnrollmentAdmin } from '../domain/auth/enrollment-admin.js';
import type { AuthDeps } from '../domain/auth/flows/common.js';
import { ClientService } from '../domain/clients/client-service.js';
import { ResourceServerService } from '../domain/resource-servers/resource-server-service.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { deriveKey, loadDerivationRoot } from '../domain/keys/derivation-root.js';
import { mfaPhoneDependsOnProvider } from '../domain/mfa/delivery-rules.js';
import { GuardianService } from '../domain/mfa/guardian-service.js';
import { ActivityService } from '../domain/notifications/activity.js';
import type { Dispatcher } from '../domain/notifications/dispatcher.js';
import { ReceiptService } from '../domain/notifications/receipts.js';
import type { SendGuard, SendPolicy } from '../domain/notifications/send-policy.js';
import { TestNumberService } from '../domain/notifications/test-numbers.js';
import { TestSends } from '../domain/notifications/test-sends.js';
import { PhoneProviderService } from '../domain/phone-provider/phone-provider-service.js';
import type { Repositories } from '../domain/repositories.js';
import { PhoneTemplateService } from '../domain/templates/phone-template-service.js';
import { TenantService } from '../domain/tenants/tenant-service.js';
import type { AppDeps } from '../http/app.js';
import { ActionsPurgeWorker } from '../workers/actions-purge.js';
import type { OutboxWorker } from '../workers/outbox-worker.js';
import { createActionsModule, type ActionsModule } from './actions-module.js';
import { createAuthModule } from './auth-module.js';
import { createDashboardModule, type DashboardModule } from './dashboard-module.js';
import { createDeliveryModule } from './delivery-module.js';
import { httpDeps } from './http-deps.js';
import { createMigrationService } from './migration-module.js';
import type { Services } from './services.js';
import { createIdentityModule, type IdentityModule } from './identity-module.js';

/** The composition root's product: every adapter and service of one process, wired once. */
export interface Container {
  config: Config;
  logger: Logger;
  storage: Storage;
  /** The counters every process shares (velocity limits, brute-force gate): in the database, or in Redis. */
  counters: RateCounters;
  /** Every repository, over the database (cached reads of per-tenant configuration). */
  repos: Repositories;
  box: SecretBox;
  clock: Clock;
  tokenKeys: RsaTokenKeys;
  services: Services;
  /** The guards every notification passes, in order (the first: per-user send limits of codes). */
  sendPolicy: SendPolicy;
  dispatcher: Dispatcher;
  /** The background dispatcher; `main.ts` starts it (tests drive `tick()` themselves). */
  outbox: OutboxWorker;
  /** Removes old action executions and expired cache entries; `main.ts` starts it. */
  actionsPurge: ActionsPurgeWorker;
  metrics: Registry;
  /** The Actions runtime (isolates), its service and senders. */
  actions: ActionsModule;
  /** Users, connections, passwords, attack protection: `identity.directory` is the service the flows call. */
  identity: IdentityModule;
  /** The Authentication API flows' dependencies: one-time codes, MFA, recovery codes, token issuance. */
  auth: AuthDeps;
  /** Dashboard operators, their sessions, and the tenants they manage. */
  dashboard: DashboardModule;
  /** What `buildApp` takes: the services the routes call, nothing else. */
  http: AppDeps;
  /** Stops the background work, waits for sends in flight, closes storage. */
  close(): Promise<void>;
}

export interface ContainerOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Test seam: storage options beyond the configuration (a PostgreSQL schema per test). */
  storage?: Partial<StorageOptions>;
  /** Test seam: send right after enqueue (default true). False leaves everything to the outbox worker. */
  dispatchInline?: boolean;
  /** Test seam: guards after the built-in ones. */
  extraGuards?: SendGuard[];
}

/**
 * Opens storage, applies migrations and wires the services: the composition root, the only place
 * that builds adapters and hands them to services (with the modules beside it in this folder).
 */
export async function createContainer(opts: ContainerOptions): Promise<Container> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const { keys } = loadSecretKeys(config.secretKeys, config.dataDir);
  const box = createSecretBox(keys);
  const storageOpts: StorageOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...opts.storage };
  if (storageOpts.databaseUrl && storageOpts.pgSchema) {
    const { ensurePgSchema } = await import('../adapters/storage/db.js');
    await ensurePgSchema(storageOpts);
  }
  const storage = openStorage(storageOpts);
  await migrateToLatest(storage);
  const repos = withReadCache(createRepositories(storage.db, featuresOf(storage.dialect)));
  const counters = createRateCounters({
    storage: storage.handle,
    redisUrl: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    groupCommit: (fn) => groupWrite(storage.db, () => fn()),
    journal: { maxCounters: config.rateCountersMax, onEvicted: (count) => logger.warn({ count }, 'rate counters: the most counters this process holds was reached; the oldest were let go') },
  });
  const signer = createJwsSigner(config.signingThreads);
  const tokenKeys = new RsaTokenKeys(repos.signingKeys, box, clock, signer);
  const actions = createActionsModule({
    config,
    logger,
    repos,
    sealer: box,
    clock,
    customProviderInUse: async (tenantId) => {
      const [tenant, provider, guardian] = await Promise.all([repos.tenants.findById(tenantId), repos.phoneProviders.getForTenant(tenantId), repos.guardian.get(tenantId)]);
      return Boolean(tenant && provider?.name === 'custom' && !provider.disabled && mfaPhoneDependsOnProvider(tenant, guardian));
    },
  });
  const delivery = createDeliveryModule({ config, logger, repos, sealer: box, clock, actions, counters, extraGuards: opts.extraGuards ?? [], dispatchInline: opts.dispatchInline ?? true });
  const { kinds, sendPolicy, notifications, dispatcher, outbox, metrics: registry, pipeline } = delivery;
  const siteverify = new SiteverifyClient(config.botCheck);
  const phoneBotCheck = new PhoneBotCheckService(repos.phoneBotCheck, box, siteverify, repos.logs, clock, pipeline, delivery.decisions, (tenantId, detail) =>
    logger.warn({ tenantId, detail }, 'bot check: the CAPTCHA verifier could not be asked'),
  );
  const actionsPurge = new ActionsPurgeWorker(actions, logger);
  const tenants = new TenantService(repos, tokenKeys, clock, config.defaultTenant);
  const phoneProviders = new PhoneProviderService(repos, box, clock, kinds);
  const services: Services = {
    tenants,
    clients: new ClientService(repos, box, clock),
    resourceServers: new ResourceServerService(repos, clock),
    phoneProviders,
    templates: new PhoneTemplateService(repos, clock),
    guardian: new GuardianService(repos, box, clock),
    notifications,
    receipts: new ReceiptService(repos, box, clock, pipeline, kinds),
    testSends: new TestSends(repos, notifications),
    testNumbers: new TestNumberService(repos.testNumbers, clock),
    activity: new ActivityService(repos, clock),
    enrollments: new EnrollmentAdmin(repos.enrollments),
    phoneMigration: createMigrationService({ config, repos, sealer: box, clock, kinds, actions, providers: phoneProviders, tenants }),
    phoneSendPolicy: new PhoneSendPolicyService(repos, clock),
    phoneFraud: new PhoneFraudService(repos.phoneFraud, clock, config.fraudGuardDefaultMode),
    phoneSpend: new PhoneSpendService(repos.phoneSpend, clock),
    velocityPolicy: new VelocityPolicyService(repos, clock),
    phoneBotCheck,
  };
  const identity = createIdentityModule({ repos, clock, notifications, logger, sealer: box, kinds, hashing: config.passwordHashing, counters });
  const userDirectory = directoryPort(identity.directory);
  const root = await loadDerivationRoot(repos.serverSecrets, box);
  const auth = createAuthModule({
    repos,
    deriveKey: (label) => deriveKey(root, label),
    clock,
    tokenKeys,
    clients: services.clients,
    notifications,
    conversions: services.phoneFraud,
    botCheck: phoneBotCheck,
    accessTokenTtl: config.accessTokenTtl,
    directory: () => userDirectory,
  });
  const dashboard = createDashboardModule({ db: storage.db, repos, clock, tenants, tokenKeys });
  return {
    config,
    logger,
    storage,
    counters,
    repos,
    box,
    clock,
    tokenKeys,
    services,
    sendPolicy,
    dispatcher,
    outbox,
    actionsPurge,
    metrics: registry,
    actions,
    identity,
    auth,
    dashboard,
    http: { ...httpDeps({ config, logger, services, repos, tokenKeys, metrics: registry, actions, identity, auth }), dashboard: dashboard.http },
    async close() {
      await actionsPurge.stop();
      await outbox.stop();
      await dispatcher.stop();
      await actions.close();
      await signer.close();
      await counters.close();
      await siteverify.close();
      await storage.close();
    },
  };
}
