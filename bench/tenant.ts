import type { Started } from './lib.js';

/** The Twilio account the benchmark's Twilio-speaking server accepts. */
export const SID = 'AC0000000000000000000000000000bench'.slice(0, 34);
export const TOKEN = 'bench-auth-token';
export const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

/** The environment of a unifone server under test: any port, embedded SQLite in `dataDir`, Twilio at `twilioUrl`. */
export function serverEnv(dataDir: string, twilioUrl: string): Record<string, string> {
  return { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', TWILIO_API_BASE_URL: twilioUrl, DEFAULT_TENANT_DOMAINS: 'localhost' };
}

type Json = Record<string, unknown> & Array<Record<string, unknown>>;

/** A Management API caller of `server`: the JSON answer, or an error naming the status (`allowed`: statuses answered with no body instead). */
function managementApi(server: Started, auth: Record<string, string>) {
  return async (method: string, url: string, body?: unknown, allowed: number[] = []): Promise<Json> => {
    const res = await fetch(`${server.url}${url}`, { method, headers: auth, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (allowed.includes(res.status)) return {} as Json;
    const json = (await res.json().catch(() => undefined)) as Json;
    if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
}

/**
 * The benchmark tenant of a unifone process just started (bench/run.ts, bench/compare.ts): a
 * Management API token from the bootstrap credentials it printed, its Twilio provider pointed at the
 * Twilio-speaking server, and the abuse engine set so that it counts and judges every send but
 * refuses none. Returns the Management API headers and the provider's id.
 */
export async function prepareTenant(server: Started): Promise<{ auth: Record<string, string>; providerId: string }> {
  const out = server.output();
  const clientId = /client_id:\s+(\S+)/.exec(out)![1]!;
  const clientSecret = /client_secret:\s+(\S+)/.exec(out)![1]!;
  const tokenRes = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: 'localhost' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: 'https://localhost/api/v2/' }),
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = managementApi(server, auth);
  // A 404 from a settings route means a revision without it (bench/compare.ts against an older one).
  const setting = (path: string, body: unknown) => call('PATCH', path, body, [404]);
  const provider = await call('POST', '/api/v2/branding/phone/providers', {
    name: 'twilio',
    configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text', 'voice'] },
    credentials: { auth_token: TOKEN },
  });
  // The benchmark sends thousands a second from one address, one application and one number range: the
  // velocity limits would refuse most of it. At their maximum every rule still counts every send (its
  // cost is part of the figures) and none refuses.
  // BENCH_ENGINE=off (a diagnosis, not a figure to publish): the velocity rules and the fraud guard
  // switched off, to tell their cost from the rest of a revision's.
  const off = process.env['BENCH_ENGINE'] === 'off';
  await setting('/api/v2/attack-protection/phone-velocity-limits', {
    rules: Object.fromEntries(['recipient', 'user', 'ip', 'client', 'tenant', 'prefix', 'country'].map((k) => [k, off ? { mode: 'off' } : { limit: 1_000_000 }])),
  });
  // And thousands of codes a second to one number range, most never verified, is what the fraud guard
  // quarantines. At its thresholds' maximum it still records and judges every code (its cost is in the
  // figures) and quarantines nothing.
  await setting('/api/v2/attack-protection/phone-fraud-guard', {
    mode: off ? 'off' : 'enforce',
    thresholds: { burst_min_numbers: 100_000, burst_min_numbers_under_alarm: 100_000, conversion_min_sends: 1_000_000, volume_min_sends: 1_000_000 },
  });
  return { auth, providerId: provider['id'] as string };
}

/** An application with the passwordless grant, enabled on the tenant's sms connection: its client id and secret. */
export async function passwordlessApp(server: Started, auth: Record<string, string>): Promise<{ clientId: string; clientSecret: string }> {
  const api = managementApi(server, auth);
  const app = await api('POST', '/api/v2/clients', { name: 'Bench passwordless', app_type: 'regular_web', grant_types: [OTP_GRANT] });
  const clientId = app['client_id'] as string;
  const [sms] = await api('GET', '/api/v2/connections?name=sms');
  if (!sms) throw new Error('the tenant has no sms connection');
  const enabled = sms['enabled_clients'] as string[];
  if (!enabled.includes(clientId)) await api('PATCH', `/api/v2/connections/${sms['id']}`, { enabled_clients: [...enabled, clientId] });
  return { clientId, clientSecret: app['client_secret'] as string };
}
