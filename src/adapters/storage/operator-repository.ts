import { sql, type Kysely, type Selectable } from 'kysely';
import type { OperatorRecord, OperatorRepository, SessionRecord, SessionRepository, SignInAttemptRepository } from '../../domain/operators/ports.js';
import { isOperatorRole } from '../../domain/operators/scopes.js';

/** Table shapes of migration 0009 (dashboard operators). */
export type OperatorTables = {
  operators: {
    id: string;
    email: string;
    password_hash: string;
    role: string;
    tenants: string;
    created_at: string;
    updated_at: string;
  };
  operator_sessions: {
    id_hash: string;
    operator_id: string;
    created_at: string;
    last_seen_at: string;
    expires_at: string;
  };
  operator_sign_in_attempts: {
    key: string;
    count: number;
    window_ends_at: string;
  };
};

const toOperator = (r: Selectable<OperatorTables['operators']>): OperatorRecord => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  role: isOperatorRole(r.role) ? r.role : 'viewer',
  tenants: r.tenants === '*' ? '*' : (JSON.parse(r.tenants) as string[]),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toSession = (r: Selectable<OperatorTables['operator_sessions']>): SessionRecord => ({
  idHash: r.id_hash,
  operatorId: r.operator_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
});

export interface OperatorStorage {
  operators: OperatorRepository;
  sessions: SessionRepository;
  attempts: SignInAttemptRepository;
}

/** The dashboard's tables over any Kysely database that has them (SQLite and PostgreSQL alike). */
export function operatorStorage<DB>(base: Kysely<DB>): OperatorStorage {
  const db = base.withTables<OperatorTables>() as unknown as Kysely<OperatorTables>;
  return {
    operators: {
      async insert(op) {
        await db
          .insertInto('operators')
          .values({
            id: op.id,
            email: op.email,
            password_hash: op.passwordHash,
            role: op.role,
            tenants: op.tenants === '*' ? '*' : JSON.stringify(op.tenants),
            created_at: op.createdAt,
            updated_at: op.updatedAt,
          })
          .execute();
      },
      async findByEmail(email) {
        const r = await db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst();
        return r ? toOperator(r) : undefined;
      },
      async findById(id) {
        const r = await db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
        return r ? toOperator(r) : undefined;
      },
      async count() {
        const r = await db.selectFrom('operators').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return Number(r.n);
      },
      async list() {
        return (await db.selectFrom('operators').selectAll().orderBy('email').execute()).map(toOperator);
      },
    },
    sessions: {
      async insert(s) {
        await db
          .insertInto('operator_sessions')
          .values({ id_hash: s.idHash, operator_id: s.operatorId, created_at: s.createdAt, last_seen_at: s.lastSeenAt, expires_at: s.expiresAt })
          .execute();
      },
      async get(idHash) {
        const r = await db.selectFrom('operator_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
        return r ? toSession(r) : undefined;
      },
      async touch(idHash, lastSeenAt) {
        await db.updateTable('operator_sessions').set({ last_seen_at: lastSeenAt }).where('id_hash', '=', idHash).execute();
      },
      async delete(idHash) {
        await db.deleteFrom('operator_sessions').where('id_hash', '=', idHash).execute();
      },
      async deleteEnded(now, idleBefore) {
        const r = await db
          .deleteFrom('operator_sessions')
          .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
          .executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },
    attempts: {
      async count(key) {
        const r = await db.selectFrom('operator_sign_in_attempts').select('count').where('key', '=', key).executeTakeFirst();
        return r ? Number(r.count) : 0;
      },
      async increment(key, windowEndsAt) {
        // One upsert: concurrent failures each count once.
        const r = await db
          .insertInto('operator_sign_in_attempts')
          .values({ key, count: 1, window_ends_at: windowEndsAt })
          .onConflict((oc) => oc.column('key').doUpdateSet({ count: sql<number>`operator_sign_in_attempts.count + 1` }))
          .returning('count')
          .executeTakeFirstOrThrow();
        return Number(r.count);
      },
      async decrement(key) {
        await db
          .updateTable('operator_sign_in_attempts')
          .set({ count: sql<number>`operator_sign_in_attempts.count - 1` })
          .where('key', '=', key)
          .where('count', '>', 0)
          .execute();
      },
      async purge(now) {
        await db.deleteFrom('operator_sign_in_attempts').where('window_ends_at', '<', now).execute();
      },
    },
  };
}
