import { AppError } from '../errors.js';
import { toE164 } from '../phone-number.js';
import { maskNumber } from './dispatcher.js';
import type { LogFilter } from './ports.js';

const DATE = String.raw`(\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?|\*)`;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?)?$/;

/**
 * An ISO date or UTC date-time as an instant (a date alone: its first or, for `to`, last
 * millisecond). A date that does not exist (2024-02-31, 2024-01-01T99:00) is a 400, not a rollover.
 */
function instant(text: string, endOfDay: boolean): string {
  const m = ISO.exec(text);
  const n = (i: number) => Number(m?.[i] ?? 0);
  const d = new Date(Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), Number((m?.[7] ?? '0').padEnd(3, '0'))));
  const exists = m !== null && d.getUTCFullYear() === n(1) && d.getUTCMonth() === n(2) - 1 && d.getUTCDate() === n(3) && d.getUTCHours() === n(4) && d.getUTCMinutes() === n(5) && d.getUTCSeconds() === n(6);
  if (!exists) throw new AppError('invalid_query_string', `Query validation error: invalid date ${JSON.stringify(text)} in date:[FROM TO TO]`);
  if (endOfDay && m[4] === undefined) d.setUTCHours(23, 59, 59, 999);
  return d.toISOString();
}
const CLAUSES: Array<[RegExp, (m: RegExpExecArray, f: LogFilter) => void]> = [
  [/^type:\(([a-z_]+(?:\s+OR\s+[a-z_]+)*)\)$/i, (m, f) => (f.types = m[1]!.split(/\s+OR\s+/i))],
  [/^type:"?([a-z_]+)"?$/i, (m, f) => (f.types = [m[1]!])],
  [
    new RegExp(String.raw`^date:\[${DATE}\s+TO\s+${DATE}\]$`, 'i'),
    (m, f) => {
      if (m[1] !== '*') f.from = instant(m[1]!, false);
      if (m[2] !== '*') f.to = instant(m[2]!, true);
    },
  ],
  [/^user_id:"?([^"\s]+)"?$/, (m, f) => (f.userId = m[1]!)],
  [/^client_id:"?([^"\s]+)"?$/, (m, f) => (f.clientId = m[1]!)],
  [
    /^phone_number:"?([^"\s]+)"?$/,
    (m, f) => {
      const e164 = toE164(m[1]!);
      if (!e164) throw new AppError('invalid_query_string', `Query validation error: invalid phone number ${JSON.stringify(m[1])} in phone_number:X`);
      f.maskedNumber = maskNumber(e164);
    },
  ],
];

/**
 * The subset of Auth0's log search syntax this server understands: clauses joined by AND, each one
 * of `type:X`, `type:(A OR B)`, `date:[FROM TO TO]` (ISO dates or `*`), `user_id:X`, `client_id:X`, and (our extension) `phone_number:X`.
 * Anything else is refused with 400 rather than silently ignored.
 */
export function parseLogQuery(q: string | undefined): LogFilter {
  const f: LogFilter = {};
  if (!q?.trim()) return f;
  for (const clause of q.trim().split(/\s+AND\s+/i)) {
    const c = clause.trim();
    const rule = CLAUSES.find(([re]) => re.test(c));
    if (!rule) throw new AppError('invalid_query_string', `Query validation error: unsupported log search clause ${JSON.stringify(c)}; supported: type:X, type:(A OR B), date:[FROM TO TO], user_id:X, client_id:X, phone_number:X joined by AND`);
    rule[1](rule[0].exec(c)!, f);
  }
  return f;
}
