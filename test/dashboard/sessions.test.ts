import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.js';
import { testDialects } from '../helpers/harness.js';
import { createDashEnv, signIn, type DashEnv } from './env.js';

for (const { dialect, skip } of testDialects()) {
  describe(`dashboard sessions and token minting [${dialect}]`, { skip }, () => {
    let env: DashEnv;
    const admin = { email: 'admin@example.com', password: '' };
    const viewer = { email: 'viewer@example.com', password: '' };
    const limited = { email: 'limited@example.com', password: '' };

    before(async () => {
      env = await createDashEnv(dialect);
      admin.password = (await env.c.dashboard.operators.create({ email: admin.email, role: 'admin', tenants: '*' })).password;
      viewer.password = (await env.c.dashboard.operators.create({ email: viewer.email, role: 'viewer', tenants: ['default'] })).password;
      limited.password = (await env.c.dashboard.operators.create({ email: limited.email, role: 'admin', tenants: ['other'] })).password;
    });
    after(async () => {
      const text = env.logs.join('');
      for (const p of [admin.password, viewer.password, limited.password]) assert.ok(!text.includes(p), 'a password reached the log');
      assert.ok(env.issued.length > 10);
      for (const v of env.issued) assert.ok(!text.includes(v), 'a session id or CSRF token reached the log');
      await env.close();
    });

    test('sign-in sets an HttpOnly, SameSite=Strict cookie on /dashboard, and returns a CSRF token', async () => {
      const { res, csrf } = await signIn(env, 'Admin@Example.com ', admin.password);
      assert.equal(res.statusCode, 200, res.body);
      const set = String(res.headers['set-cookie']);
      assert.match(set, /^unifone_session=[A-Za-z0-9_-]{43}; /);
      for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/dashboard']) assert.ok(set.includes(attr), `cookie lacks ${attr}: ${set}`);
      assert.ok(!set.includes('Secure'), 'no Secure flag over plain HTTP');
      assert.ok(csrf.length >= 32);
      assert.equal(res.json().operator.email, 'admin@example.com');
      assert.equal(res.headers['cache-control'], 'no-store');
      // Only a hash of the session id is stored.
      const id = set.split(';')[0]!.split('=')[1]!;
      const rows = await env.c.storage.db.selectFrom('operator_sessions' as never).selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(id), 'the session id itself is stored');
    });

    test('Secure is added when the request came over TLS (a trusted proxy says https)', async () => {
      const tls = await createDashEnv(dialect, { TRUST_PROXY: '127.0.0.1' });
      try {
        const { password } = await tls.c.dashboard.operators.create({ email: 'tls@example.com', role: 'admin', tenants: '*' });
        const res = await tls.app.inject({
          method: 'POST',
          url: '/dashboard/api/session',
          headers: { host: 'localhost', 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
          payload: JSON.stringify({ email: 'tls@example.com', password }),
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers['set-cookie']), /; Secure/);
      } finally {
        await tls.close();
      }
    });

    test('a wrong password and an unknown email answer alike (401 invalid_credentials)', async () => {
      const wrong = await env.inject('POST', '/dashboard/api/session', { body: { email: admin.email, password: 'nope' }, ip: '10.0.0.9' });
      const unknown = await env.inject('POST', '/dashboard/api/session', { body: { email: 'nobody@example.com', password: 'nope' }, ip: '10.0.0.9' });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(wrong.json(), unknown.json());
      assert.equal(wrong.headers['set-cookie'], undefined);
    });

    test('state-changing calls without the CSRF header, or with another session’s, are refused (403)', async () => {
      const a = await signIn(env, admin.email, admin.password);
      const b = await signIn(env, admin.email, admin.password);
      const none = await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'default' }, cookie: a.cookie });
      assert.equal(none.statusCode, 403);
      assert.equal(none.json().error, 'invalid_csrf_token');
      const other = await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'default' }, cookie: a.cookie, csrf: b.csrf });
      assert.equal(other.statusCode, 403);
      const out = await env.inject('DELETE', '/dashboard/api/session', { cookie: a.cookie });
      assert.equal(out.statusCode, 403, 'sign-out is state-changing too');
      const ok = await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'default' }, cookie: a.cookie, csrf: a.csrf });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    test('no session, or a made-up one: 401', async () => {
      assert.equal((await env.inject('GET', '/dashboard/api/tenants')).statusCode, 401);
      assert.equal((await env.inject('GET', '/dashboard/api/tenants', { cookie: 'unifone_session=made-up' })).statusCode, 401);
    });

    test('a session ends after 30 idle minutes; use keeps it alive', async () => {
      const s = await signIn(env, admin.email, admin.password);
      env.advance(20 * 60_000);
      assert.equal((await env.inject('GET', '/dashboard/api/session', { cookie: s.cookie })).statusCode, 200);
      env.advance(20 * 60_000); // 40 minutes after sign-in, 20 after last use
      assert.equal((await env.inject('GET', '/dashboard/api/session', { cookie: s.cookie })).statusCode, 200);
      env.advance(31 * 60_000);
      const idle = await env.inject('GET', '/dashboard/api/session', { cookie: s.cookie });
      assert.equal(idle.statusCode, 401);
      assert.equal(idle.json().error, 'session_required');
    });

    test('a session ends 12 hours after sign-in, however busy', async () => {
      const s = await signIn(env, admin.email, admin.password);
      // Used every 25 minutes: never idle for 30, so only the absolute limit can end it.
      for (let elapsed = 25; elapsed <= 700; elapsed += 25) {
        env.advance(25 * 60_000);
        assert.equal((await env.inject('GET', '/dashboard/api/session', { cookie: s.cookie })).statusCode, 200, `alive after ${elapsed} min`);
      }
      env.advance(25 * 60_000); // 725 minutes: past 12 hours
      const r = await env.inject('GET', '/dashboard/api/session', { cookie: s.cookie });
      assert.equal(r.statusCode, 401);
    });

    test('sign-out ends the session', async () => {
      const s = await signIn(env, admin.email, admin.password);
      const out = await env.inject('DELETE', '/dashboard/api/session', { cookie: s.cookie, csrf: s.csrf });
      assert.equal(out.statusCode, 204);
      assert.match(String(out.headers['set-cookie']), /unifone_session=; Path=\/dashboard; .*Max-Age=0/);
      assert.equal((await env.inject('GET', '/dashboard/api/session', { cookie: s.cookie })).statusCode, 401);
    });

    test('minted tokens: admin gets every scope, viewer only read:*, sub names the operator, 5 minutes', async () => {
      const a = await signIn(env, admin.email, admin.password);
      const v = await signIn(env, viewer.email, viewer.password);
      const at = (await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'default' }, cookie: a.cookie, csrf: a.csrf })).json();
      const vt = (await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'default' }, cookie: v.cookie, csrf: v.csrf })).json();
      assert.deepEqual(at.scope.split(' ').sort(), [...MANAGEMENT_SCOPES].sort());
      const viewerScopes = vt.scope.split(' ');
      assert.ok(viewerScopes.length > 5 && viewerScopes.every((s: string) => s.startsWith('read:')), vt.scope);
      assert.equal(vt.expires_in, 300);
      assert.equal(vt.same_origin, true);
      const claims = decodeJwt(at.access_token);
      assert.match(String(claims.sub), /^operator\|op_/);
      assert.equal(claims.aud, 'https://localhost/api/v2/');
      assert.equal(claims['gty'], 'client-credentials');
      assert.equal(Number(claims.exp) - Number(claims.iat), 300);

      // The public API takes both; the viewer's is refused on a write route (403 insufficient_scope).
      assert.equal((await env.inject('GET', '/api/v2/branding/phone/providers', { token: vt.access_token })).statusCode, 200);
      const write = await env.inject('PATCH', '/api/v2/tenants/settings', { token: vt.access_token, body: { friendly_name: 'x' } });
      assert.equal(write.statusCode, 403);
      assert.equal(write.json().errorCode, 'insufficient_scope');
      const adminWrite = await env.inject('PATCH', '/api/v2/tenants/settings', { token: at.access_token, body: { friendly_name: 'Default tenant' } });
      assert.equal(adminWrite.statusCode, 200, adminWrite.body);
    });

    test('a tenant the operator may not manage (or that does not exist): 403, and it is not listed', async () => {
      const l = await signIn(env, limited.email, limited.password);
      const res = await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'default' }, cookie: l.cookie, csrf: l.csrf });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error, 'access_denied');
      const missing = await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'other' }, cookie: l.cookie, csrf: l.csrf });
      assert.equal(missing.statusCode, 403);
      const list = await env.inject('GET', '/dashboard/api/tenants', { cookie: l.cookie });
      assert.deepEqual(list.json().tenants, []);
    });

    test('a tenant on another host: the token is for that host, and the list links to its dashboard', async () => {
      await env.c.services.tenants.create({ name: 'acme', domains: ['acme.example'] });
      const a = await signIn(env, admin.email, admin.password);
      const t = (await env.inject('POST', '/dashboard/api/token', { body: { tenant: 'acme' }, cookie: a.cookie, csrf: a.csrf })).json();
      assert.equal(t.same_origin, false);
      assert.equal(t.api_origin, 'http://acme.example');
      assert.equal(decodeJwt(t.access_token).aud, 'https://acme.example/api/v2/');
      // At that host the public API takes it; at this one it is refused.
      assert.equal((await env.inject('GET', '/api/v2/branding/phone/providers', { token: t.access_token, host: 'acme.example' })).statusCode, 200);
      assert.equal((await env.inject('GET', '/api/v2/branding/phone/providers', { token: t.access_token })).statusCode, 401);
      const list = (await env.inject('GET', '/dashboard/api/tenants', { cookie: a.cookie })).json().tenants;
      const acme = list.find((x: { name: string }) => x.name === 'acme');
      assert.deepEqual(acme, { name: 'acme', friendly_name: 'acme', domains: ['acme.example'], here: false, dashboard_url: 'http://acme.example/dashboard/' });
    });

    test('sign-in is throttled per email (5 failures) and per address (20), right password or not: 429 with Retry-After', async () => {
      const { password } = await env.c.dashboard.operators.create({ email: 'target@example.com', role: 'viewer', tenants: '*' });
      for (let i = 0; i < 5; i++) {
        const r = await env.inject('POST', '/dashboard/api/session', { body: { email: 'target@example.com', password: 'guess' + i }, ip: `10.1.0.${i}` });
        assert.equal(r.statusCode, 401);
      }
      const blocked = await env.inject('POST', '/dashboard/api/session', { body: { email: 'target@example.com', password }, ip: '10.1.0.99' });
      assert.equal(blocked.statusCode, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      // Per address: 20 failures over many emails from one address.
      for (let i = 0; i < 20; i++) {
        await env.inject('POST', '/dashboard/api/session', { body: { email: `spray${i}@example.com`, password: 'x' }, ip: '10.2.0.1' });
      }
      const sprayed = await env.inject('POST', '/dashboard/api/session', { body: { email: admin.email, password: admin.password }, ip: '10.2.0.1' });
      assert.equal(sprayed.statusCode, 429);
      // The window ends: the right password works again.
      env.advance(16 * 60_000);
      assert.equal((await env.inject('POST', '/dashboard/api/session', { body: { email: 'target@example.com', password }, ip: '10.1.0.99' })).statusCode, 200);
    });

    test('parallel guesses cannot pass the throttle together: at most 5 are checked', async () => {
      await env.c.dashboard.operators.create({ email: 'burst@example.com', role: 'viewer', tenants: '*' });
      const answers = await Promise.all(
        Array.from({ length: 15 }, (_, i) => env.inject('POST', '/dashboard/api/session', { body: { email: 'burst@example.com', password: `guess-${i}` }, ip: `10.3.0.${i}` })),
      );
      const codes = answers.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 401).length, 5, codes.join(' '));
      assert.equal(codes.filter((c) => c === 429).length, 10, codes.join(' '));
    });

    test('bad sign-in bodies are 4xx, never 5xx', async () => {
      for (const body of [{}, { email: 'a@example.com' }, { email: 'a@example.com', password: 'x', extra: 1 }, { email: 'x'.repeat(300), password: 'x' }, { email: 1, password: 2 }, 'not json']) {
        const r = await env.app.inject({ method: 'POST', url: '/dashboard/api/session', headers: { host: 'localhost', 'content-type': 'application/json' }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
        assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${JSON.stringify(body)} → ${r.statusCode}`);
      }
      const form = await env.app.inject({ method: 'POST', url: '/dashboard/api/session', headers: { host: 'localhost', 'content-type': 'text/plain' }, payload: 'x' });
      assert.equal(form.statusCode, 415);
      const token = await env.app.inject({ method: 'POST', url: '/dashboard/api/token', headers: { host: 'localhost', 'content-type': 'application/json' }, payload: '{"tenant":' });
      assert.ok(token.statusCode >= 400 && token.statusCode < 500);
    });

    test('static files: index.html no-cache, a strict CSP, bad asset names 404', async () => {
      const res = await env.inject('GET', '/dashboard/api/nothing-here');
      assert.equal(res.statusCode, 404);
      const csp = String((await env.inject('GET', '/dashboard/')).headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /connect-src 'self'/);
      assert.ok(!csp.includes('unsafe-inline'));
      assert.equal((await env.inject('GET', '/dashboard/assets/..%2f..%2fpackage.json')).statusCode, 404);
    });
  });
}
