import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

describeEachDialect('request logs', (env) => {
  test('carry the path but not the query string (phone numbers, emails and codes travel in queries)', async () => {
    const token = await env().token();
    const phone = '+14155550199';
    const email = 'someone.private@example.com';
    const res = await env().api('GET', `/api/v2/users?q=${encodeURIComponent(`phone_number:"${phone}" OR email:"${email}"`)}&per_page=5`, { token });
    assert.ok(res.statusCode < 500);
    const byEmail = await env().api('GET', `/api/v2/users-by-email?email=${encodeURIComponent(email)}`, { token });
    assert.ok(byEmail.statusCode < 500);
    const lines = env().logs.filter((l) => l.includes('/api/v2/users'));
    assert.ok(lines.length > 0, 'the requests are logged');
    for (const l of lines) {
      assert.doesNotMatch(l, /4155550199|someone\.private|%2B1415|someone\.private%40/, l);
    }
    const incoming = lines.filter((l) => l.includes('"url":"/api/v2/users-by-email"'));
    assert.ok(incoming.length > 0, lines.join('\n'));
    const req = (JSON.parse(incoming[0]!) as { req: Record<string, unknown> }).req;
    assert.deepEqual(req, { method: 'GET', url: '/api/v2/users-by-email', query: '[omitted]', hostname: 'localhost', remoteAddress: '127.0.0.1' });
  });
});

describeEachDialect('metrics endpoint without METRICS_TOKEN', (env) => {
  test('is not served: its series name every tenant, so it needs its own token', async () => {
    const res = await env().app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost' } });
    assert.equal(res.statusCode, 404);
    assert.doesNotMatch(res.body, /unifone_/);
  });
});

const clientAddressLogged = async (env: () => import('../helpers/harness.js').TestEnv, forwardedFor: string) => {
  const res = await env().app.inject({ method: 'GET', url: '/.well-known/jwks.json?from=proxy-test', headers: { host: 'localhost', 'x-forwarded-for': forwardedFor } });
  assert.equal(res.statusCode, 200);
  const line = [...env().logs].reverse().find((l) => l.includes('"url":"/.well-known/jwks.json"') && l.includes('"req"'));
  assert.ok(line, 'the request is logged');
  return (JSON.parse(line) as { req: { remoteAddress: string } }).req.remoteAddress;
};

describeEachDialect('the client address without TRUST_PROXY', (env) => {
  test('is the socket\'s: X-Forwarded-For from anyone is ignored', async () => {
    assert.equal(await clientAddressLogged(env, '203.0.113.7'), '127.0.0.1');
  });
});

describeEachDialect(
  'the client address behind a trusted proxy (TRUST_PROXY)',
  (env) => {
    test('comes from X-Forwarded-For when the socket is a trusted proxy', async () => {
      assert.equal(await clientAddressLogged(env, '203.0.113.7'), '203.0.113.7');
    });
  },
  { TRUST_PROXY: '127.0.0.1/32, ::1' },
);
