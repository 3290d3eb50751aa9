import type { Kysely } from 'kysely';
import type { SigningKeyRecord, SigningKeyRepository } from '../../domain/ports.js';
import { json, text } from './json.js';
import type { Database } from './schema.js';

export function signingKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  return {
    async list(tenantId) {
      const rows = await db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').execute();
      return rows.map(
        (r): SigningKeyRecord => ({
          kid: r.kid,
          alg: 'RS256',
          privateKeySealed: r.private_key_sealed,
          publicJwk: json(r.public_jwk),
          status: r.status === 'current' ? 'current' : 'previous',
          createdAt: r.created_at,
        }),
      );
    },
    async insert(tenantId, k) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: k.kid,
          tenant_id: tenantId,
          alg: k.alg,
          private_key_sealed: k.privateKeySealed,
          public_jwk: text(k.publicJwk),
          status: k.status,
          created_at: k.createdAt,
        })
        .execute();
    },
    async updateSealed(tenantId, kid, sealed) {
      await db.updateTable('signing_keys').set({ private_key_sealed: sealed }).where('tenant_id', '=', tenantId).where('kid', '=', kid).execute();
    },
  };
}
