import { useState, type FormEvent } from 'react';
import { mgmt } from '../api.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';
import { logQuery, NO_FILTERS, type LogFilters } from './logQuery.js';

export interface LogEntry {
  log_id: string;
  date: string;
  type: string;
  description: string;
  user_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** The phone log types (docs/api.md, "Log event types"), offered as suggestions; any type can be typed. */
export const PHONE_LOG_TYPES = [
  'gd_send_sms',
  'gd_send_sms_failure',
  'gd_send_voice',
  'gd_send_voice_failure',
  'phone_send_retry',
  'phone_delivered',
  'phone_undelivered',
  'phone_test_number',
  'phone_send_denied',
];
const PER_PAGE = 25;

/** `GET /logs` with Auth0's `q` (type, date range, user, and our phone_number:), newest first, 25 a page. */
export function LogsPanel({ tenant, onOpen }: { tenant: string; onOpen: (notificationId: string) => void }) {
  const [draft, setDraft] = useState<LogFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<LogFilters>(NO_FILTERS);
  const [page, setPage] = useState(0);
  const { data, error, loading, reload } = useLoad(() => {
    const q = logQuery(applied);
    return mgmt<{ total: number; logs: LogEntry[] }>(tenant, 'GET', `/logs?include_totals=true&per_page=${PER_PAGE}&page=${page}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  }, [tenant, applied, page]);
  const set = (k: keyof LogFilters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setPage(0);
    setApplied({ ...draft });
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;

  return (
    <section className="card" aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      <form className="filters" onSubmit={submit} aria-label="Log filters">
        <label className="field">
          <span>Type</span>
          <input list="log-types" value={draft.type} onChange={set('type')} placeholder="any" autoComplete="off" />
          <datalist id="log-types">
            {PHONE_LOG_TYPES.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>From (local time)</span>
          <input type="datetime-local" value={draft.from} onChange={set('from')} />
        </label>
        <label className="field">
          <span>To (local time)</span>
          <input type="datetime-local" value={draft.to} onChange={set('to')} />
        </label>
        <label className="field">
          <span>User ID</span>
          <input value={draft.user} onChange={set('user')} placeholder="auth0|…" autoComplete="off" />
        </label>
        <label className="field">
          <span>Phone number</span>
          <input type="tel" value={draft.number} onChange={set('number')} placeholder="+14155552671" autoComplete="off" />
        </label>
        <div className="row filters-actions">
          <button type="submit" className="btn btn-primary" disabled={loading}>
            {loading ? 'Searching…' : 'Apply filters'}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              setDraft(NO_FILTERS);
              setPage(0);
              setApplied(NO_FILTERS);
            }}
          >
            Clear
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => void reload()} disabled={loading}>
            Refresh
          </button>
        </div>
      </form>
      <p className="muted small">Logs keep phone numbers masked (+1415*****71): the number filter matches every number with the same masked form.</p>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && (
        <div aria-busy={loading}>
          <p className="muted" role="status" data-testid="logs-count">
            {data.total === 0 ? 'No log entries match.' : `${data.total} entr${data.total === 1 ? 'y' : 'ies'}, page ${page + 1} of ${pages}`}
          </p>
          {data.logs.length > 0 && (
            <div className="table-wrap">
              <table className="table logs" data-testid="logs">
                <thead>
                  <tr>
                    <th scope="col">Date (UTC)</th>
                    <th scope="col">Type</th>
                    <th scope="col">Description</th>
                    <th scope="col">User</th>
                    <th scope="col">Number</th>
                    <th scope="col">
                      <span className="visually-hidden">Notification</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.logs.map((l) => {
                    const ntf = typeof l.details['notification_id'] === 'string' ? (l.details['notification_id'] as string) : undefined;
                    return (
                      <tr key={l.log_id}>
                        <td className="nowrap">{l.date.replace('T', ' ').slice(0, 19)}</td>
                        <td>
                          <code>{l.type}</code>
                        </td>
                        <td className="wrap">{l.description}</td>
                        <td className="wrap">{l.user_id ?? '—'}</td>
                        <td className="nowrap">{typeof l.details['to'] === 'string' ? (l.details['to'] as string) : '—'}</td>
                        <td>
                          {ntf && (
                            <button type="button" className="btn btn-secondary btn-small" onClick={() => onOpen(ntf)} aria-label={`Timeline of ${ntf}`}>
                              Timeline
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {pages > 1 && (
            <nav className="row" aria-label="Log pages">
              <button type="button" className="btn btn-secondary" disabled={page === 0 || loading} onClick={() => setPage(page - 1)}>
                Previous page
              </button>
              <button type="button" className="btn btn-secondary" disabled={page + 1 >= pages || loading} onClick={() => setPage(page + 1)}>
                Next page
              </button>
            </nav>
          )}
        </div>
      )}
    </section>
  );
}
