import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';
import { setupTenant, type AuthFixture } from './helpers.js';

/**
 * Bad input on every Authentication API endpoint: malformed bodies, wrong content types, bodies
 * that are not objects, wrong types, oversized values, missing and unknown parameters. Each answers
 * 4xx with the OAuth2 error body and never a 500 (the harness fails any 5xx).
 */
const POSTS = [
  '/oauth/token',
  '/passwordless/start',
  '/mfa/associate',
  '/mfa/challenge',
  '/dbconnections/signup',
  '/dbconnections/verify_phone',
  '/dbconnections/change_password',
  '/dbconnections/reset_password',
];

function assertOAuthError(res: { statusCode: number; body: string }, where: string): Record<string, unknown> {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${where} → ${res.statusCode} ${res.body}`);
  const b = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(typeof b['error'], 'string', `${where}: ${res.body}`);
  assert.equal(typeof b['error_description'], 'string', `${where}: ${res.body}`);
  assert.equal(b['statusCode'], undefined, `${where}: Authentication API errors use the OAuth2 body`);
  return b;
}

describeEachDialect('bad input on every Authentication API endpoint', (env) => {
  let fx: AuthFixture;

  test('setup', async () => {
    fx = await setupTenant(env());
  });

  test('malformed JSON, other content types and non-object bodies', async () => {
    const { app } = env();
    for (const url of POSTS) {
      const malformed = await env().api('POST', url, { body: '{"client_id":' });
      assert.equal(assertOAuthError(malformed, `${url} malformed`)['error'], 'invalid_json');
      const xml = await app.inject({ method: 'POST', url, headers: { host: 'localhost', 'content-type': 'text/xml' }, payload: '<a/>' });
      assert.equal(assertOAuthError(xml, `${url} xml`)['error'], 'unsupported_media_type');
      for (const bad of ['[]', '"text"', '12', 'null']) assertOAuthError(await env().api('POST', url, { body: bad }), `${url} ${bad}`);
      assertOAuthError(await env().api('POST', url, { body: {} }), `${url} {}`);
    }
  });

  test('wrong types, oversized values and unknown parameters', async () => {
    const c = { client_id: fx.app.clientId, client_secret: fx.app.clientSecret };
    const cases: Array<[string, Record<string, unknown>]> = [
      ['/oauth/token', { ...c, grant_type: 7 }],
      ['/oauth/token', { ...c, grant_type: 'password', username: { a: 1 }, password: 'x' }],
      ['/oauth/token', { ...c, grant_type: 'password', username: 'u'.repeat(10_000), password: 'x' }],
      ['/oauth/token', { ...c, grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', username: '+14155552671', otp: ['1'], realm: 'sms' }],
      ['/oauth/token', { ...c, grant_type: 'http://auth0.com/oauth/grant-type/mfa-oob', mfa_token: 'not-a-token', oob_code: 'x', binding_code: '1' }],
      ['/oauth/token', { ...c, grant_type: 'refresh_token', refresh_token: 'nope' }],
      ['/passwordless/start', { ...c, connection: 'sms', phone_number: 14155552671, send: 'code' }],
      ['/passwordless/start', { ...c, connection: 'sms', phone_number: '+1'.padEnd(5000, '1'), send: 'code' }],
      ['/passwordless/start', { ...c, connection: 'sms', phone_number: '+14155552671', send: 'code', surprise: true }],
      ['/passwordless/start', { ...c, connection: 'nope', phone_number: '+14155552671', send: 'code' }],
      ['/mfa/associate', { ...c, authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: '+14155552671' }],
      ['/mfa/challenge', { ...c, mfa_token: 12, challenge_type: 'oob' }],
      ['/mfa/challenge', { ...c, mfa_token: 'x.y.z', challenge_type: 'oob' }],
      ['/dbconnections/signup', { client_id: fx.app.clientId, connection: 'Username-Password-Authentication', phone_number: 'not a phone', password: 'x' }],
      ['/dbconnections/signup', { client_id: fx.app.clientId, connection: 'Username-Password-Authentication', phone_number: '+14155552671', password: 12345 }],
      ['/dbconnections/verify_phone', { client_id: fx.app.clientId, connection: 'Username-Password-Authentication', phone_number: '+14155552671', code: {} }],
      ['/dbconnections/change_password', { client_id: fx.app.clientId, connection: 'nope', phone_number: '+14155552671' }],
      ['/dbconnections/reset_password', { client_id: fx.app.clientId, connection: 'Username-Password-Authentication', phone_number: '+14155552671', code: '000000', new_password: 7 }],
    ];
    for (const [url, body] of cases) assertOAuthError(await env().api('POST', url, { body }), `${url} ${JSON.stringify(body).slice(0, 120)}`);
    for (const url of ['/mfa/authenticators', '/mfa/authenticators/sms%7Cdev_x']) {
      const method = url.endsWith('authenticators') ? 'GET' : 'DELETE';
      assertOAuthError(await env().api(method, url), `${method} ${url} without token`);
      assertOAuthError(await env().api(method, url, { token: 'garbage' }), `${method} ${url} with a bad token`);
      assertOAuthError(await env().api(method, url, { token: fx.mgmt }), `${method} ${url} with a Management API token`);
    }
  });

  test('a JSON body posted as a form is refused without repeating it: the client secret in it stays out of the answer', async () => {
    const json = JSON.stringify({ client_id: fx.app.clientId, client_secret: fx.app.clientSecret, connection: 'sms', phone_number: '+14155552671', send: 'code' });
    for (const url of POSTS) {
      const res = await env().app.inject({ method: 'POST', url, headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' }, payload: json });
      assertOAuthError(res, `${url} JSON as a form`);
      assert.ok(!res.body.includes(fx.app.clientSecret), `${url} repeated the client secret: ${res.body}`);
    }
    const start = await env().app.inject({ method: 'POST', url: '/passwordless/start', headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' }, payload: `${json}&surprise=1` });
    assert.equal(assertOAuthError(start, 'passwordless JSON as a form')['error_description'], 'the following properties are not allowed: surprise and 1 property whose name is not an identifier');
  });

  test('the NUL character anywhere in a request is refused (400), on PostgreSQL too, whose text cannot hold it', async () => {
    const c = { client_id: fx.app.clientId, client_secret: fx.app.clientSecret };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/mfa/associate', { client_id: '\u0000', client_secret: 'x', authenticator_types: [] }, 'invalid_body'],
      ['/oauth/token', { ...c, grant_type: 'password', username: 'a\u0000b', password: 'x' }, 'invalid_body'],
      ['/passwordless/start', { ...c, connection: 'sms\u0000', phone_number: '+14155552671', send: 'code' }, 'invalid_body'],
      ['/dbconnections/signup', { client_id: fx.app.clientId, connection: 'Username-Password-Authentication', phone_number: '+14155552671', password: 'Correct horse 1!', username: '\u0000' }, 'invalid_body'],
    ];
    for (const [url, body, error] of cases) assert.equal(assertOAuthError(await env().api('POST', url, { body }), url)['error'], error);
    const form = await env().app.inject({ method: 'POST', url: '/oauth/token', headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=%00&client_secret=x` });
    assert.equal(assertOAuthError(form, 'form with %00')['error'], 'invalid_body');
    assert.equal(assertOAuthError(await env().api('DELETE', '/mfa/authenticators/sms%7C%00', { token: 'x' }), 'path with %00')['error'], 'invalid_uri');
  });
});
