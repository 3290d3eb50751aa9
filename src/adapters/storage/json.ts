/** Column codecs shared by the repositories: booleans as 0/1 and JSON as text on every dialect. */
export const bool = (v: number | boolean): boolean => v === 1 || v === true;
export const int = (v: boolean): number => (v ? 1 : 0);
export const json = <T>(v: string): T => JSON.parse(v) as T;
export const text = (v: unknown): string => JSON.stringify(v);

/** A foreign key that points at a row another transaction deleted meanwhile. */
export function isForeignKeyViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return err?.code === '23503' || err?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** True when `e` is a unique-constraint violation on SQLite or PostgreSQL. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
