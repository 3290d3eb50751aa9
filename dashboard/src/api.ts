/** The dashboard's two APIs: its own (/dashboard/api: session, tenants, tokens) and the public Management API. */

export interface Operator {
  email: string;
  role: 'admin' | 'viewer';
  tenants: '*' | string[];
}

export interface Session {
  operator: Operator;
  csrf_token: string;
  expires_at: string;
  idle_timeout_seconds: number;
}

export interface Tenant {
  name: string;
  friendly_name: string;
  domains: string[];
  here: boolean;
  dashboard_url: string | null;
}

/** An API answer other than 2xx, with the server's own words (either error shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => undefined;

export function setSession(s: Session | undefined): void {
  csrfToken = s?.csrf_token ?? '';
  tokens.clear();
}

/** Called when the dashboard API says the session ended (401): the app goes back to sign-in. */
export function onSessionEnded(fn: () => void): void {
  onSignedOut = fn;
}

async function toError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const b = (body ?? {}) as Record<string, unknown>;
  const code = String(b['errorCode'] ?? b['error'] ?? res.status);
  const message = String(b['message'] ?? b['error_description'] ?? res.statusText ?? 'Request failed');
  return new ApiError(res.status, code, message, body);
}

/** A call to /dashboard/api; state-changing ones carry the CSRF token. */
export async function dash<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/dashboard/api${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) {
    const e = await toError(res);
    if (res.status === 401 && path !== '/session') onSignedOut();
    throw e;
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

interface CachedToken {
  token: string;
  expiresAt: number;
  scopes: Set<string>;
}
const tokens = new Map<string, CachedToken>();

/** A Management API token for the tenant (minted by the dashboard API, reused until 30 s before it ends). */
async function tokenFor(tenant: string, fresh = false): Promise<CachedToken> {
  const hit = tokens.get(tenant);
  if (!fresh && hit && hit.expiresAt - 30_000 > Date.now()) return hit;
  const t = await dash<{ access_token: string; expires_in: number; scope: string; same_origin: boolean }>('POST', '/token', { tenant });
  if (!t.same_origin) throw new ApiError(400, 'other_origin', `Tenant ${tenant} is managed from its own host's dashboard`, undefined);
  const entry = { token: t.access_token, expiresAt: Date.now() + t.expires_in * 1000, scopes: new Set(t.scope.split(' ')) };
  tokens.set(tenant, entry);
  return entry;
}

/** A call to the public Management API (`/api/v2` of this origin) as the operator. */
export async function mgmt<T>(tenant: string, method: string, path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const t = await tokenFor(tenant, attempt > 0);
    const headers: Record<string, string> = { authorization: `Bearer ${t.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`/api/v2${path}`, { method, headers, credentials: 'omit', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    // A token that ran out (clock skew, a sleeping laptop): mint a new one once.
    if (res.status === 401 && attempt === 0) continue;
    if (!res.ok) throw await toError(res);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.status} ${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
