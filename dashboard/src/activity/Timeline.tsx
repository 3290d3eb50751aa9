import { useEffect, useRef } from 'react';
import { mgmt } from '../api.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';

export interface NotificationView {
  id: string;
  type: string;
  delivery_method: string;
  recipient: string;
  source: string;
  status: string;
  provider: string | null;
  provider_message_id: string | null;
  attempt_count: number;
  max_attempts: number;
  error_code: string | null;
  last_error: string | null;
  created_at: string;
  final_at: string | null;
  policy: Array<{ guard: string; verdict: string; reason?: string; delay_ms?: number }> | null;
  events: Array<{ at: string; kind: string; detail: Record<string, unknown> }>;
}

const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

/** What an event's detail says, in a line (status, error code, reason, attempt). */
function describeDetail(d: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of ['attempt', 'status', 'provider_status', 'error_code', 'reason', 'ignored_because']) {
    if (d[k] !== undefined && d[k] !== null && d[k] !== '') parts.push(`${k.replace(/_/g, ' ')}: ${String(d[k])}`);
  }
  return parts.join(' · ');
}

/** `GET /phone/notifications/{id}`: one notification's status, policy decisions and timeline. */
export function NotificationTimeline({ tenant, id, onClose }: { tenant: string; id: string; onClose: () => void }) {
  const { data, error, loading, reload } = useLoad(() => mgmt<NotificationView>(tenant, 'GET', `/phone/notifications/${encodeURIComponent(id)}`), [tenant, id]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);

  return (
    <section className="card timeline" aria-labelledby="timeline-title" aria-busy={loading} data-testid="timeline">
      <div className="row spread">
        <h2 id="timeline-title" ref={heading} tabIndex={-1}>
          Notification <code>{id}</code>
        </h2>
        <div className="row">
          <button type="button" className="btn btn-secondary" onClick={() => void reload()} disabled={loading}>
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <span className={`status-${data.status}`} data-testid="timeline-status">
                {data.status}
              </span>
            </dd>
            <dt>To</dt>
            <dd>{data.recipient}</dd>
            <dt>Type · method</dt>
            <dd>
              {data.type} · {data.delivery_method}
            </dd>
            <dt>Source</dt>
            <dd>{data.source}</dd>
            <dt>Provider</dt>
            <dd>
              {data.provider ?? '—'}
              {data.provider_message_id ? ` (${data.provider_message_id})` : ''}
            </dd>
            <dt>Attempts</dt>
            <dd>
              {data.attempt_count} of {data.max_attempts}
            </dd>
            {data.error_code && (
              <>
                <dt>Error</dt>
                <dd className="error">
                  <code>{data.error_code}</code> {data.last_error}
                </dd>
              </>
            )}
          </dl>
          {data.policy && data.policy.length > 0 && (
            <>
              <h3>Send policy</h3>
              <ul className="plain">
                {data.policy.map((p, i) => (
                  <li key={i}>
                    {p.guard}: <strong>{p.verdict}</strong>
                    {p.reason ? ` (${p.reason})` : ''}
                    {p.delay_ms ? `, delayed ${Math.round(p.delay_ms / 1000)} s` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Timeline</h3>
          <ol className="timeline-events" data-testid="timeline-events">
            {data.events.map((e, i) => (
              <li key={i}>
                <time dateTime={e.at}>{time(e.at)}</time> <strong className={`status-${e.kind}`}>{e.kind.replace(/_/g, ' ')}</strong>
                {describeDetail(e.detail) && <span className="muted"> — {describeDetail(e.detail)}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
