import { ApiError, mgmt } from '../api.js';
import { ErrorNote, Loading, useLoad } from '../ui.js';

/**
 * The protections this page has a place for but this server may not serve yet. Each is probed with a
 * GET: a 404 says "not available from this server yet"; an answer is shown as the server gives it.
 * The paths are the ones the protections are being built under.
 */
export const PENDING_PROTECTIONS = [
  { key: 'velocity', title: 'Velocity limits', path: '/attack-protection/phone-velocity-limits', about: 'Sends per IP address, per tenant and per destination prefix over sliding windows.' },
  { key: 'fraud-guard', title: 'Fraud guard', path: '/attack-protection/phone-fraud-guard', about: 'Detection of SMS pumping by prefix: bursts, low conversion, volume spikes.' },
  { key: 'quarantine', title: 'Quarantined prefixes', path: '/attack-protection/phone-fraud-guard/quarantines', about: 'Prefixes the fraud guard stopped sending to, to release or add to the safe list.' },
  { key: 'spend', title: 'Spend against caps', path: '/attack-protection/phone-spend', about: 'What the phone messages cost so far against the daily and monthly caps.' },
] as const;

type Probe = { state: 'missing' } | { state: 'available'; body: unknown };

function Protection({ tenant, p }: { tenant: string; p: (typeof PENDING_PROTECTIONS)[number] }) {
  const { data, error, loading } = useLoad(async (): Promise<Probe> => {
    try {
      return { state: 'available', body: await mgmt<unknown>(tenant, 'GET', p.path) };
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return { state: 'missing' };
      throw e;
    }
  }, [tenant, p.path]);
  const id = `pending-${p.key}`;
  return (
    <section className="card" aria-labelledby={id} data-testid={id}>
      <h2 id={id}>{p.title}</h2>
      <p className="muted small">{p.about}</p>
      {loading && <Loading />}
      <ErrorNote error={error} />
      {data?.state === 'missing' && (
        <p className="badge" data-testid={`${id}-missing`}>
          Not available from this server yet (<code>GET /api/v2{p.path}</code> answers 404).
        </p>
      )}
      {data?.state === 'available' && (
        <details open>
          <summary>As the server answers it</summary>
          <pre className="json">{JSON.stringify(data.body, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}

export function PendingProtections({ tenant }: { tenant: string }) {
  return (
    <>
      {PENDING_PROTECTIONS.map((p) => (
        <Protection key={p.key} tenant={tenant} p={p} />
      ))}
    </>
  );
}
