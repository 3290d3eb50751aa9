import { sql, type Kysely, type Selectable } from 'kysely';
import type { UserPatch, UserRecord, UserRepository, UserSort } from '../../domain/auth/ports.js';
import { AppError } from '../../domain/errors.js';
import type { UsersTable } from './auth-tables.js';
import { bool, int, isUniqueViolation, json, text } from './json.js';
import type { Database } from './schema.js';
import { fastInsert, preparedQuery } from './compiled-queries.js';
import { forUpdate } from './features.js';
import { groupWrite } from './write-batcher.js';

function toRecord(r: Selectable<UsersTable>): UserRecord {
  return {
    userId: r.user_id,
    connection: r.connection,
    email: r.email,
    emailVerified: bool(r.email_verified),
    phoneNumber: r.phone_number,
    phoneVerified: bool(r.phone_verified),
    username: r.username,
    name: r.name,
    nickname: r.nickname,
    givenName: r.given_name,
    familyName: r.family_name,
    picture: r.picture,
    locale: r.locale,
    passwordHash: r.password_hash,
    appMetadata: json(r.app_metadata),
    userMetadata: json(r.user_metadata),
    blocked: bool(r.blocked),
    loginCount: Number(r.login_count),
    lastLogin: r.last_login,
    lastIp: r.last_ip,
    lastPasswordReset: r.last_password_reset,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(u: UserPatch): Partial<UsersTable> {
  const row: Partial<UsersTable> = {};
  const set = <K extends keyof UsersTable>(k: K, v: UsersTable[K] | undefined) => {
    if (v !== undefined) row[k] = v;
  };
  set('email', u.email);
  set('email_verified', u.emailVerified === undefined ? undefined : int(u.emailVerified));
  set('phone_number', u.phoneNumber);
  set('phone_verified', u.phoneVerified === undefined ? undefined : int(u.phoneVerified));
  set('username', u.username);
  set('name', u.name);
  set('nickname', u.nickname);
  set('given_name', u.givenName);
  set('family_name', u.familyName);
  set('picture', u.picture);
  set('locale', u.locale);
  set('password_hash', u.passwordHash);
  set('app_metadata', u.appMetadata === undefined ? undefined : text(u.appMetadata));
  set('user_metadata', u.userMetadata === undefined ? undefined : text(u.userMetadata));
  set('blocked', u.blocked === undefined ? undefined : int(u.blocked));
  set('login_count', u.loginCount);
  set('last_login', u.lastLogin);
  set('last_ip', u.lastIp);
  set('last_password_reset', u.lastPasswordReset);
  set('updated_at', u.updatedAt);
  return row;
}

/** An email, phone number or username taken by another user of the connection: 409 `user_exists`. */
function conflict(e: unknown): never {
  if (isUniqueViolation(e)) throw new AppError('user_exists');
  throw e;
}

/** Escapes LIKE wildcards so `q` matches literally (with `ESCAPE '\'`). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Auth0's sort fields and the columns they order by (`logins_count` is stored as `login_count`). */
const SORT_COLUMNS = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  last_login: 'last_login',
  logins_count: 'login_count',
  email: 'email',
  phone_number: 'phone_number',
  username: 'username',
  name: 'name',
  user_id: 'user_id',
} as const satisfies Record<UserSort['field'], keyof UsersTable>;

export function userRepository(db: Kysely<Database>): UserRepository {
  const get = async (tenantId: string, userId: string) => {
    const { rows } = await preparedQuery(db, 'users.get', { tenantId, userId }, (q, p) =>
      q.selectFrom('users').selectAll().where('tenant_id', '=', p.tenantId).where('user_id', '=', p.userId),
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  };
  return {
    async insert(tenantId, u) {
      const row: UsersTable = {
        ...(toRow(u) as UsersTable),
        user_id: u.userId,
        tenant_id: tenantId,
        connection: u.connection,
        created_at: u.createdAt,
      };
      await groupWrite(db, (trx) => fastInsert(trx, 'users', row as unknown as Record<string, unknown>)).catch(conflict);
    },
    get,
    async findByIdentifier(tenantId, connection, field, value) {
      const { rows } = await preparedQuery(db, `users.by:${field}`, { tenantId, connection, value }, (q, p) =>
        q.selectFrom('users').selectAll().where('tenant_id', '=', p.tenantId).where('connection', '=', p.connection).where(field, '=', p.value),
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(tenantId, filter, page) {
      let q = db.selectFrom('users').where('tenant_id', '=', tenantId);
      if (filter.connection !== undefined) q = q.where('connection', '=', filter.connection);
      if (filter.q) {
        // Portable case-insensitive substring match: lower() on both sides (ILIKE is PostgreSQL-only).
        const pattern = `%${likeLiteral(filter.q.toLowerCase())}%`;
        q = q.where(sql<boolean>`(lower(email) like ${pattern} escape '\\' or lower(phone_number) like ${pattern} escape '\\')`);
      }
      const [rows, count] = await Promise.all([
        q
          .selectAll()
          .orderBy(SORT_COLUMNS[filter.sort?.field ?? 'created_at'], filter.sort?.ascending ? 'asc' : 'desc')
          .orderBy('user_id', filter.sort?.ascending ? 'asc' : 'desc')
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toRecord), total: Number(count.n) };
    },
    async update(tenantId, userId, patch) {
      const row = toRow(patch);
      if (Object.keys(row).length > 0) {
        const columns = Object.keys(row) as Array<keyof UsersTable>;
        await groupWrite(db, (trx) =>
          preparedQuery(trx, `users.update:${columns.join(',')}`, { ...row, tenantId, userId }, (q, p) =>
            q
              .updateTable('users')
              .set(Object.fromEntries(columns.map((c) => [c, p[c as keyof typeof p]])))
              .where('tenant_id', '=', p.tenantId)
              .where('user_id', '=', p.userId),
          ),
        ).catch(conflict);
      }
      return get(tenantId, userId);
    },
    async updateWith(tenantId, userId, change) {
      // One transaction, the row locked (PostgreSQL; on SQLite the transaction holds the one
      // connection): concurrent read-merge-writes of one user apply one after the other.
      return db.transaction().execute(async (trx) => {
        const read = trx.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId);
        const row = await forUpdate(trx, read).executeTakeFirst();
        if (!row) return undefined;
        return userRepository(trx).update(tenantId, userId, change(toRecord(row)));
      });
    },
    async recordLogin(tenantId, userId, at, ip) {
      const r = await groupWrite(db, (trx) =>
        preparedQuery(trx, 'users.recordLogin', { at, ip, tenantId, userId }, (q, p) =>
          q
            .updateTable('users')
            .set((eb) => ({ login_count: eb('login_count', '+', 1), last_login: p.at, last_ip: p.ip, updated_at: p.at }))
            .where('tenant_id', '=', p.tenantId)
            .where('user_id', '=', p.userId),
        ),
      );
      return Number(r.numAffectedRows) === 1;
    },
    async delete(tenantId, userId) {
      const r = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
