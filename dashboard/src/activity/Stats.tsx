import { useState } from 'react';
import { mgmt } from '../api.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';
import { SendsChart, type HourRow } from './SendsChart.js';

export interface PhoneStats {
  from: string;
  to: string;
  hours: HourRow[];
  totals: { sends: number; queued: number; sending: number; sent: number; delivered: number; undelivered: number; failed: number };
  delivery_rate: number | null;
  top_errors: Array<{ error_code: string; count: number; last_error: string | null }>;
}

const WINDOWS = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 72, label: 'Last 3 days' },
  { hours: 168, label: 'Last 7 days' },
] as const;

export const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)} %`);

/** `GET /phone/stats`: the chart, the delivery rate and the top provider errors, aggregated by the server. */
export function StatsPanel({ tenant }: { tenant: string }) {
  const [hours, setHours] = useState<number>(24);
  const { data, error, loading, reload } = useLoad(() => {
    const to = new Date(Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - hours * 3_600_000);
    const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return mgmt<PhoneStats>(tenant, 'GET', `/phone/stats?from=${iso(from)}&to=${iso(to)}`);
  }, [tenant, hours]);

  return (
    <section className="card" aria-labelledby="stats-title" aria-busy={loading}>
      <div className="row spread">
        <h2 id="stats-title">Sends, deliveries and failures per hour</h2>
        <div className="row">
          <label className="inline-field">
            <span>Window</span>
            <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              {WINDOWS.map((w) => (
                <option key={w.hours} value={w.hours}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-secondary" onClick={() => void reload()} disabled={loading}>
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <dl className="figures">
            <div>
              <dt>Sends</dt>
              <dd data-testid="stat-sends">{data.totals.sends}</dd>
            </div>
            <div>
              <dt>Delivered</dt>
              <dd>{data.totals.delivered}</dd>
            </div>
            <div>
              <dt>Failed or undelivered</dt>
              <dd>{data.totals.failed + data.totals.undelivered}</dd>
            </div>
            <div>
              <dt>Delivery rate</dt>
              <dd data-testid="delivery-rate">{percent(data.delivery_rate)}</dd>
            </div>
          </dl>
          <p className="muted small">
            Hours in UTC, by creation time; text solid, voice dashed. The delivery rate counts the sends that have ended: delivered ÷ (delivered + undelivered + failed). Sends still waiting for a receipt ({data.totals.queued + data.totals.sending + data.totals.sent}) are not in it.
          </p>
          {data.hours.length === 0 ? <p className="muted">No sends in this window.</p> : <SendsChart from={data.from} to={data.to} rows={data.hours} />}
          {data.hours.length > 0 && (
            <details>
              <summary>The chart's numbers as a table</summary>
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">Sends, deliveries and failures per hour and delivery method</caption>
                  <thead>
                    <tr>
                      <th scope="col">Hour (UTC)</th>
                      <th scope="col">Method</th>
                      <th scope="col">Sends</th>
                      <th scope="col">Delivered</th>
                      <th scope="col">Failures</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.hours.map((h) => (
                      <tr key={`${h.hour}-${h.delivery_method}`}>
                        <td>{h.hour.slice(0, 13).replace('T', ' ')}:00</td>
                        <td>{h.delivery_method}</td>
                        <td>{h.sends}</td>
                        <td>{h.delivered}</td>
                        <td>{h.failures}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
          <h3>Top provider errors</h3>
          {data.top_errors.length === 0 ? (
            <p className="muted">No failures in this window.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="top-errors">
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    <th scope="col">Count</th>
                    <th scope="col">Latest message</th>
                  </tr>
                </thead>
                <tbody>
                  {data.top_errors.map((e) => (
                    <tr key={e.error_code}>
                      <td>
                        <code>{e.error_code}</code>
                      </td>
                      <td>{e.count}</td>
                      <td className="wrap">{e.last_error ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
