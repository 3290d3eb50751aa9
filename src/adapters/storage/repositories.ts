import type { Kysely } from 'kysely';
import type { Repositories } from '../../domain/ports.js';
import { clientGrantRepository, clientRepository } from './client-repository.js';
import { guardianRepository } from './guardian-repository.js';
import { phoneProviderRepository, phoneTemplateRepository } from './phone-repository.js';
import type { Database } from './schema.js';
import type { DialectFeatures } from './features.js';
import { logRepository, testNumberRepository } from './log-repository.js';
import { notificationRepository } from './notification-repository.js';
import { signingKeyRepository } from './signing-key-repository.js';
import { tenantRepository } from './tenant-repository.js';
import { serverSecretRepository } from './server-secret-repository.js';

/** Builds every repository over one Kysely handle (the database, or a transaction). */
export function createRepositories(db: Kysely<Database>, features: DialectFeatures): Repositories {
  return {
    tenants: tenantRepository(db),
    signingKeys: signingKeyRepository(db),
    clients: clientRepository(db),
    clientGrants: clientGrantRepository(db),
    phoneProviders: phoneProviderRepository(db),
    phoneTemplates: phoneTemplateRepository(db),
    guardian: guardianRepository(db),
    notifications: notificationRepository(db, features),
    logs: logRepository(db),
    testNumbers: testNumberRepository(db),
    serverSecrets: serverSecretRepository(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(createRepositories(trx, features))),
  };
}
