import type { Kysely } from 'kysely';
import type { Repositories } from '../../domain/ports.js';
import { clientGrantRepository, clientRepository } from './client-repository.js';
import { guardianRepository } from './guardian-repository.js';
import { phoneProviderRepository, phoneTemplateRepository } from './phone-repository.js';
import type { Database } from './schema.js';
import { signingKeyRepository } from './signing-key-repository.js';
import { tenantRepository } from './tenant-repository.js';

/** Builds every repository over one Kysely handle (the database, or a transaction). */
export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    tenants: tenantRepository(db),
    signingKeys: signingKeyRepository(db),
    clients: clientRepository(db),
    clientGrants: clientGrantRepository(db),
    phoneProviders: phoneProviderRepository(db),
    phoneTemplates: phoneTemplateRepository(db),
    guardian: guardianRepository(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(createRepositories(trx))),
  };
}
