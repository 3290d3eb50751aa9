import type { Kysely } from 'kysely';
import type { ServerSecretRepository } from '../../domain/ports.js';
import type { Database } from './schema.js';

/** Server-wide sealed values, kept in `unifone_meta` under `secret:<name>`. */
const keyOf = (name: string) => `secret:${name}`;

export function serverSecretRepository(db: Kysely<Database>): ServerSecretRepository {
  return {
    async get(name) {
      const r = await db.selectFrom('unifone_meta').select('value').where('key', '=', keyOf(name)).executeTakeFirst();
      return r?.value;
    },
    async insertIfAbsent(name, sealed) {
      await db
        .insertInto('unifone_meta')
        .values({ key: keyOf(name), value: sealed })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
    async listSealed() {
      const rows = await db.selectFrom('unifone_meta').select(['key', 'value']).where('key', 'like', 'secret:%').orderBy('key').execute();
      return rows.map((r) => ({ name: r.key.slice('secret:'.length), sealed: r.value }));
    },
    async updateSealed(name, from, to) {
      const r = await db.updateTable('unifone_meta').set({ value: to }).where('key', '=', keyOf(name)).where('value', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
