import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createSecretBox, loadSecretKeys, type SecretBox } from './adapters/crypto/secret-box.js';
import { TokenKeys } from './adapters/crypto/token-keys.js';
import { migrateToLatest, openStorage, type Storage, type StorageOptions } from './adapters/storage/db.js';
import { createRepositories } from './adapters/storage/repositories.js';
import { featuresOf } from './adapters/storage/features.js';
import { withReadCache } from './adapters/storage/read-cache.js';
import { createJwsSigner } from './adapters/crypto/jws-signer.js';
import { type Clock, systemClock } from './domain/clock.js';
import { ClientService } from './domain/clients/client-service.js';
import { GuardianService } from './domain/mfa/guardian-service.js';
import { PhoneProviderService } from './domain/phone-provider/phone-provider-service.js';
import type { Repositories } from './domain/ports.js';
import { PhoneTemplateService } from './domain/templates/phone-template-service.js';
import { TenantService } from './domain/tenants/tenant-service.js';
import type { Registry } from 'prom-client';
import { createPrometheusMetrics } from './adapters/metrics/prometheus.js';
import { createProviderRegistry } from './adapters/providers/registry.js';
import { Dispatcher } from './domain/notifications/dispatcher.js';
import { NotificationService } from './domain/notifications/notification-service.js';
import { ReceiptService } from './domain/notifications/receipts.js';
import { OutboxWorker } from './workers/outbox-worker.js';
import { createActionsModule, type ActionsModule } from './adapters/actions/module.js';
import { createIdentityModule, type IdentityModule } from './adapters/storage/identity-module.js';
import { createAuthModule } from './domain/auth/auth-module.js';
import { mfaPhoneDependsOnProvider } from './domain/mfa/delivery-rules.js';
import { deriveKey, loadDerivationRoot } from './domain/keys/derivation-root.js';
import { directoryPort } from './domain/auth/directory-adapter.js';
import type { AuthDeps } from './domain/auth/flows/common.js';

/** The composition root's product: every adapter and service of one process, wired once. */
export interface Container {
  config: Config;
  logger: Logger;
  storage: Storage;
  repos: Repositories;
  box: SecretBox;
  clock: Clock;
  tokenKeys: TokenKeys;
  services: {
    tenants: TenantService;
    clients: ClientService;
    phoneProviders: PhoneProviderService;
    templates: PhoneTemplateService;
    guardian: GuardianService;
    notifications: NotificationService;
    receipts: ReceiptService;
  };
  dispatcher: Dispatcher;
  /** The background dispatcher; `main.ts` starts it (tests drive `tick()` themselves). */
  outbox: OutboxWorker;
  metrics: Registry;
  /** The Actions runtime (isolates), its service and senders. */
  actions: ActionsModule;
  /** Users, connections, passwords, attack protection: `identity.directory` is the service the flows call. */
  identity: IdentityModule;
  /** The Authentication API flows' dependencies: one-time codes, MFA, recovery codes, token issuance. */
  auth: AuthDeps;
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
}


/** Opens storage, applies migrations and wires the services. The only place adapters meet services. */
export async function createContainer(opts: ContainerOptions): Promise<Container> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const { keys } = loadSecretKeys(config.secretKeys, config.dataDir);
  const box = createSecretBox(keys);
  const storageOpts: StorageOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...opts.storage };
  if (storageOpts.databaseUrl && storageOpts.pgSchema) {
    const { ensurePgSchema } = await import('./adapters/storage/db.js');
    await ensurePgSchema(storageOpts);
  }
  const storage = openStorage(storageOpts);
  await migrateToLatest(storage);
  const repos = withReadCache(createRepositories(storage.db, featuresOf(storage.dialect)));
  const signer = createJwsSigner(config.signingThreads);
  const tokenKeys = new TokenKeys(repos.signingKeys, box, clock, signer);
  const actions = createActionsModule({
    config,
    logger,
    db: storage.db,
    sealer: box,
    clock,
    customProviderInUse: async (tenantId) => {
      const [tenant, provider, guardian] = await Promise.all([repos.tenants.findById(tenantId), repos.phoneProviders.getForTenant(tenantId), repos.guardian.get(tenantId)]);
      return Boolean(tenant && provider?.name === 'custom' && !provider.disabled && mfaPhoneDependsOnProvider(tenant, guardian));
    },
  });
  const { registry, pipeline } = createPrometheusMetrics(() => repos.notifications.queueDepth());
  const kinds = createProviderRegistry({ config, actions });
  const policy = config.delivery;
  const legacyHook = actions.sendPhoneMessage;
  const dispatcher = new Dispatcher(repos, box, clock, kinds, policy, pipeline, logger, legacyHook);
  const outbox = new OutboxWorker(repos.notifications, dispatcher, clock, { pollMs: policy.pollMs, leaseMs: policy.leaseMs, batchSize: 50 }, logger);
  const services = {
    tenants: new TenantService(repos, tokenKeys, clock, config.defaultTenant),
    clients: new ClientService(repos, box, clock),
    phoneProviders: new PhoneProviderService(repos, box, clock, kinds),
    templates: new PhoneTemplateService(repos, clock),
    guardian: new GuardianService(repos, box, clock),
    notifications: new NotificationService(repos, box, clock, dispatcher, policy, { dispatchInline: opts.dispatchInline ?? true }),
    receipts: new ReceiptService(repos, box, clock, pipeline, kinds),
  };
  const identity = createIdentityModule({ db: storage.db, clock, notifications: services.notifications, box, logger });
  const userDirectory = directoryPort(identity.directory);
  const root = await loadDerivationRoot(repos.serverSecrets, box);
  const auth = createAuthModule({
    db: storage.db,
    deriveKey: (label) => deriveKey(root, label),
    clock,
    tokenKeys,
    clients: services.clients,
    guardian: repos.guardian,
    notifications: services.notifications,
    accessTokenTtl: config.accessTokenTtl,
    directory: () => userDirectory,
  });
  return {
    config,
    logger,
    storage,
    repos,
    box,
    clock,
    tokenKeys,
    services,
    dispatcher,
    outbox,
    metrics: registry,
    actions,
    identity,
    auth,
    async close() {
      await outbox.stop();
      await dispatcher.stop();
      await actions.close();
      await signer.close();
      await storage.close();
    },
  };
}
