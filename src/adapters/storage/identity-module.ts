import type { Kysely } from 'kysely';
import { connectionRepository, defaultConnectionProvisioner } from './connection-repository.js';
import { enrollmentQuery, type EnrollmentQuery } from './enrollment-query.js';
import { loginFailureRepository } from './login-failure-repository.js';
import type { Database } from './schema.js';
import { userRepository } from './user-repository.js';
import { clientRepository } from './client-repository.js';
import { ReadCache } from './read-cache.js';
import type { Clock } from '../../domain/clock.js';
import type { Sealer } from '../../domain/ports.js';
import type { GeoIpLookup, GuardLogger, NotificationPort } from '../../domain/auth/login-guard.js';
import type { ConnectionRepository, LoginFailureRepository, UserRepository } from '../../domain/auth/ports.js';
import { UserDirectory } from '../../domain/auth/user-directory.js';

export interface IdentityModuleOptions {
  db: Kysely<Database>;
  clock: Clock;
  notifications: NotificationPort;
  /** Reserved for sealed identity data (none yet: password hashes are one-way). */
  box?: Sealer;
  logger?: GuardLogger;
  /** An IP → city/country lookup for `blocked_account` texts; none by default (docs/api.md, "Passwords"). */
  geoip?: GeoIpLookup;
}

/** Users, connections and attack protection, wired over one database handle. `c.identity` in the container. */
export interface IdentityModule {
  directory: UserDirectory;
  users: UserRepository;
  connections: ConnectionRepository;
  loginFailures: LoginFailureRepository;
  /** Read/delete access to MFA enrollments for the Management API (the MFA flows write them). */
  enrollments: EnrollmentQuery;
}

/** The identity module's composition (kept out of container.ts so the container only gains a few lines). */
export function createIdentityModule(o: IdentityModuleOptions): IdentityModule {
  const users = userRepository(o.db);
  // Every login and every passwordless start reads its connection by name: cached like the rest of
  // the per-tenant configuration (docs/operations.md), emptied by any connection write of this process.
  const cache = new ReadCache();
  const connections = cache.wrap(
    connectionRepository(o.db),
    { get: (t: string, id: string) => `id:${t}:${id}`, getByName: (t: string, name: string) => `name:${t}:${name}` },
    ['list'],
  );
  const provision = defaultConnectionProvisioner(o.db);
  const loginFailures = loginFailureRepository(o.db);
  const enrollments = enrollmentQuery(o.db);
  const directory = new UserDirectory(
    {
      users,
      connections,
      loginFailures,
      clients: clientRepository(o.db),
      provisionDefaults: (tenantId, list) => cache.write(() => provision(tenantId, list)),
      deleteEnrollments: (tenantId, userId) => enrollments.deleteForUser(tenantId, userId),
    },
    o.clock,
    o.notifications,
    { ...(o.logger ? { logger: o.logger } : {}), ...(o.geoip ? { geoip: o.geoip } : {}) },
  );
  return { directory, users, connections, loginFailures, enrollments };
}
