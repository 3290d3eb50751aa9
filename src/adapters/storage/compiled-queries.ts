import type { CompiledQuery, Kysely, QueryResult, RootOperationNode } from 'kysely';
import type { Database } from './schema.js';

/** A SQLite handle's prepared statements, as better-sqlite3 gives them (`db.ts` keeps them cached). */
export interface StatementSource {
  prepare(sql: string): { reader: boolean; all(params: readonly unknown[]): unknown[]; run(params: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint } };
}

/** The embedded database's statements, by its dialect adapter (shared by the handle and its transactions). */
const direct = new WeakMap<object, StatementSource>();

/**
 * Lets the queries of this file run on `statements` without Kysely's executor inside a transaction of
 * `db` (the embedded database: `db.ts`). There a transaction holds the one connection from its begin
 * to its commit, so a statement run at once, synchronously, runs where Kysely's executor would have
 * run it, as better-sqlite3 would run it for Kysely; what it saves is the executor's layers of
 * promises around each statement, on the group commit's every write. Outside a transaction the
 * executor stays: it waits for the connection while another transaction holds it.
 */
export function runInTransactionsDirectly(db: Kysely<Database>, statements: StatementSource): void {
  direct.set(db.getExecutor().adapter as object, statements);
}

/** Runs compiled SQL: directly inside a transaction of the embedded database, else through Kysely. */
function execute<R>(db: Kysely<Database>, c: { sql: string; query: unknown }, parameters: unknown[], shape?: string): Promise<QueryResult<R>> | QueryResult<R> {
  const statements = db.isTransaction ? direct.get(db.getExecutor().adapter as object) : undefined;
  if (!statements) return db.executeQuery<R>({ sql: c.sql, parameters, query: c.query as RootOperationNode, ...(shape ? { queryId: { queryId: shape } } : {}) } as CompiledQuery<R>);
  // What Kysely's SQLite connection answers for the same statement.
  const stmt = statements.prepare(c.sql);
  if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
}

type Table = keyof Database;
const compiled = new WeakMap<object, Map<string, { sql: string; query: unknown }>>();

/** Per database dialect (the adapter object), compiled SQL by shape. */
function shapesOf(db: Kysely<Database>): Map<string, { sql: string; query: unknown }> {
  const adapterKey = db.getExecutor().adapter as object;
  let byShape = compiled.get(adapterKey);
  if (!byShape) compiled.set(adapterKey, (byShape = new Map()));
  return byShape;
}

/**
 * Inserts one row, building the SQL with Kysely only the first time a (table, columns) shape is seen
 * on this database handle's dialect; later rows reuse that SQL with their own parameters. Building a
 * 28-column insert through the query builder costs more than SQLite takes to run it.
 * `row` must always list its columns in the same order (rows come from one mapping function).
 */
export async function fastInsert<T extends Table>(db: Kysely<Database>, table: T, row: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(row);
  // The table's last shape, when the row has its columns (property names are interned: a comparison
  // each), saves joining and hashing a string of every column name (a notification has 28) per row.
  const adapter = db.getExecutor().adapter as object;
  const last = lastShapes.get(adapter)?.get(table);
  let c = last && sameKeys(last.keys, keys) ? last.compiled : undefined;
  if (!c) {
    const byShape = shapesOf(db);
    const shape = `${table}:${keys.join(',')}`;
    c = byShape.get(shape);
    if (!c) {
      const q = db.insertInto(table).values(row as never).compile();
      c = { sql: q.sql, query: q.query };
      byShape.set(shape, c);
    }
    let tables = lastShapes.get(adapter);
    if (!tables) lastShapes.set(adapter, (tables = new Map()));
    tables.set(table, { keys, compiled: c });
  }
  await execute(db, c, keys.map((k) => row[k]));
}

/** Per dialect and table, the columns of the last row inserted and their compiled SQL. */
const lastShapes = new WeakMap<object, Map<string, { keys: string[]; compiled: { sql: string; query: unknown } }>>();

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const SENTINEL = '\u0000param:';

/**
 * A query of the hot paths, built with Kysely once per dialect and then run with new values: `build`
 * receives placeholders (one per name of `values`) where the values go; the SQL it compiles to is
 * kept, and each run only fills in the parameters. Anything `build` writes literally stays as it is.
 * `shape` names the query (with whatever changes its SQL, such as a column chosen at run time).
 */
export async function preparedQuery<V extends Record<string, unknown>, R>(
  db: Kysely<Database>,
  shape: string,
  values: V,
  build: (db: Kysely<Database>, p: V) => { compile(): CompiledQuery<R> },
): Promise<QueryResult<R>> {
  const byShape = shapesOf(db);
  let c = byShape.get(shape) as { sql: string; query: unknown; slots: Array<{ name: string } | { value: unknown }> } | undefined;
  if (!c) {
    // Typed as the values (so Kysely checks them against the columns), but each is a placeholder string.
    const placeholders = new Proxy({}, { get: (_t, name) => `${SENTINEL}${String(name)}` }) as V;
    const q = build(db, placeholders).compile();
    const slots = q.parameters.map((v) => (typeof v === 'string' && v.startsWith(SENTINEL) ? { name: v.slice(SENTINEL.length) } : { value: v }));
    c = { sql: q.sql, query: q.query, slots };
    byShape.set(shape, c);
  }
  const parameters = c.slots.map((s) => {
    if (!('name' in s)) return s.value;
    if (!(s.name in values)) throw new Error(`preparedQuery ${shape}: no value for ${s.name}`);
    return values[s.name];
  });
  return execute<R>(db, c, parameters, shape);
}
