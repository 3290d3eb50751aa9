import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

/** `POST /api/v2/branding/phone/templates/render` (our extension): the server's renderer over sample data. */

const T = '/api/v2/branding/phone/templates';
const R = `${T}/render`;

describeEachDialect('/api/v2/branding/phone/templates/render', (env) => {
  test('a draft renders with the sample code and the tenant, the voice body spoken and split at {{ pause }}', async () => {
    const token = await env().token();
    const res = await env().api('POST', R, {
      token,
      body: { type: 'otp_verify', locale: 'fr', content: { body: { text: 'Code {{ code }} pour {{ friendly_name | upcase }} ({{ locale }}, {{ user.name }})\n\n@login.example #{{ code }}', voice: 'Votre code {{ pause }} {{ code }}' } } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json();
    const tenant = (await env().c.repos.tenants.findByName('default'))!;
    assert.equal(b.text, `Code 123456 pour ${tenant.friendlyName.toUpperCase()} (fr, Jane Doe)\n\n@login.example #123456`);
    assert.deepEqual(b.voice_segments, ['Votre code', '1. 2. 3. 4. 5. 6']);
    assert.equal(b.voice, 'Votre code, 1. 2. 3. 4. 5. 6');
    assert.equal(b.locale, 'fr');
    assert.equal(b.body_locale, 'fr');
    assert.equal(b.sample.code, '123456');
    // Nothing was stored.
    assert.ok((await env().api('GET', T, { token })).json().templates.every((t: { id?: string }) => t.id === undefined));
  });

  test('without a draft: the built-in body of the locale, then the tenant template once saved (and the default again when it is disabled)', async () => {
    const token = await env().token();
    const fr = (await env().api('POST', R, { token, body: { type: 'otp_verify', locale: 'fr-CA' } })).json();
    assert.match(fr.text, /^123456 est votre code de vérification pour /);
    assert.equal(fr.body_locale, 'fr');
    const blocked = (await env().api('POST', R, { token, body: { type: 'blocked_account' } })).json();
    assert.match(blocked.text, /from the ip 203\.0\.113\.9 from Lyon, France\./);
    assert.equal(blocked.sample.code, null);
    const created = await env().api('POST', T, { token, body: { type: 'change_password', content: { body: { text: 'Reset with {{ code }}' } } } });
    assert.equal(created.statusCode, 201, created.body);
    try {
      assert.equal((await env().api('POST', R, { token, body: { type: 'change_password' } })).json().text, 'Reset with 123456');
      // A part left out of a draft is the saved one.
      const partial = (await env().api('POST', R, { token, body: { type: 'change_password', content: { body: { voice: 'Say {{ code }}' } } } })).json();
      assert.equal(partial.text, 'Reset with 123456');
      assert.equal(partial.voice, 'Say 1. 2. 3. 4. 5. 6');
      await env().api('PATCH', `${T}/${created.json().id}`, { token, body: { disabled: true } });
      assert.match((await env().api('POST', R, { token, body: { type: 'change_password' } })).json().text, /^123456 is your password change code for /);
    } finally {
      await env().api('DELETE', `${T}/${created.json().id}`, { token });
    }
  });

  test('400 with the Auth0 body: Liquid that does not parse, an unknown filter, a bad type or locale', async () => {
    const token = await env().token();
    for (const body of [
      { type: 'otp_verify', content: { body: { text: 'Code {{ code ' } } },
      { type: 'otp_verify', content: { body: { text: 'Code {{ code | nosuchfilter }}' } } },
    ]) {
      const res = await env().api('POST', R, { token, body });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().errorCode, 'invalid_template');
      assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'errorCode', 'message', 'statusCode']);
    }
    for (const body of [{ type: 'nope' }, { type: 'otp_verify', locale: '<script>' }, { type: 'otp_verify', content: { syntax: 'liquid' } }, {}]) {
      const res = await env().api('POST', R, { token, body });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().statusCode, 400);
    }
  });

  test('a template that renders too much is 400, not a 500', async () => {
    const token = await env().token();
    const res = await env().api('POST', R, { token, body: { type: 'otp_verify', content: { body: { text: '{% for i in (1..3000) %}0123456789{% endfor %}' } } } });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().errorCode, 'invalid_template');
  });

  test('read:phone_templates is enough, and required', async () => {
    const reader = await env().token(['read:phone_templates']);
    assert.equal((await env().api('POST', R, { token: reader, body: { type: 'password_breach' } })).statusCode, 200);
    const other = await env().token(['read:phone_providers']);
    const res = await env().api('POST', R, { token: other, body: { type: 'password_breach' } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().errorCode, 'insufficient_scope');
  });

  test('tenant B renders with its own name, never tenant A', async () => {
    const b = await env().createTenant(`render-b-${env().dialect}`, `render-b-${env().dialect}.example`);
    const res = await env().api('POST', R, { token: b.token, host: `render-b-${env().dialect}.example`, body: { type: 'otp_verify', content: { body: { text: '{{ tenant }}' } } } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().text, `render-b-${env().dialect}`);
  });
});
