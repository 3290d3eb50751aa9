import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Table = keyof Database;
const compiled = new WeakMap<object, Map<string, { sql: string; query: unknown }>>();

/**
 * Inserts one row, building the SQL with Kysely only the first time a (table, columns) shape is seen
 * on this database handle's dialect; later rows reuse that SQL with their own parameters. Building a
 * 28-column insert through the query builder costs more than SQLite takes to run it.
 * `row` must always list its columns in the same order (rows come from one mapping function).
 */
export async function fastInsert<T extends Table>(db: Kysely<Database>, table: T, row: Record<string, unknown>): Promise<void> {
  const adapterKey = db.getExecutor().adapter as object;
  let byShape = compiled.get(adapterKey);
  if (!byShape) compiled.set(adapterKey, (byShape = new Map()));
  const keys = Object.keys(row);
  const shape = `${table}:${keys.join(',')}`;
  let c = byShape.get(shape);
  if (!c) {
    const q = db.insertInto(table).values(row as never).compile();
    c = { sql: q.sql, query: q.query };
    byShape.set(shape, c);
  }
  await db.executeQuery({ sql: c.sql, parameters: keys.map((k) => row[k]), query: c.query } as never);
}
