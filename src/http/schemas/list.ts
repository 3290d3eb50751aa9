import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { AppError } from '../../domain/errors.js';
import { DEFAULT_PER_PAGE, PageQuery } from './common.js';

/**
 * Auth0's list query parameters and answer shapes, shared by every Management API list. A route
 * spreads the parameter groups its Auth0 endpoint documents into its strict querystring schema, lists
 * its records with `listPage`, then answers `listBody` (fields projected with `project`).
 *
 * - Offset paging: `page` (from 0), `per_page` (1..100, 50 when absent), `include_totals`: an array,
 *   or `{start, limit, length, total, <key>}` with totals.
 * - Checkpoint paging, where Auth0 has it: `take` (1..100, 50 when absent) and `from` (the `next` of
 *   the previous answer): `{<key>, next?}`; `next` is absent on the last page. Either parameter
 *   selects it, whatever `page`/`include_totals` say (the official SDK sends `include_totals` with `take`).
 * - `fields` / `include_fields`: the named properties only, or all but them; unknown names are ignored.
 */

export const OffsetParams = { ...PageQuery, include_totals: Type.Optional(Type.Boolean()) };
export const CheckpointParams = {
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' })),
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};
export const FieldParams = {
  fields: Type.Optional(Type.String({ maxLength: 2000, pattern: '^[A-Za-z0-9_.]*(,[A-Za-z0-9_.]*)*$' })),
  include_fields: Type.Optional(Type.Boolean()),
};

export interface ListParams {
  page?: number | undefined;
  per_page?: number | undefined;
  include_totals?: boolean | undefined;
  from?: string | undefined;
  take?: number | undefined;
  fields?: string | undefined;
  include_fields?: boolean | undefined;
}

export type ListPage<R> =
  | { kind: 'array'; items: R[] }
  | { kind: 'offset'; items: R[]; start: number; limit: number; total: number }
  | { kind: 'checkpoint'; items: R[]; next?: string };

/** A cursor is the order key of the last item sent, marked so that one this server did not write is told apart. */
const CURSOR_MARK = 'ck1|';
const encodeCursor = (key: string) => Buffer.from(CURSOR_MARK + key, 'utf8').toString('base64url');
function decodeCursor(from: string): string {
  const text = Buffer.from(from, 'base64url').toString('utf8');
  // A cursor this server did not write: refused, as a malformed one is by Auth0.
  if (!text.startsWith(CURSOR_MARK) || text.length === CURSOR_MARK.length || encodeCursor(text.slice(CURSOR_MARK.length)) !== from) {
    throw new AppError('invalid_query_string', 'Query validation error: invalid from parameter');
  }
  return text.slice(CURSOR_MARK.length);
}

/**
 * One page of `all` as `q` asks, in the order of `orderKey` (unique per record: e.g. creation time
 * and id). Checkpoint cursors are that key, so a page boundary survives inserts and deletes.
 */
export function listPage<R>(all: readonly R[], q: ListParams, orderKey: (r: R) => string): ListPage<R> {
  const keyed = all.map((r) => ({ r, k: orderKey(r) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  if (q.from !== undefined || q.take !== undefined) {
    const take = q.take ?? DEFAULT_PER_PAGE;
    const after = q.from !== undefined ? decodeCursor(q.from) : undefined;
    const rest = after === undefined ? keyed : keyed.filter((x) => x.k > after);
    const items = rest.slice(0, take);
    const last = items[items.length - 1];
    return { kind: 'checkpoint', items: items.map((x) => x.r), ...(rest.length > take && last ? { next: encodeCursor(last.k) } : {}) };
  }
  return offsetPage(
    keyed.map((x) => x.r),
    q,
  );
}

/** Offset paging of records already in order (also for lists with no checkpoint paging). */
export function offsetPage<R>(all: readonly R[], q: ListParams): ListPage<R> {
  const page = q.page ?? 0;
  const perPage = q.per_page ?? DEFAULT_PER_PAGE;
  const items = all.slice(page * perPage, (page + 1) * perPage);
  return q.include_totals ? { kind: 'offset', items, start: page * perPage, limit: perPage, total: all.length } : { kind: 'array', items };
}

/** The answer of a list: the page's views, projected by `fields`/`include_fields`, in Auth0's shape under `key`. */
export function listBody<V extends object>(key: string, p: ListPage<unknown>, views: V[], q: ListParams): unknown {
  const items = views.map((v) => project(v, q));
  switch (p.kind) {
    case 'array':
      return items;
    case 'offset':
      return { start: p.start, limit: p.limit, length: items.length, total: p.total, [key]: items };
    case 'checkpoint':
      return { [key]: items, ...(p.next !== undefined ? { next: p.next } : {}) };
  }
}

/** Auth0's `fields` / `include_fields` projection of one object (top-level properties). */
export function project<V extends object>(v: V, q: Pick<ListParams, 'fields' | 'include_fields'>): Partial<V> {
  if (q.fields === undefined) return v;
  const named = new Set(q.fields.split(',').map((f) => f.trim()).filter(Boolean));
  if (named.size === 0) return v;
  const include = q.include_fields ?? true;
  return Object.fromEntries(Object.entries(v).filter(([k]) => named.has(k) === include)) as Partial<V>;
}

/**
 * The 200 response schema of a list: the array, the offset body and, with `checkpoint`, the
 * checkpoint body. Items are partial, since `fields` may leave any property out.
 */
export function listResponse<T extends TObject>(key: string, item: T, opts: { checkpoint?: boolean } = {}): TSchema {
  const one = Type.Partial(item);
  const shapes: TSchema[] = [
    Type.Array(one),
    Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), [key]: Type.Array(one) }),
  ];
  if (opts.checkpoint) shapes.push(Type.Object({ [key]: Type.Array(one), next: Type.Optional(Type.String()) }));
  return Type.Union(shapes);
}

/** A querystring schema from parameter groups and an endpoint's filters, strict as Auth0's. */
export const listQuery = <P extends TProperties>(props: P) => Type.Object(props, { additionalProperties: false });
