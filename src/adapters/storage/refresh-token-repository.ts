import type { Kysely } from 'kysely';
import type { RefreshTokenRepository } from '../../domain/auth/mfa-ports.js';
import type { Database } from './schema.js';

/** Opaque refresh tokens, stored only as keyed hashes (`refresh_tokens`). */
export function refreshTokenRepository(db: Kysely<Database>): RefreshTokenRepository {
  return {
    async insert(tenantId, t) {
      await db
        .insertInto('refresh_tokens')
        .values({
          token_hash: t.tokenHash,
          tenant_id: tenantId,
          user_id: t.userId,
          client_id: t.clientId,
          scope: t.scope,
          audience: t.audience,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          revoked_at: t.revokedAt,
        })
        .execute();
    },
    async get(tenantId, tokenHash) {
      const r = await db.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
      if (!r) return undefined;
      return {
        tokenHash: r.token_hash,
        userId: r.user_id,
        clientId: r.client_id,
        scope: r.scope,
        audience: r.audience,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
      };
    },
    async revokeForUser(tenantId, userId, now) {
      const r = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
