/**
 * A flood of password grants against one real login (docs/abuse.md, "Password hashing is bounded and
 * fair between tenants"): 80 concurrent `password` grants for unknown users from one IP through a
 * public client, then one login of a real user from another IP, three times. Prints the real user's
 * login time alone and during the flood, and how the flood was answered.
 *
 *     node --no-node-snapshot --import tsx bench/password-flood.ts            # the default queue
 *     node --no-node-snapshot --import tsx bench/password-flood.ts unbounded  # 64 in flight, no bound
 */
import { createTestEnv } from '../test/helpers/harness.js';
import { setupTenant } from '../test/auth/helpers.js';

const extra: Record<string, string> = process.argv[2] === 'unbounded' ? { PASSWORD_HASH_CONCURRENCY: '64', PASSWORD_HASH_QUEUE: '100000' } : {};
const e = await createTestEnv('sqlite', extra);
try {
  const f = await setupTenant(e);
  const email = 'real@example.com';
  const PASSWORD = 'Kq7!vLr2#pZx9w';
  const u = await e.api('POST', '/api/v2/users', { token: f.mgmt, body: { connection: 'Username-Password-Authentication', email, password: PASSWORD } });
  if (u.statusCode !== 201) throw new Error(u.body);
  const grant = (username: string, ip: string) =>
    e.app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: ip, headers: { host: 'localhost' }, payload: { grant_type: 'password', client_id: f.spa.clientId, username, password: PASSWORD } });
  const results: number[][] = [];
  for (let run = 0; run < 3; run++) {
    let t = performance.now();
    const alone = await grant(email, '10.9.9.9');
    const aloneMs = performance.now() - t;
    const flood = Array.from({ length: 80 }, (_, i) => grant(`nobody${run}-${i}@example.com`, '10.0.0.1'));
    await new Promise((r) => setTimeout(r, 20));
    t = performance.now();
    const real = await grant(email, '10.9.9.9');
    const realMs = performance.now() - t;
    const codes = (await Promise.all(flood)).map((r) => r.statusCode);
    results.push([aloneMs, realMs]);
    console.log(JSON.stringify({ mode: process.argv[2] ?? 'bounded', run, alone: alone.statusCode, aloneMs: Math.round(aloneMs), real: real.statusCode, realMs: Math.round(realMs), flood403: codes.filter((c) => c === 403).length, flood429: codes.filter((c) => c === 429).length }));
  }
} finally {
  await e.close();
}
