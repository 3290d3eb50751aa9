import { useEffect, useRef, useState, type FormEvent } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

interface User {
  user_id: string;
  email?: string | null;
  phone_number?: string | null;
  username?: string | null;
  name?: string | null;
  blocked?: boolean;
  created_at: string;
  last_login?: string | null;
  logins_count?: number;
  identities: Array<{ connection: string }>;
}
interface PhoneMethod {
  id: string;
  type: string;
  confirmed?: boolean;
  phone_number?: string;
  preferred_authentication_method?: string;
  created_at?: string;
}
const PER_PAGE = 20;
const path = (id: string) => `/users/${encodeURIComponent(id)}`;

/** User Management › Users: search (`GET /users?q=`), then one user's blocks and phone enrollments. */
export function UsersPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<string>();
  const { data, error, loading } = useLoad(
    () => mgmt<{ total: number; users: User[] }>(tenant, 'GET', `/users?include_totals=true&per_page=${PER_PAGE}&page=${page}${q ? `&q=${encodeURIComponent(q)}` : ''}`),
    [tenant, q, page],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setPage(0);
    setQ(draft.trim());
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;

  return (
    <>
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Search users</h2>
        <form className="row end" onSubmit={submit} role="search" aria-label="Users">
          <label className="field grow">
            <span>Email or phone number contains</span>
            <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} autoComplete="off" />
          </label>
          <button type="submit" className="btn btn-primary field-button" disabled={loading}>
            {loading ? 'Searching…' : 'Search'}
          </button>
        </form>
        <ErrorNote error={error} />
        {loading && !data && <Loading />}
        {data && (
          <div aria-busy={loading}>
            <p className="muted" role="status" data-testid="users-count">
              {data.total === 0 ? 'No users match.' : `${data.total} user${data.total === 1 ? '' : 's'}, page ${page + 1} of ${pages}`}
            </p>
            {data.users.length > 0 && (
              <div className="table-wrap">
                <table className="table" data-testid="users">
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Connection</th>
                      <th scope="col">Status</th>
                      <th scope="col">
                        <span className="visually-hidden">Open</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.users.map((u) => {
                      const label = u.email ?? u.phone_number ?? u.username ?? u.user_id;
                      return (
                        <tr key={u.user_id}>
                          <td className="wrap">
                            {label}
                            <div className="muted small">{u.user_id}</div>
                          </td>
                          <td>{u.identities[0]?.connection ?? '—'}</td>
                          <td>{u.blocked ? <span className="badge badge-danger">blocked</span> : 'active'}</td>
                          <td>
                            <button type="button" className="btn btn-secondary btn-small" onClick={() => setOpen(u.user_id)} aria-label={`Open ${label}`}>
                              Open
                            </button>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            {pages > 1 && (
              <nav className="row" aria-label="User pages">
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
      {open && <UserDetail key={open} tenant={tenant} id={open} readOnly={readOnly} onClose={() => setOpen(undefined)} />}
    </>
  );
}

function UserDetail({ tenant, id, readOnly, onClose }: { tenant: string; id: string; readOnly: boolean; onClose: () => void }) {
  const user = useLoad(() => mgmt<User>(tenant, 'GET', path(id)), [tenant, id]);
  const blocks = useLoad(() => mgmt<{ blocked_for: Array<{ identifier: string; ip?: string; connection?: string }> }>(tenant, 'GET', `/user-blocks/${encodeURIComponent(id)}`), [tenant, id]);
  const methods = useLoad(() => mgmt<PhoneMethod[]>(tenant, 'GET', `${path(id)}/authentication-methods`), [tenant, id]);
  const [actionError, setActionError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const act = (what: string, fn: () => Promise<unknown>, after: () => Promise<void>) => async () => {
    setActionError(undefined);
    setDone(undefined);
    try {
      await fn();
      await after();
      setDone(what);
    } catch (e) {
      setActionError(e);
    }
  };
  const u = user.data;
  const phones = (methods.data ?? []).filter((m) => m.type === 'phone');

  return (
    <section className="card" aria-labelledby="user-title" data-testid="user-detail">
      <div className="row spread">
        <h2 id="user-title" ref={heading} tabIndex={-1}>
          {u ? (u.email ?? u.phone_number ?? u.username ?? u.user_id) : id}
        </h2>
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNote error={user.error} />
      {user.loading && !u && <Loading />}
      {u && (
        <dl className="facts">
          <dt>User ID</dt>
          <dd>
            <code>{u.user_id}</code>
          </dd>
          <dt>Connection</dt>
          <dd>{u.identities[0]?.connection ?? '—'}</dd>
          <dt>Phone number</dt>
          <dd>{u.phone_number ?? '—'}</dd>
          <dt>Logins</dt>
          <dd>
            {u.logins_count ?? 0}
            {u.last_login ? `, last ${u.last_login.replace('T', ' ').slice(0, 16)} UTC` : ''}
          </dd>
          <dt>Status</dt>
          <dd data-testid="user-status">{u.blocked ? 'blocked' : 'active'}</dd>
        </dl>
      )}
      {u?.blocked && !readOnly && (
        <div className="row">
          <ActionButton kind="primary" busyLabel="Unblocking…" onClick={act('Unblocked.', () => mgmt(tenant, 'PATCH', path(id), { blocked: false }), user.reload)}>
            Unblock
          </ActionButton>
        </div>
      )}

      <h3>Brute-force blocks</h3>
      <ErrorNote error={blocks.error} />
      {blocks.loading && !blocks.data && <Loading />}
      {blocks.data &&
        (blocks.data.blocked_for.length === 0 ? (
          <p className="muted">None: too many failed logins have not blocked this user.</p>
        ) : (
          <>
            <ul className="plain">
              {blocks.data.blocked_for.map((b, i) => (
                <li key={i}>
                  {b.identifier}
                  {b.ip ? ` from ${b.ip}` : ''}
                  {b.connection ? ` (${b.connection})` : ''}
                </li>
              ))}
            </ul>
            {!readOnly && (
              <ActionButton kind="secondary" busyLabel="Lifting…" onClick={act('Brute-force blocks lifted.', () => mgmt(tenant, 'DELETE', `/user-blocks/${encodeURIComponent(id)}`), blocks.reload)}>
                Lift brute-force blocks
              </ActionButton>
            )}
          </>
        ))}

      <h3>Phone enrollments</h3>
      <ErrorNote error={methods.error} />
      {methods.loading && !methods.data && <Loading />}
      {methods.data &&
        (phones.length === 0 ? (
          <p className="muted">No phone enrolled for MFA.</p>
        ) : (
          <ul className="plain" data-testid="phone-enrollments">
            {phones.map((m) => (
              <li key={m.id} className="row center">
                <span>
                  {m.phone_number ?? '—'} · {m.confirmed ? 'confirmed' : 'not confirmed'}
                  {m.preferred_authentication_method ? ` · prefers ${m.preferred_authentication_method}` : ''}
                </span>
                {!readOnly &&
                  (confirming === m.id ? (
                    <>
                      <ActionButton kind="danger" busyLabel="Removing…" onClick={act('Enrollment removed.', () => mgmt(tenant, 'DELETE', `${path(id)}/authentication-methods/${encodeURIComponent(m.id)}`), methods.reload)}>
                        Confirm removal
                      </ActionButton>
                      <button type="button" className="btn btn-secondary" onClick={() => setConfirming(undefined)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <button type="button" className="btn btn-secondary btn-small" onClick={() => setConfirming(m.id)} aria-label={`Remove the phone enrollment ${m.phone_number ?? m.id}`}>
                      Remove
                    </button>
                  ))}
              </li>
            ))}
          </ul>
        ))}
      <ErrorNote error={actionError} />
      {done && <Notice kind="ok">{done}</Notice>}
    </section>
  );
}
