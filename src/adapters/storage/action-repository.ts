import type { Kysely, Selectable } from 'kysely';
import type {
  ActionBindingRecord,
  ActionCacheRepository,
  ActionRecord,
  ActionRepository,
  ActionVersionRecord,
  ExecutionRecord,
  WriteOutcome,
} from '../../domain/actions/ports.js';
import type { ActionsTable, ActionVersionsTable } from './action-tables.js';
import { forUpdate, lockKey } from './features.js';
import { bool, int, isForeignKeyViolation, isUniqueViolation, json, text } from './json.js';
import type { Database } from './schema.js';

/** Runs `fn` in a transaction of its own, or in the caller's when `db` is one already (a unit of work spanning repositories). */
const inTransaction = <T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

const action = (r: Selectable<ActionsTable>): ActionRecord => ({
  id: r.id,
  name: r.name,
  supportedTriggers: json(r.supported_triggers),
  code: r.code,
  dependencies: json(r.dependencies),
  runtime: r.runtime,
  secrets: json(r.secrets),
  secretsSealed: r.secrets_sealed,
  exclusiveTrigger: r.exclusive_trigger,
  allChangesDeployed: bool(r.all_changes_deployed),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const actionRow = (tenantId: string, a: ActionRecord): ActionsTable => ({
  id: a.id,
  tenant_id: tenantId,
  name: a.name,
  supported_triggers: text(a.supportedTriggers),
  code: a.code,
  dependencies: text(a.dependencies),
  runtime: a.runtime,
  secrets: text(a.secrets),
  secrets_sealed: a.secretsSealed,
  exclusive_trigger: a.exclusiveTrigger,
  all_changes_deployed: int(a.allChangesDeployed),
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

const version = (r: Selectable<ActionVersionsTable>): ActionVersionRecord => ({
  id: r.id,
  actionId: r.action_id,
  number: Number(r.number),
  code: r.code,
  dependencies: json(r.dependencies),
  runtime: r.runtime,
  supportedTriggers: json(r.supported_triggers),
  secrets: json(r.secrets),
  secretsSealed: r.secrets_sealed,
  deployed: bool(r.deployed),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const binding = (r: Selectable<Database['action_bindings']>): ActionBindingRecord => ({
  id: r.id,
  triggerId: r.trigger_id,
  actionId: r.action_id,
  displayName: r.display_name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Versions kept per action (the deployed one always among them). */
export const MAX_VERSIONS_KEPT = 50;

/** The action's row, locked for the transaction where the dialect has row locks; false when it is gone. */
async function lockedAction(trx: Kysely<Database>, tenantId: string, id: string): Promise<boolean> {
  const q = trx.selectFrom('actions').select('id').where('tenant_id', '=', tenantId).where('id', '=', id);
  return (await forUpdate(trx, q).executeTakeFirst()) !== undefined;
}

export function actionRepository(db: Kysely<Database>): ActionRepository {
  /** Which unique constraint a failed write hit: the name, else the exclusive trigger. */
  const conflict = async (tenantId: string, a: ActionRecord): Promise<WriteOutcome> => {
    const same = await db.selectFrom('actions').select('id').where('tenant_id', '=', tenantId).where('name', '=', a.name).where('id', '!=', a.id).executeTakeFirst();
    return same ? 'name_conflict' : 'trigger_conflict';
  };
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('actions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? action(r) : undefined;
  };
  const listBindings = async (tenantId: string, triggerId: string) =>
    (await db.selectFrom('action_bindings').selectAll().where('tenant_id', '=', tenantId).where('trigger_id', '=', triggerId).orderBy('position').execute()).map(binding);

  return {
    async insert(tenantId, a) {
      try {
        await db.insertInto('actions').values(actionRow(tenantId, a)).execute();
        return 'ok';
      } catch (e) {
        if (isUniqueViolation(e)) return conflict(tenantId, a);
        throw e;
      }
    },
    get,
    async findByName(tenantId, name) {
      const r = await db.selectFrom('actions').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      return r ? action(r) : undefined;
    },
    async list(tenantId, filter, { page, perPage }) {
      let q = db.selectFrom('actions').where('actions.tenant_id', '=', tenantId);
      if (filter.actionName !== undefined) q = q.where('actions.name', '=', filter.actionName);
      // Triggers are a small JSON array; a LIKE on the quoted id is exact because ids are quoted in it.
      if (filter.triggerId !== undefined) q = q.where('actions.supported_triggers', 'like', `%"id":${JSON.stringify(filter.triggerId)}%`);
      if (filter.deployed !== undefined) {
        const wanted = filter.deployed;
        q = q.where((eb) => {
          const has = eb.exists(
            eb.selectFrom('action_versions').select('action_versions.id').whereRef('action_versions.action_id', '=', 'actions.id').where('action_versions.deployed', '=', 1),
          );
          return wanted ? has : eb.not(has);
        });
      }
      const [rows, count] = await Promise.all([
        q.selectAll('actions').orderBy('actions.created_at').orderBy('actions.id').limit(perPage).offset(page * perPage).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(action), total: Number(count.n) };
    },
    async replace(tenantId, a) {
      const { id: _id, tenant_id: _t, created_at: _c, ...rest } = actionRow(tenantId, a);
      try {
        const r = await db.updateTable('actions').set(rest).where('tenant_id', '=', tenantId).where('id', '=', a.id).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0 ? 'ok' : 'not_found';
      } catch (e) {
        if (isUniqueViolation(e)) return conflict(tenantId, a);
        throw e;
      }
    },
    async delete(tenantId, id) {
      return inTransaction(db, async (trx) => {
        // Locked first (PostgreSQL), as a deploy locks it: a deploy and a delete never interleave.
        if (!(await lockedAction(trx, tenantId, id))) return false;
        await trx.deleteFrom('action_bindings').where('tenant_id', '=', tenantId).where('action_id', '=', id).execute();
        await trx.deleteFrom('action_versions').where('tenant_id', '=', tenantId).where('action_id', '=', id).execute();
        const r = await trx.deleteFrom('actions').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },

    async deploy(tenantId, v) {
      // The action's row is locked (PostgreSQL) before its versions are numbered, so concurrent deploys
      // of one action take turns and a delete cannot interleave; on SQLite the transaction holds the
      // one connection. The retry on the unique (action_id, number) is a second fence.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          return await inTransaction(db, async (trx) => {
            if (!(await lockedAction(trx, tenantId, v.actionId))) return undefined;
            const max = await trx.selectFrom('action_versions').select((eb) => eb.fn.max<number>('number').as('n')).where('action_id', '=', v.actionId).executeTakeFirst();
            const stored: ActionVersionRecord = { ...v, number: Number(max?.n ?? 0) + 1 };
            await trx.updateTable('action_versions').set({ deployed: 0, updated_at: v.updatedAt }).where('tenant_id', '=', tenantId).where('action_id', '=', v.actionId).where('deployed', '=', 1).execute();
            await trx
              .insertInto('action_versions')
              .values({
                id: stored.id,
                tenant_id: tenantId,
                action_id: stored.actionId,
                number: stored.number,
                code: stored.code,
                dependencies: text(stored.dependencies),
                runtime: stored.runtime,
                supported_triggers: text(stored.supportedTriggers),
                secrets: text(stored.secrets),
                secrets_sealed: stored.secretsSealed,
                deployed: 1,
                created_at: stored.createdAt,
                updated_at: stored.updatedAt,
              })
              .execute();
            await trx.updateTable('actions').set({ all_changes_deployed: 1 }).where('tenant_id', '=', tenantId).where('id', '=', v.actionId).execute();
            // Every deploy keeps a copy of the code (up to 100 kB): the oldest past the last MAX_VERSIONS_KEPT go.
            await trx
              .deleteFrom('action_versions')
              .where('tenant_id', '=', tenantId)
              .where('action_id', '=', v.actionId)
              .where('number', '<=', stored.number - MAX_VERSIONS_KEPT)
              .where('deployed', '=', 0)
              .execute();
            return stored;
          });
        } catch (e) {
          if (!isUniqueViolation(e) || attempt === 4) throw e;
        }
      }
      return undefined;
    },
    async listVersions(tenantId, actionId, { page, perPage }) {
      const q = db.selectFrom('action_versions').where('tenant_id', '=', tenantId).where('action_id', '=', actionId);
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('number', 'desc').limit(perPage).offset(page * perPage).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(version), total: Number(count.n) };
    },
    async getVersion(tenantId, actionId, versionId) {
      const r = await db.selectFrom('action_versions').selectAll().where('tenant_id', '=', tenantId).where('action_id', '=', actionId).where('id', '=', versionId).executeTakeFirst();
      return r ? version(r) : undefined;
    },
    async deployedVersion(tenantId, actionId) {
      const r = await db.selectFrom('action_versions').selectAll().where('tenant_id', '=', tenantId).where('action_id', '=', actionId).where('deployed', '=', 1).executeTakeFirst();
      return r ? version(r) : undefined;
    },

    listBindings,
    async replaceBindings(tenantId, triggerId, bindings) {
      await inTransaction(db, async (trx) => {
        // Concurrent replacements of one trigger's bindings take turns (READ COMMITTED would let both
        // delete, then both insert at the same positions).
        await lockKey(trx, `bindings:${tenantId}:${triggerId}`);
        await trx.deleteFrom('action_bindings').where('tenant_id', '=', tenantId).where('trigger_id', '=', triggerId).execute();
        if (bindings.length === 0) return;
        await trx
          .insertInto('action_bindings')
          .values(
            bindings.map((b, i) => ({
              id: b.id,
              tenant_id: tenantId,
              trigger_id: triggerId,
              action_id: b.actionId,
              position: i,
              display_name: b.displayName,
              created_at: b.createdAt,
              updated_at: b.updatedAt,
            })),
          )
          .execute();
      });
    },
    async bindIfUnbound(tenantId, b) {
      try {
        // Position 0 is unique per (tenant, trigger): a concurrent bind loses on the constraint.
        const existing = await listBindings(tenantId, b.triggerId);
        if (existing.length > 0) return false;
        await db
          .insertInto('action_bindings')
          .values({ id: b.id, tenant_id: tenantId, trigger_id: b.triggerId, action_id: b.actionId, position: 0, display_name: b.displayName, created_at: b.createdAt, updated_at: b.updatedAt })
          .execute();
        return true;
      } catch (e) {
        // Bound by a concurrent deploy, or the action deleted since it was deployed: nothing to bind.
        if (isUniqueViolation(e) || isForeignKeyViolation(e)) return false;
        throw e;
      }
    },
    async bindingsOfAction(tenantId, actionId) {
      return (await db.selectFrom('action_bindings').selectAll().where('tenant_id', '=', tenantId).where('action_id', '=', actionId).execute()).map(binding);
    },

    async insertExecution(tenantId, e) {
      await db
        .insertInto('action_executions')
        .values({ id: e.id, tenant_id: tenantId, trigger_id: e.triggerId, status: e.status, results: text(e.results), created_at: e.createdAt, updated_at: e.updatedAt })
        .execute();
    },
    async getExecution(tenantId, id) {
      const r = await db.selectFrom('action_executions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r
        ? ({ id: r.id, triggerId: r.trigger_id, status: r.status as ExecutionRecord['status'], results: json(r.results), createdAt: r.created_at, updatedAt: r.updated_at } satisfies ExecutionRecord)
        : undefined;
    },
    async purgeExecutions(before) {
      const r = await db.deleteFrom('action_executions').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async listSealed() {
      const [a, v] = await Promise.all([
        db.selectFrom('actions').select(['tenant_id', 'id', 'secrets_sealed']).where('secrets_sealed', 'is not', null).execute(),
        db.selectFrom('action_versions').select(['tenant_id', 'id', 'secrets_sealed']).where('secrets_sealed', 'is not', null).execute(),
      ]);
      return [
        ...a.map((r) => ({ tenantId: r.tenant_id, table: 'action' as const, id: r.id, sealed: r.secrets_sealed! })),
        ...v.map((r) => ({ tenantId: r.tenant_id, table: 'version' as const, id: r.id, sealed: r.secrets_sealed! })),
      ];
    },
    async updateSealed(tenantId, table, id, from, to) {
      const t = table === 'action' ? 'actions' : 'action_versions';
      const r = await db.updateTable(t).set({ secrets_sealed: to }).where('tenant_id', '=', tenantId).where('id', '=', id).where('secrets_sealed', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

/** ms since the epoch as fixed-width text, so that text order is numeric order on both dialects. */
const ms = (n: number) => String(Math.max(0, Math.floor(n))).padStart(15, '0');

export function actionCacheRepository(db: Kysely<Database>): ActionCacheRepository {
  return {
    async list(tenantId, triggerId, nowMs) {
      const rows = await db
        .selectFrom('action_cache')
        .select(['key', 'value', 'expires_at'])
        .where('tenant_id', '=', tenantId)
        .where('trigger_id', '=', triggerId)
        .where('expires_at', '>', ms(nowMs))
        .execute();
      return rows.map((r) => ({ key: r.key, value: r.value, expires_at: Number(r.expires_at) }));
    },
    async put(tenantId, triggerId, e) {
      await db
        .insertInto('action_cache')
        .values({ tenant_id: tenantId, trigger_id: triggerId, key: e.key, value: e.value, expires_at: ms(e.expires_at) })
        .onConflict((oc) => oc.columns(['tenant_id', 'trigger_id', 'key']).doUpdateSet({ value: e.value, expires_at: ms(e.expires_at) }))
        .execute();
    },
    async delete(tenantId, triggerId, key) {
      const r = await db.deleteFrom('action_cache').where('tenant_id', '=', tenantId).where('trigger_id', '=', triggerId).where('key', '=', key).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async purgeExpired(nowMs) {
      const r = await db.deleteFrom('action_cache').where('expires_at', '<=', ms(nowMs)).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
