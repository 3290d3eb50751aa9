import { mgmt } from '../api.js';
import type { LogEntry } from '../activity/Logs.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';

const str = (v: unknown) => (typeof v === 'string' && v ? v : '—');

/** The send policy's recent refusals: `phone_send_denied` log lines, newest first, with their reasons. */
export function RecentDecisions({ tenant, version }: { tenant: string; version: number }) {
  const { data, error, loading, reload } = useLoad(() => mgmt<LogEntry[]>(tenant, 'GET', `/logs?per_page=20&q=${encodeURIComponent('type:phone_send_denied')}`), [tenant, version]);
  return (
    <section className="card" aria-labelledby="decisions-title" aria-busy={loading}>
      <div className="row spread">
        <h2 id="decisions-title">Recent refusals</h2>
        <button type="button" className="btn btn-secondary" onClick={() => void reload()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data &&
        (data.length === 0 ? (
          <p className="muted">No send refused lately.</p>
        ) : (
          <div className="table-wrap" role="region" aria-label="Refusals, newest first" tabIndex={0}>
            <table className="table decisions" data-testid="decisions">
              <thead>
                <tr>
                  <th scope="col">Date (UTC)</th>
                  <th scope="col">Flow</th>
                  <th scope="col">Number</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Guard</th>
                </tr>
              </thead>
              <tbody>
                {data.map((l) => (
                  <tr key={l.log_id}>
                    <td className="nowrap">{l.date.replace('T', ' ').slice(0, 19)}</td>
                    <td>{str(l.details['flow'])}</td>
                    <td className="nowrap">
                      {str(l.details['to'])}
                      <div className="muted small">
                        {str(l.details['country'])} · {str(l.details['number_type']).toLowerCase()} · {str(l.details['delivery_method'])}
                      </div>
                    </td>
                    <td className="reason">
                      <code>{str(l.details['reason'])}</code>
                      <div className="muted small wrap">{l.description}</div>
                    </td>
                    <td>{str(l.details['guard'])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
