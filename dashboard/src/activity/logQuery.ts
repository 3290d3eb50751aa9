/** The log filters of the Activity page, as Auth0's `q` (clauses joined by AND). */
export interface LogFilters {
  type: string;
  /** `datetime-local` values (the browser's time zone), or ''. */
  from: string;
  to: string;
  user: string;
  number: string;
}

export const NO_FILTERS: LogFilters = { type: '', from: '', to: '', user: '', number: '' };

const quoted = (v: string) => (/[\s"]/.test(v) ? `"${v.replace(/"/g, '')}"` : v);
const iso = (local: string) => new Date(local).toISOString();

export function logQuery(f: LogFilters): string {
  const clauses: string[] = [];
  const types = f.type.split(/[\s,]+/).filter(Boolean);
  if (types.length === 1) clauses.push(`type:${types[0]}`);
  if (types.length > 1) clauses.push(`type:(${types.join(' OR ')})`);
  if (f.from || f.to) clauses.push(`date:[${f.from ? iso(f.from) : '*'} TO ${f.to ? iso(f.to) : '*'}]`);
  if (f.user.trim()) clauses.push(`user_id:${quoted(f.user.trim())}`);
  if (f.number.trim()) clauses.push(`phone_number:${f.number.replace(/[\s()-]/g, '')}`);
  return clauses.join(' AND ');
}
