import { AppError } from '../errors.js';
import type { LogFilter } from './ports.js';

const DATE = String.raw`(\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?|\*)`;
const CLAUSES: Array<[RegExp, (m: RegExpExecArray, f: LogFilter) => void]> = [
  [/^type:\(([a-z_]+(?:\s+OR\s+[a-z_]+)*)\)$/i, (m, f) => (f.types = m[1]!.split(/\s+OR\s+/i))],
  [/^type:"?([a-z_]+)"?$/i, (m, f) => (f.types = [m[1]!])],
  [
    new RegExp(String.raw`^date:\[${DATE}\s+TO\s+${DATE}\]$`, 'i'),
    (m, f) => {
      if (m[1] !== '*') f.from = new Date(m[1]!).toISOString();
      if (m[2] !== '*') f.to = /T/.test(m[2]!) ? new Date(m[2]!).toISOString() : `${m[2]}T23:59:59.999Z`;
    },
  ],
  [/^user_id:"?([^"\s]+)"?$/, (m, f) => (f.userId = m[1]!)],
  [/^client_id:"?([^"\s]+)"?$/, (m, f) => (f.clientId = m[1]!)],
];

/**
 * The subset of Auth0's log search syntax this server understands: clauses joined by AND, each one
 * of `type:X`, `type:(A OR B)`, `date:[FROM TO TO]` (ISO dates or `*`), `user_id:X`, `client_id:X`.
 * Anything else is refused with 400 rather than silently ignored.
 */
export function parseLogQuery(q: string | undefined): LogFilter {
  const f: LogFilter = {};
  if (!q?.trim()) return f;
  for (const clause of q.trim().split(/\s+AND\s+/i)) {
    const c = clause.trim();
    const rule = CLAUSES.find(([re]) => re.test(c));
    if (!rule) throw new AppError('invalid_query_string', `Query validation error: unsupported log search clause ${JSON.stringify(c)}; supported: type:X, type:(A OR B), date:[FROM TO TO], user_id:X, client_id:X joined by AND`);
    rule[1](rule[0].exec(c)!, f);
  }
  if ((f.from && Number.isNaN(Date.parse(f.from))) || (f.to && Number.isNaN(Date.parse(f.to)))) {
    throw new AppError('invalid_query_string', 'Query validation error: invalid date in date:[FROM TO TO]');
  }
  return f;
}
