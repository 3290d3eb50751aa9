import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { runInTransactionsDirectly } from './compiled-queries.js';
import { migrationsFor } from './migrations/index.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The driver under Kysely, for the stores that take one directly (rate-limiter-flexible's
 * PostgreSQL and SQLite stores, `adapters/rate-limits/`): the same pool or handle, so the counters
 * live in the same database and schema as everything else.
 */
export type StorageHandle = { dialect: 'postgres'; pool: pg.Pool } | { dialect: 'sqlite'; database: SQLite.Database };

export interface Storage {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  readonly handle: StorageHandle;
  /** Where the data lives, for operators (a file path, or the database URL without its password). */
  readonly location: string;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** `postgres://...`; when absent the embedded SQLite file in `dataDir` is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL only: the schema to use (created if missing). Tests use one schema per run. */
  pgSchema?: string;
  /** SQLite only: the file name inside dataDir. */
  sqliteFile?: string;
}

// PostgreSQL `count(*)` and bigint come back as strings; the schema uses none, but make any int8 a number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export function openStorage(opts: StorageOptions): Storage {
  if (opts.databaseUrl) {
    const schema = opts.pgSchema;
    if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('invalid PostgreSQL schema name');
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // What is printed where it listens: no password, in the userinfo or in the query (?password=…).
    const safe = new URL(opts.databaseUrl);
    safe.password = '';
    safe.search = '';
    return {
      db,
      dialect: 'postgres',
      handle: { dialect: 'postgres', pool },
      location: safe.toString() + (schema ? ` (schema ${schema})` : ''),
      close: () => db.destroy(),
    };
  }
  const file = path.join(opts.dataDir, opts.sqliteFile ?? 'unifone.db');
  privateFiles(opts.dataDir, file);
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (SQLite's default is 2 MiB): the hot indexes of a busy server (codes,
  // users, the outbox) stay in memory instead of being re-read from the file and the WAL.
  database.pragma('cache_size = -65536');
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  runInTransactionsDirectly(db, statements);
  return { db, dialect: 'sqlite', handle: { dialect: 'sqlite', database }, location: file, close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; preparing costs about as much as running a small statement, so
 * the prepared statements are kept (keyed by SQL text, bounded, least recently used out). Safe
 * because better-sqlite3 runs a statement to completion synchronously (no streaming is used).
 */
function withStatementCache(database: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = database.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close: () => void database.close(),
  };
}

/** Creates the PostgreSQL schema named in the options, if any (tests). */
export async function ensurePgSchema(opts: StorageOptions): Promise<void> {
  if (!opts.databaseUrl || !opts.pgSchema) return;
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${opts.pgSchema}`);
  } finally {
    await client.end();
  }
}

/**
 * The PostgreSQL advisory lock (session-level, one for the whole database) under which migrations
 * run. Kysely's migrator locks only while it applies migrations; before that it looks for its own
 * tables by reading the catalog of every schema in the database, and that read fails ("schema … does
 * not exist") when another schema is dropped at the same moment. Under this lock, servers started at
 * once against one database migrate one after the other, from the first check to the last
 * migration; and whoever drops a schema of the database takes it too (`withMigrationLock`).
 */
const MIGRATION_LOCK = 'unifone:migrations';

/**
 * Runs `fn` holding the migration lock on `client` (a connection of its own: the lock belongs to the
 * session); released afterwards whatever happens, and by PostgreSQL if the connection is lost.
 */
export async function withMigrationLock<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
  try {
    return await fn();
  } finally {
    await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
  }
}

/** Applies every pending migration; returns the names applied. Throws on the first failure. */
export async function migrateToLatest(storage: Storage): Promise<string[]> {
  if (storage.handle.dialect === 'sqlite') return migrate(storage);
  // The lock is held on a connection of the pool set aside for it; the migrator uses others.
  const client = await storage.handle.pool.connect();
  let broken: Error | undefined;
  try {
    return await withMigrationLock(client, () => migrate(storage));
  } catch (e) {
    // After a failure the connection is closed, not reused: if the unlock failed it may still hold the lock.
    broken = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    client.release(broken);
  }
}

async function migrate(storage: Storage): Promise<string[]> {
  // Kysely looks for its migration tables in every schema unless told which one: with several
  // schemas in one database (one per test run, or per deployment) it must be this connection's own.
  const schema =
    storage.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(storage.db)).rows[0]?.s : undefined;
  const migrator = new Migrator({ db: storage.db, provider: migrationsFor(storage.dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The embedded database holds emails, phone numbers and password hashes: the data folder is the
 * owner's alone (0700) and the database file too (0600), created so before SQLite opens it. SQLite
 * gives its `-wal` and `-shm` files the database file's mode. Files of an older install are
 * tightened (never loosened) on every start.
 */
function privateFiles(dataDir: string, file: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir, 0o700);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f, 0o600);
}

function tighten(target: string, mode: number): void {
  try {
    const current = fs.statSync(target).mode & 0o777;
    if ((current & ~mode) !== 0) fs.chmodSync(target, current & mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
