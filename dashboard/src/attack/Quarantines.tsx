import { useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';
import { duration, utc } from './format.js';

export interface Quarantine {
  id: string;
  prefix: string;
  country: string;
  mode: string;
  rule: string;
  evidence: Record<string, unknown>;
  blocked_sends: number;
  created_at: string;
  until: string;
  released_at: string | null;
  active: boolean;
}
interface SafePrefix {
  prefix: string;
  note: string;
  created_at: string;
}

const BASE = '/attack-protection/phone-fraud-guard';
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const pct = (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 100)} %` : '—');

/** One line saying what the rule saw (the whole evidence is under "Evidence"). */
export function evidenceSummary(q: Quarantine): string {
  const e = q.evidence;
  const win = num(e['window_seconds']);
  const over = win ? ` in ${duration(win)}` : '';
  if (q.rule === 'adjacent_burst') return `${num(e['numbers']) ?? '?'} numbers${over}, ${num(e['verified']) ?? 0} verified (${pct(e['conversion'])}); threshold ${num(e['threshold_numbers']) ?? '?'} numbers under ${pct(e['threshold_conversion'])}`;
  if (q.rule === 'low_conversion') return `${num(e['settled_sends']) ?? '?'} settled sends${over}, ${num(e['verified']) ?? 0} verified (${pct(e['conversion'])}); threshold ${num(e['threshold_sends']) ?? '?'} sends under ${pct(e['threshold_conversion'])}`;
  if (q.rule === 'volume_spike') return `${num(e['sends']) ?? '?'} sends${over}, ${num(e['verified']) ?? 0} verified (${pct(e['conversion'])}); threshold ${num(e['threshold_sends']) ?? '?'} sends at most ${pct(e['threshold_conversion'])}`;
  return Object.entries(e)
    .filter(([, v]) => typeof v !== 'object')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

/** The quarantined prefixes (active first) with Release and Safe-list, and the safe list with add and remove. */
export function QuarantinedPrefixes({ tenant, readOnly, version }: { tenant: string; readOnly: boolean; version: number }) {
  const [changes, setChanges] = useState(0);
  const q = useLoad(async () => {
    const all = await mgmt<Quarantine[]>(tenant, 'GET', `${BASE}/quarantines?per_page=50`);
    // Active ones first, each group newest first (the API's order).
    return [...all.filter((x) => x.active), ...all.filter((x) => !x.active)];
  }, [tenant, version, changes]);
  const safe = useLoad(() => mgmt<SafePrefix[]>(tenant, 'GET', `${BASE}/safe-prefixes`), [tenant, changes]);
  const [rowError, setRowError] = useState<{ id: string; error: unknown }>();
  const [done, setDone] = useState('');
  const [newPrefix, setNewPrefix] = useState('');
  const [newNote, setNewNote] = useState('');
  const [addError, setAddError] = useState<unknown>();

  const act = async (id: string, what: string, run: () => Promise<unknown>) => {
    setRowError(undefined);
    setDone('');
    try {
      await run();
      setDone(what);
      setChanges((c) => c + 1);
    } catch (e) {
      setRowError({ id, error: e });
    }
  };
  const release = (x: Quarantine) => act(x.id, `Released ${x.prefix}.`, () => mgmt(tenant, 'DELETE', `${BASE}/quarantines/${x.id}`));
  const safeList = (x: Quarantine) => act(x.id, `${x.prefix} added to the safe list.`, () => mgmt(tenant, 'POST', `${BASE}/safe-prefixes`, { prefix: x.prefix, note: `safe-listed from quarantine ${x.id}` }));
  const unsafe = (s: SafePrefix) => act(`safe-${s.prefix}`, `${s.prefix} removed from the safe list.`, () => mgmt(tenant, 'DELETE', `${BASE}/safe-prefixes/${encodeURIComponent(s.prefix)}`));
  const add = async () => {
    setAddError(undefined);
    setDone('');
    try {
      const p = newPrefix.trim().replace(/[\s()-]/g, '');
      await mgmt(tenant, 'POST', `${BASE}/safe-prefixes`, { prefix: p, ...(newNote.trim() ? { note: newNote.trim() } : {}) });
      setNewPrefix('');
      setNewNote('');
      setDone(`${p} added to the safe list.`);
      setChanges((c) => c + 1);
    } catch (e) {
      setAddError(e);
    }
  };
  const errorOf = (id: string) => (rowError?.id === id ? <ErrorNote error={rowError.error} /> : null);
  const active = q.data?.filter((x) => x.active).length ?? 0;

  return (
    <section className="card" aria-labelledby="quarantines-title" aria-busy={q.loading || safe.loading} data-testid="quarantines">
      <div className="row spread">
        <h2 id="quarantines-title">Quarantined prefixes</h2>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void q.reload()} disabled={q.loading}>
          {q.loading ? 'Refreshing…' : 'Refresh quarantines'}
        </button>
      </div>
      <p className="muted small">Sends to an active quarantine’s prefix are refused (in enforce mode) until it ends. Release ends it now; Safe-list ends it and never quarantines the prefix again.</p>
      {q.loading && !q.data && <Loading />}
      <ErrorNote error={q.error} />
      {done && <Notice kind="ok">{done}</Notice>}
      {q.data &&
        (q.data.length === 0 ? (
          <p className="muted">No prefix quarantined.</p>
        ) : (
          <>
            <p className="small" data-testid="quarantines-count">
              {active} active, {q.data.length - active} ended (the last 50).
            </p>
            <div className="table-wrap" role="region" aria-label="Quarantines, active first" tabIndex={0}>
              <table className="table quarantines" data-testid="quarantine-list">
                <thead>
                  <tr>
                    <th scope="col">Prefix</th>
                    <th scope="col">Rule and evidence</th>
                    <th scope="col">Blocked sends</th>
                    <th scope="col">Until</th>
                    {!readOnly && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {q.data.map((x) => (
                    <tr key={x.id} data-testid={`quarantine-${x.prefix}`} className={x.active ? undefined : 'ended'}>
                      <td className="nowrap">
                        <strong>{x.prefix}</strong>
                        <div className="muted small">
                          {x.country} · {x.active ? <span className="badge badge-danger">active</span> : <span className="badge">{x.released_at ? 'released' : 'ended'}</span>} {x.mode === 'monitor' ? '· monitor' : ''}
                        </div>
                      </td>
                      <td className="wrap">
                        <code>{x.rule}</code>
                        <div className="small">{evidenceSummary(x)}</div>
                        <details>
                          <summary className="small">Evidence</summary>
                          <pre className="json">{JSON.stringify(x.evidence, null, 2)}</pre>
                        </details>
                      </td>
                      <td>{x.blocked_sends}</td>
                      <td className="nowrap small">
                        {x.released_at ? `released ${utc(x.released_at)}` : utc(x.until)}
                        <div className="muted">since {utc(x.created_at)}</div>
                      </td>
                      {!readOnly && (
                        <td>
                          {x.active && (
                            <div className="row">
                              <ActionButton kind="secondary" busyLabel="Releasing…" onClick={() => release(x)}>
                                <span aria-hidden="true">Release</span>
                                <span className="visually-hidden">Release {x.prefix}</span>
                              </ActionButton>
                              <ActionButton kind="secondary" busyLabel="Adding…" onClick={() => safeList(x)}>
                                <span aria-hidden="true">Safe-list</span>
                                <span className="visually-hidden">Safe-list {x.prefix}</span>
                              </ActionButton>
                            </div>
                          )}
                          {errorOf(x.id)}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ))}

      <h3 id="safe-title">Safe list</h3>
      <p className="muted small">A safe-listed prefix (any length: +4420 covers London) is never quarantined. Up to 1,000.</p>
      {safe.loading && !safe.data && <Loading />}
      <ErrorNote error={safe.error} />
      {safe.data &&
        (safe.data.length === 0 ? (
          <p className="muted">No safe-listed prefix.</p>
        ) : (
          <ul className="plain" aria-labelledby="safe-title" data-testid="safe-list">
            {safe.data.map((s) => (
              <li key={s.prefix} className="row center">
                <strong>{s.prefix}</strong>
                <span className="muted small grow wrap">
                  {s.note || 'no note'} · added {utc(s.created_at)}
                </span>
                {!readOnly && (
                  <ActionButton kind="secondary" busyLabel="Removing…" onClick={() => unsafe(s)}>
                    <span aria-hidden="true">Remove</span>
                    <span className="visually-hidden">Remove {s.prefix} from the safe list</span>
                  </ActionButton>
                )}
                {errorOf(`safe-${s.prefix}`)}
              </li>
            ))}
          </ul>
        ))}
      {!readOnly && (
        <form
          className="row end"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label className="field grow">
            <span>Prefix to safe-list</span>
            <input value={newPrefix} onChange={(e) => setNewPrefix(e.target.value)} placeholder="+4420" autoComplete="off" />
          </label>
          <label className="field grow">
            <span>Note (optional)</span>
            <input value={newNote} onChange={(e) => setNewNote(e.target.value)} maxLength={255} autoComplete="off" />
          </label>
          <div className="field-button">
            <ActionButton type="submit" busyLabel="Adding…" onClick={add} disabled={!newPrefix.trim()}>
              Add to safe list
            </ActionButton>
          </div>
        </form>
      )}
      <ErrorNote error={addError} />
    </section>
  );
}
