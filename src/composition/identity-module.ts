import type { GeoIpLookup, GuardLogger, NotificationPort } from '../domain/auth/login-guard.js';
import { DEFAULT_HASH_QUEUE, HashQueue, type HashQueueOptions } from '../domain/auth/hash-queue.js';
import { UserDirectory } from '../domain/auth/user-directory.js';
import type { Clock } from '../domain/clock.js';
import type { RateCounters } from '../domain/abuse/rate-counters.js';
import type { ProviderRegistry } from '../domain/phone-provider/provider-registry.js';
import type { Sealer } from '../domain/ports.js';
import type { Repositories } from '../domain/repositories.js';

export interface IdentityModuleOptions {
  repos: Repositories;
  clock: Clock;
  notifications: NotificationPort;
  logger?: GuardLogger;
  /** An IP → city/country lookup for `blocked_account` texts; none by default (docs/api.md, "Passwords"). */
  geoip?: GeoIpLookup;
  /** Seals the legacy secrets of `sms` connections. */
  sealer: Sealer;
  /** The provider kinds: a legacy `sms_gateway` connection is checked by its kind's rules. */
  kinds: ProviderRegistry;
  /** Password hashes in flight and waiting (config PASSWORD_HASH_CONCURRENCY / PASSWORD_HASH_QUEUE). */
  hashing?: Pick<HashQueueOptions, 'concurrency' | 'maxQueued'>;
  /** The counters every process shares (the brute-force gate). */
  counters: RateCounters;
}

/** Users, connections and attack protection: `identity.directory` is the service the flows and routes call. */
export interface IdentityModule {
  directory: UserDirectory;
  /** The bounded, tenant-fair queue every password hash of the directory waits in. */
  hashing: HashQueue;
}

/** Wires the user directory over the repositories of the bag. */
export function createIdentityModule(o: IdentityModuleOptions): IdentityModule {
  const { repos } = o;
  const hashing = new HashQueue(o.hashing ?? DEFAULT_HASH_QUEUE);
  const directory = new UserDirectory(
    {
      users: repos.users,
      connections: repos.connections,
      loginFailures: repos.loginFailures,
      clients: repos.clients,
      provisionDefaults: (tenantId, list) => repos.connections.provisionDefaults(tenantId, list),
      deleteEnrollments: (tenantId, userId) => repos.enrollments.deleteForUser(tenantId, userId),
    },
    o.clock,
    o.notifications,
    { counters: o.counters, ...(o.logger ? { logger: o.logger } : {}), ...(o.geoip ? { geoip: o.geoip } : {}), legacySms: { sealer: o.sealer, kinds: o.kinds }, hashing },
  );
  return { directory, hashing };
}
