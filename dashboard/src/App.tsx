import { lazy, Suspense, useEffect, useState } from 'react';
import { dash, onSessionEnded, setSession, type Session, type Tenant } from './api.js';
import { SignIn } from './pages/SignIn.js';
import { PhoneProviderPage } from './pages/PhoneProvider.js';
import { PhoneTemplatesPage } from './pages/PhoneTemplates.js';
import { MfaPhonePage } from './pages/MfaPhone.js';
import { PhoneMigrationPage } from './pages/PhoneMigration.js';
import { TestNumbersPage } from './pages/TestNumbers.js';
import { UsersPage } from './pages/Users.js';
import { AttackProtectionPage } from './pages/AttackProtection.js';
import { ErrorNote, Loading } from './ui.js';

// The Activity page carries the chart library (uPlot): loaded when first opened, not with the sign-in form.
const ActivityPage = lazy(() => import('./pages/Activity.js').then((m) => ({ default: m.ActivityPage })));

const PAGES = [
  { path: 'branding/phone-provider', label: 'Phone Provider', section: 'Branding' },
  { path: 'branding/phone-templates', label: 'Phone Templates', section: 'Branding' },
  { path: 'security/mfa/phone', label: 'Phone Message', section: 'Security › Multi-factor Auth' },
  { path: 'security/mfa/phone-migration', label: 'Phone migration', section: 'Security › Multi-factor Auth' },
  { path: 'branding/phone-test-numbers', label: 'Phone Test Numbers', section: 'Branding' },
  { path: 'security/attack-protection', label: 'Attack Protection', section: 'Security' },
  { path: 'monitoring/activity', label: 'Activity', section: 'Monitoring' },
  { path: 'users', label: 'Users', section: 'User Management' },
] as const;
type PagePath = (typeof PAGES)[number]['path'];

/** `#/branding/phone-provider` → the page; hash routing keeps every URL on index.html. */
function useRoute(): PagePath {
  const read = (): PagePath => {
    const h = window.location.hash.replace(/^#\/?/, '');
    return (PAGES.find((p) => p.path === h)?.path ?? 'branding/phone-provider') as PagePath;
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function App() {
  const [session, setSess] = useState<Session | null | undefined>(undefined);
  const [tenants, setTenants] = useState<Tenant[]>();
  const [tenant, setTenant] = useState<string>();
  const [error, setError] = useState<unknown>();
  const route = useRoute();

  const signedIn = (s: Session | null) => {
    setSession(s ?? undefined);
    setSess(s);
  };

  useEffect(() => {
    onSessionEnded(() => signedIn(null));
    dash<Session>('GET', '/session').then(signedIn, () => signedIn(null));
  }, []);

  useEffect(() => {
    if (!session) return;
    setError(undefined);
    dash<{ tenants: Tenant[] }>('GET', '/tenants').then((r) => {
      setTenants(r.tenants);
      const saved = sessionStorage.getItem('tenant');
      const pick = r.tenants.find((t) => t.name === saved && t.here) ?? r.tenants.find((t) => t.here);
      setTenant(pick?.name);
    }, setError);
  }, [session]);

  if (session === undefined) return <Loading />;
  if (session === null) return <SignIn onSignedIn={signedIn} />;

  const current = tenants?.find((t) => t.name === tenant);
  const readOnly = session.operator.role !== 'admin';
  const page = PAGES.find((p) => p.path === route)!;

  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">unifone</span>
        <label className="tenant-switch">
          <span>Tenant</span>
          <select
            value={tenant ?? ''}
            onChange={(e) => {
              const t = tenants?.find((x) => x.name === e.target.value);
              if (t && !t.here && t.dashboard_url) {
                window.location.assign(t.dashboard_url);
                return;
              }
              sessionStorage.setItem('tenant', e.target.value);
              setTenant(e.target.value);
            }}
          >
            {!tenant && <option value="">—</option>}
            {tenants?.map((t) => (
              <option key={t.name} value={t.name}>
                {t.friendly_name}
                {t.here ? '' : ` (at ${t.domains[0] ?? 'no domain'})`}
              </option>
            ))}
          </select>
        </label>
        <span className="who">
          {session.operator.email} · {session.operator.role}
        </span>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={async () => {
            try {
              await dash('DELETE', '/session');
            } finally {
              sessionStorage.removeItem('tenant');
              signedIn(null);
            }
          }}
        >
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Pages">
        {[...new Set(PAGES.map((p) => p.section))].map((section) => (
          <div key={section}>
            <h2 className="nav-section">{section}</h2>
            <ul>
              {PAGES.filter((p) => p.section === section).map((p) => (
                <li key={p.path}>
                  <a href={`#/${p.path}`} aria-current={p.path === route ? 'page' : undefined}>
                    {p.label}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main className="content">
        <h1>
          {page.section} › {page.label}
        </h1>
        {readOnly && <p className="badge">Read-only: your role is viewer.</p>}
        <ErrorNote error={error} />
        {tenants && !current && <p>No tenant you may manage answers at this address. {tenants.length > 0 ? 'Pick one above to open its own dashboard.' : ''}</p>}
        {current && route === 'branding/phone-provider' && <PhoneProviderPage key={current.name} tenant={current.name} readOnly={readOnly} />}
        {current && route === 'branding/phone-templates' && <PhoneTemplatesPage key={current.name} tenant={current.name} readOnly={readOnly} />}
        {current && route === 'security/mfa/phone' && <MfaPhonePage key={current.name} tenant={current.name} readOnly={readOnly} />}
        {current && route === 'security/mfa/phone-migration' && <PhoneMigrationPage key={current.name} tenant={current.name} readOnly={readOnly} />}
        {current && route === 'branding/phone-test-numbers' && <TestNumbersPage key={current.name} tenant={current.name} readOnly={readOnly} />}
        {current && route === 'security/attack-protection' && <AttackProtectionPage key={current.name} tenant={current.name} readOnly={readOnly} />}
        {current && route === 'monitoring/activity' && (
          <Suspense fallback={<Loading />}>
            <ActivityPage key={current.name} tenant={current.name} />
          </Suspense>
        )}
        {current && route === 'users' && <UsersPage key={current.name} tenant={current.name} readOnly={readOnly} />}
      </main>
    </div>
  );
}
