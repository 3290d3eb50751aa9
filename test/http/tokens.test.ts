import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { RsaTokenKeys as TokenKeys } from '../../src/adapters/crypto/token-keys.js';
import { describeEachDialect } from '../helpers/harness.js';

describeEachDialect('POST /oauth/token (client credentials) and the JWKS', (env) => {
  const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

  test('a JSON client-credentials request yields an RS256 token that verifies against /.well-known/jwks.json', async () => {
    const { bootstrap, api } = env();
    const res = await api('POST', '/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: bootstrap.clientId, client_secret: bootstrap.clientSecret, audience: 'https://localhost/api/v2/' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 86400);
    assert.match(body.scope, /read:phone_providers/);
    const jwks = (await api('GET', '/.well-known/jwks.json')).json() as JSONWebKeySet;
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!['d'], undefined, 'the JWKS never carries private parts');
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: 'https://localhost/',
      audience: 'https://localhost/api/v2/',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.kid, jwks.keys[0]!.kid);
    assert.equal(payload.sub, `${bootstrap.clientId}@clients`);
    assert.equal(payload['gty'], 'client-credentials');
  });

  test('a form body with HTTP Basic client authentication works, and scope narrows the granted scopes', async () => {
    const { bootstrap, app } = env();
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        host: 'localhost',
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${bootstrap.clientId}:${bootstrap.clientSecret}`).toString('base64')}`,
      },
      payload: form({ grant_type: 'client_credentials', audience: 'https://localhost/api/v2/', scope: 'read:phone_providers read:nothing' }),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().scope, 'read:phone_providers');
  });

  test('bad client credentials and bad requests answer OAuth2 error bodies', async () => {
    const { bootstrap, api } = env();
    const base = { grant_type: 'client_credentials', client_id: bootstrap.clientId, audience: 'https://localhost/api/v2/' };
    const cases: Array<[unknown, number, string]> = [
      [{ ...base, client_secret: 'wrong' }, 401, 'invalid_client'],
      [{ ...base, client_id: 'nobody', client_secret: 'x' }, 401, 'invalid_client'],
      [{ ...base }, 401, 'invalid_client'],
      [{ grant_type: 'client_credentials', client_secret: 'x' }, 400, 'invalid_request'],
      [{ ...base, client_secret: bootstrap.clientSecret, grant_type: 'urn:nope' }, 400, 'unsupported_grant_type'],
      [{ ...base, client_secret: bootstrap.clientSecret, audience: undefined }, 403, 'access_denied'],
      [{ ...base, client_secret: bootstrap.clientSecret, audience: 'https://elsewhere.example/api/v2/' }, 403, 'access_denied'],
      [{ client_id: bootstrap.clientId }, 400, 'invalid_body'],
      [{ ...base, client_secret: 5 }, 400, 'invalid_body'],
      ['{"grant_type":', 400, 'invalid_json'],
    ];
    for (const [body, status, error] of cases) {
      const res = await api('POST', '/oauth/token', { body });
      assert.equal(res.statusCode, status, `${JSON.stringify(body)} → ${res.body}`);
      const b = res.json();
      assert.equal(b.error, error, res.body);
      assert.equal(typeof b.error_description, 'string');
      assert.equal(b.statusCode, undefined, 'Authentication API errors use the OAuth2 body');
    }
  });

  test('a client without the client_credentials grant type is refused', async () => {
    const { api } = env();
    const token = await env().token();
    const created = await api('POST', '/api/v2/clients', { token, body: { name: 'spa', app_type: 'spa', grant_types: ['password'] } });
    assert.equal(created.statusCode, 201, created.body);
    const { client_id, client_secret } = created.json();
    const res = await api('POST', '/oauth/token', {
      body: { grant_type: 'client_credentials', client_id, client_secret, audience: 'https://localhost/api/v2/' },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error, 'unauthorized_client');
  });

  test('openid-configuration names the issuer of the host it was asked on', async () => {
    const res = await env().api('GET', '/.well-known/openid-configuration', { host: 'localhost:3000' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().issuer, 'https://localhost:3000/');
    assert.equal(res.json().jwks_uri, 'https://localhost:3000/.well-known/jwks.json');
  });

  test('the discovery documents vary by Host (each host is its own issuer, or its own tenant)', async () => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const res = await env().api('GET', url);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['vary']), /\bhost\b/i, url);
    }
  });
});

describeEachDialect('Management API authentication and scopes', (env) => {
  test('no token, a malformed header, a forged or foreign token: 401 with the Auth0 body', async () => {
    const { api } = env();
    const none = await api('GET', '/api/v2/clients');
    assert.equal(none.statusCode, 401);
    assert.deepEqual(none.json(), { statusCode: 401, error: 'Unauthorized', message: 'Missing authentication', errorCode: 'missing_authentication' });
    assert.equal((await api('GET', '/api/v2/clients', { headers: { authorization: 'Token abc' } })).statusCode, 401);
    const forged = await api('GET', '/api/v2/clients', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().errorCode, 'invalid_token');
    // A token of another tenant, presented on this tenant's host, fails the signature check.
    const other = await env().createTenant('other-tenant', 'other.example');
    const foreign = await api('GET', '/api/v2/clients', { token: other.token });
    assert.equal(foreign.statusCode, 401);
    // The same token is good on its own tenant's host.
    assert.equal((await api('GET', '/api/v2/clients', { token: other.token, host: 'other.example' })).statusCode, 200);
    // Other spellings of that host (a trailing dot, upper case, a port) are that host, not the default tenant.
    for (const host of ['other.example.', 'OTHER.Example', 'other.example.:443']) {
      assert.equal((await api('GET', '/api/v2/clients', { token: other.token, host })).statusCode, 200, host);
    }
    const jwks = async (host: string) => (await api('GET', '/.well-known/jwks.json', { host })).json().keys.map((k: { kid: string }) => k.kid).sort().join();
    assert.equal(await jwks('other.example.'), await jwks('other.example'));
    assert.notEqual(await jwks('other.example.'), await jwks('localhost'));
  });

  test('a token without the route scope gets 403 insufficient_scope naming the scope', async () => {
    const token = await env().token(['read:phone_providers']);
    const res = await env().api('GET', '/api/v2/clients', { token });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), {
      statusCode: 403,
      error: 'Forbidden',
      message: 'Insufficient scope, expected any of: read:clients',
      errorCode: 'insufficient_scope',
    });
  });

  test('made-up kids cost at most one re-read of the keys per interval; a key made by another process is still found', async () => {
    const { c } = env();
    const tenant = (await c.repos.tenants.findByName('default'))!;
    let reads = 0;
    const counting = { ...c.repos.signingKeys, list: (id: string) => (reads++, c.repos.signingKeys.list(id)) };
    const mine = new TokenKeys(counting, c.box, { now: () => new Date() });
    const expect = { issuers: ['https://localhost/'], audiences: ['https://localhost/api/v2/'] };
    const claims = { iss: 'https://localhost/', aud: 'https://localhost/api/v2/', sub: 'x@clients', gty: 'client-credentials', scope: 'read:clients' };
    assert.ok(await mine.verify(tenant.id, await mine.sign(tenant.id, claims, 60), expect));
    assert.equal(reads, 1);
    // Another process adds a key and signs with it: the first unknown kid re-reads the keys and finds it.
    const other = new TokenKeys(c.repos.signingKeys, c.box, { now: () => new Date() });
    await other.createKey(tenant.id);
    assert.ok(await mine.verify(tenant.id, await other.sign(tenant.id, claims, 60), expect));
    assert.equal(reads, 2);
    // Tokens naming kids that exist nowhere: refused, without another read (or decryption) each.
    const header = (kid: string) => Buffer.from(JSON.stringify({ alg: 'RS256', kid })).toString('base64url');
    for (let i = 0; i < 20; i++) assert.equal(await mine.verify(tenant.id, `${header(`made-up-${i}`)}.e30.c2ln`, expect), undefined);
    assert.equal(reads, 2);
  });

  test('a token whose audience names another API is refused', async () => {
    const { c } = env();
    const tenant = (await c.repos.tenants.findByName('default'))!;
    const token = await c.tokenKeys.sign(tenant.id, { iss: 'https://localhost/', aud: 'https://localhost/other/', sub: 'x@clients', gty: 'client-credentials', scope: 'read:clients' }, 60);
    assert.equal((await env().api('GET', '/api/v2/clients', { token })).statusCode, 401);
    const past = new TokenKeys(c.repos.signingKeys, c.box, { now: () => new Date(Date.now() - 3_600_000) });
    const expired = await past.sign(tenant.id, { iss: 'https://localhost/', aud: 'https://localhost/api/v2/', sub: 'x@clients', gty: 'client-credentials', scope: 'read:clients' }, 60);
    assert.equal((await env().api('GET', '/api/v2/clients', { token: expired })).statusCode, 401);
  });
});
