import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { TEMPLATE_TYPES } from '../../src/domain/ports.js';
import { DEFAULT_TEMPLATES } from '../../src/domain/templates/template-defaults.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';

const T = '/api/v2/branding/phone/templates';
const MISSING = 'tem_AAAAAAAAAAAAAAAAAAAAAA';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const FROM = '+14155552671';

/** Tests share one server per dialect: after each, every created template is deleted. */
async function cleanup(e: TestEnv): Promise<void> {
  assert.ok(!e.logs.some((l) => l.includes('unhandled error')), 'no request ended in a 500');
  const token = await e.token();
  for (const t of (await e.api('GET', T, { token })).json().templates) if (t.id) await e.api('DELETE', `${T}/${t.id}`, { token });
}

const versionOf = async (e: TestEnv, id: string) => {
  const tenant = (await e.c.repos.tenants.findByName('default'))!;
  return (await e.c.repos.phoneTemplates.get(tenant.id, id))!.version;
};

describeEachDialect('/api/v2/branding/phone/templates', (env) => {
  afterEach(() => cleanup(env()));

  test('an empty tenant lists the five built-in defaults', async () => {
    const { api, c } = env();
    const token = await env().token();
    const res = await api('GET', T, { token });
    assert.equal(res.statusCode, 200, res.body);
    const tenant = (await c.repos.tenants.findByName('default'))!;
    assert.deepEqual(
      res.json(),
      {
        templates: TEMPLATE_TYPES.map((type) => ({
          tenant: 'default',
          channel: 'phone',
          type,
          disabled: false,
          created_at: tenant.createdAt,
          updated_at: tenant.createdAt,
          content: { syntax: 'liquid', from: '', body: { ...DEFAULT_TEMPLATES[type] } },
        })),
      },
    );
    assert.match(res.json().templates[0].content.body.voice, /\{\{ pause \}\}/);
    assert.equal((await api('GET', `${T}?disabled=true`, { token })).json().templates.length, 0);
    assert.equal((await api('GET', `${T}?disabled=false`, { token })).json().templates.length, 5);
  });

  test('create, get, list, update, reset and delete a template', async () => {
    const { api } = env();
    const token = await env().token();
    const body = { text: 'Code {{ code }} for {{ friendly_name | upcase }}', voice: 'Your code is {{ pause }} {{ code | split: "" | join: " " }}' };
    const created = await api('POST', T, { token, body: { type: 'otp_verify', disabled: false, content: { syntax: 'liquid', from: FROM, body } } });
    assert.equal(created.statusCode, 201, created.body);
    const t = created.json();
    assert.match(t.id, /^tem_[A-Za-z0-9]{22}$/);
    assert.match(t.created_at, ISO);
    assert.deepEqual(t, {
      id: t.id,
      tenant: 'default',
      channel: 'phone',
      type: 'otp_verify',
      disabled: false,
      created_at: t.created_at,
      updated_at: t.created_at,
      content: { syntax: 'liquid', from: FROM, body },
    });
    assert.equal(await versionOf(env(), t.id), 1);
    assert.deepEqual((await api('GET', `${T}/${t.id}`, { token })).json(), t);

    const dup = await api('POST', T, { token, body: { type: 'otp_verify' } });
    assert.equal(dup.statusCode, 409);
    assert.deepEqual(dup.json(), {
      statusCode: 409,
      error: 'Conflict',
      message: 'Phone template already configured for tenant',
      errorCode: 'phone_template_conflict',
    });

    const listed = (await api('GET', T, { token })).json().templates;
    assert.equal(listed.length, 5, 'the created template replaces the default of its type');
    assert.deepEqual(listed.find((x: { type: string }) => x.type === 'otp_verify'), t);
    assert.ok(listed.filter((x: { type: string }) => x.type !== 'otp_verify').every((x: { id?: string }) => x.id === undefined));

    const text = await api('PATCH', `${T}/${t.id}`, { token, body: { content: { body: { text: 'New {{ code }}' } } } });
    assert.equal(text.statusCode, 200, text.body);
    assert.deepEqual(text.json().content, { syntax: 'liquid', from: FROM, body: { text: 'New {{ code }}', voice: body.voice } }, 'partial');
    assert.equal(await versionOf(env(), t.id), 2);
    const off = await api('PATCH', `${T}/${t.id}`, { token, body: { disabled: true, content: { from: '+447911123456' } } });
    assert.equal(off.statusCode, 200);
    assert.equal(off.json().disabled, true);
    assert.equal(off.json().content.from, '+447911123456');
    assert.equal(off.json().content.body.text, 'New {{ code }}');
    assert.equal(off.json().type, 'otp_verify');
    assert.ok(off.json().updated_at >= t.updated_at);
    assert.equal(off.json().created_at, t.created_at);
    assert.equal((await api('GET', `${T}?disabled=true`, { token })).json().templates[0].id, t.id);
    assert.equal(await versionOf(env(), t.id), 3);

    // Reset takes any body, or none, and restores only the bodies.
    // The second reset finds the bodies at their default already: it writes nothing (no new version).
    for (const [n, payload] of [[4, { key: 'value' }], [4, undefined]] as const) {
      const reset = await api('PATCH', `${T}/${t.id}/reset`, { token, ...(payload ? { body: payload } : {}) });
      assert.equal(reset.statusCode, 200, reset.body);
      assert.equal(reset.json().id, t.id);
      assert.equal(reset.json().disabled, true);
      assert.equal(reset.json().content.from, '+447911123456');
      assert.deepEqual(reset.json().content.body, DEFAULT_TEMPLATES.otp_verify);
      assert.equal(await versionOf(env(), t.id), n);
    }

    const del = await api('DELETE', `${T}/${t.id}`, { token });
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    for (const [method, url] of [['GET', `${T}/${t.id}`], ['DELETE', `${T}/${t.id}`], ['PATCH', `${T}/${t.id}`], ['PATCH', `${T}/${t.id}/reset`]] as const) {
      const gone = await api(method, url, { token, ...(method === 'PATCH' ? { body: {} } : {}) });
      assert.equal(gone.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(gone.json(), {
        statusCode: 404,
        error: 'Not Found',
        message: 'Notification Resource not found',
        errorCode: 'inexistent_phone_template',
      });
    }
    const back = (await api('GET', T, { token })).json().templates.find((x: { type: string }) => x.type === 'otp_verify');
    assert.equal(back.id, undefined, 'the type falls back to its built-in default');
    assert.equal(back.content.from, '');
  });

  test('concurrent PATCHes of one template each take effect (compare-and-swap on the version)', async () => {
    const token = await env().token();
    const t = (await env().api('POST', T, { token, body: { type: 'otp_enroll', content: { body: { text: 'Enroll {{ code }}' } } } })).json();
    const changes = [{ disabled: true }, { content: { from: FROM } }, { content: { body: { text: 'Your code: {{ code }}' } } }, { content: { body: { voice: 'Say {{ code }}' } } }];
    const results = await Promise.all(changes.map((body) => env().api('PATCH', `${T}/${t.id}`, { token, body })));
    assert.deepEqual(results.map((r) => r.statusCode), [200, 200, 200, 200]);
    const got = (await env().api('GET', `${T}/${t.id}`, { token })).json();
    assert.equal(got.disabled, true);
    assert.equal(got.content.from, FROM);
    assert.equal(got.content.body.text, 'Your code: {{ code }}');
    assert.equal(got.content.body.voice, 'Say {{ code }}');
    assert.equal(await versionOf(env(), t.id), 1 + changes.length, 'one version per save');
  });

  test('a template created without content takes the defaults of its type and has no sender', async () => {
    const { api } = env();
    const token = await env().token();
    for (const type of TEMPLATE_TYPES) {
      const r = await api('POST', T, { token, body: { type, ...(type === 'otp_enroll' ? { content: { body: { voice: 'V {{ code }}' } } } : {}) } });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().disabled, false);
      assert.ok(!('from' in r.json().content), 'from is omitted when unset');
      assert.equal(r.json().content.body.text, DEFAULT_TEMPLATES[type].text);
      assert.equal(r.json().content.body.voice, type === 'otp_enroll' ? 'V {{ code }}' : DEFAULT_TEMPLATES[type].voice);
    }
    const listed = (await api('GET', T, { token })).json().templates;
    assert.deepEqual(listed.map((x: { type: string }) => x.type), [...TEMPLATE_TYPES]);
    assert.ok(listed.every((x: { id?: string }) => x.id));
  });

  test('bad input answers 400 with the Auth0 error body, never 500', async () => {
    const { api } = env();
    const token = await env().token();
    const ok = { type: 'otp_enroll', content: { body: { text: 'ok', voice: 'ok' } } };
    const withBody = (b: Record<string, unknown>) => ({ type: 'otp_enroll', content: { body: b } });
    const cases: Array<[string, unknown, string]> = [
      ['malformed JSON', '{"type": "otp_enroll"', 'invalid_json'],
      ['missing body', undefined, 'invalid_body'],
      ['array body', [ok], 'invalid_body'],
      ['missing type', { content: ok.content }, 'invalid_body'],
      ['unknown type', { type: 'welcome' }, 'invalid_body'],
      ['type of wrong type', { type: 3 }, 'invalid_body'],
      ['unknown field', { ...ok, channel: 'phone' }, 'invalid_body'],
      ['unknown content field', { type: 'otp_enroll', content: { subject: 'x' } }, 'invalid_body'],
      ['unknown body field', withBody({ html: 'x' }), 'invalid_body'],
      ['other syntax', { type: 'otp_enroll', content: { syntax: 'mustache' } }, 'invalid_body'],
      ['disabled as string', { ...ok, disabled: 'no' }, 'invalid_body'],
      ['empty from', { type: 'otp_enroll', content: { from: '' } }, 'invalid_body'],
      ['invalid number +1234567890', { type: 'otp_enroll', content: { from: '+1234567890' } }, 'invalid_body'],
      ['invalid number 12', { type: 'otp_enroll', content: { from: '12' } }, 'invalid_body'],
      ['oversized from', { type: 'otp_enroll', content: { from: `+1${'4'.repeat(20)}` } }, 'invalid_body'],
      ['empty text', withBody({ text: '' }), 'invalid_body'],
      ['oversized text', withBody({ text: 'x'.repeat(20001) }), 'invalid_body'],
      ['oversized voice', withBody({ voice: 'x'.repeat(20001) }), 'invalid_body'],
      ['text of wrong type', withBody({ text: 42 }), 'invalid_body'],
      ['unknown filter', withBody({ text: '{{ code | shout }}' }), 'invalid_template'],
      ['unclosed tag', withBody({ text: '{% if code %}yes' }), 'invalid_template'],
      ['unknown tag in voice', withBody({ voice: '{% sing %}' }), 'invalid_template'],
      ['unclosed output', withBody({ voice: 'code {{ code ' }), 'invalid_template'],
    ];
    for (const [what, body, code] of cases) {
      const r = await api('POST', T, { token, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(r.json().error, 'Bad Request', what);
      assert.equal(r.json().errorCode, code, `${what}: ${r.body}`);
    }
    const filter = await api('POST', T, { token, body: withBody({ text: '{{ code | shout }}' }) });
    assert.match(filter.json().message, /^Invalid template: undefined filter: shout/);
    assert.ok((await api('GET', T, { token })).json().templates.every((x: { id?: string }) => !x.id), 'nothing was created');

    // 20000 characters is allowed.
    const big = await api('POST', T, { token, body: withBody({ text: 'x'.repeat(20000) }) });
    assert.equal(big.statusCode, 201, big.body);
    const id = big.json().id;
    const more: Array<[string, string, unknown, number, string]> = [
      ['GET', `${T}/tem_short`, undefined, 400, 'invalid_uri'],
      ['GET', `${T}/pro_AAAAAAAAAAAAAAAAAAAAAA`, undefined, 400, 'invalid_uri'],
      ['PATCH', `${T}/nope/reset`, {}, 400, 'invalid_uri'],
      ['DELETE', `${T}/tem_${'A'.repeat(23)}`, undefined, 400, 'invalid_uri'],
      ['GET', `${T}/${MISSING}`, undefined, 404, 'inexistent_phone_template'],
      ['PATCH', `${T}/${MISSING}`, { disabled: true }, 404, 'inexistent_phone_template'],
      ['PATCH', `${T}/${MISSING}/reset`, undefined, 404, 'inexistent_phone_template'],
      ['DELETE', `${T}/${MISSING}`, undefined, 404, 'inexistent_phone_template'],
      ['GET', `${T}?disabled=sometimes`, undefined, 400, 'invalid_query_string'],
      ['GET', `${T}?type=otp_verify`, undefined, 400, 'invalid_query_string'],
      ['PATCH', `${T}/${id}`, '{"disabled": true', 400, 'invalid_json'],
      ['PATCH', `${T}/${id}/reset`, '{"key": ', 400, 'invalid_json'],
      ['PATCH', `${T}/${id}`, { type: 'otp_verify' }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { syntax: 'liquid' } }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { body: { sms: 'x' } } }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { disabled: 'yes' }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { from: '' } }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { from: '+1234567890' } }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { from: '12' } }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { body: { voice: 'x'.repeat(20001) } } }, 400, 'invalid_body'],
      ['PATCH', `${T}/${id}`, { content: { body: { text: '{{ code | nope }}' } } }, 400, 'invalid_template'],
      ['PATCH', `${T}/${id}`, { content: { body: { voice: '{% for x in y %}' } } }, 400, 'invalid_template'],
    ];
    for (const [method, url, body, status, code] of more) {
      const r = await api(method as 'GET', url, { token, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.statusCode, status, `${method} ${url} ${JSON.stringify(body)}: ${r.body}`);
      assert.equal(r.json().errorCode, code, `${method} ${url} ${JSON.stringify(body)}`);
    }
    assert.equal(await versionOf(env(), id), 1, 'refused changes changed nothing');
    const text = await env().app.inject({ method: 'POST', url: T, headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, payload: 'x' });
    assert.equal(text.statusCode, 415);
  });

  test('401 without a token, 403 without the route scope; tenants are isolated', async () => {
    const { api } = env();
    const all = await env().token();
    const t = (await api('POST', T, { token: all, body: { type: 'change_password' } })).json();
    const routes: Array<[string, string, string, unknown]> = [
      ['GET', T, 'read:phone_templates', undefined],
      ['POST', T, 'create:phone_templates', { type: 'otp_verify' }],
      ['GET', `${T}/${t.id}`, 'read:phone_templates', undefined],
      ['PATCH', `${T}/${t.id}`, 'update:phone_templates', { disabled: false }],
      ['PATCH', `${T}/${t.id}/reset`, 'update:phone_templates', {}],
      ['DELETE', `${T}/${t.id}`, 'delete:phone_templates', undefined],
    ];
    for (const [method, url, scope, body] of routes) {
      const anon = await api(method as 'GET', url, body !== undefined ? { body } : {});
      assert.equal(anon.statusCode, 401, `${method} ${url}`);
      assert.equal(anon.json().statusCode, 401);
      const other = scope.startsWith('read:') ? 'create:phone_templates' : 'read:phone_templates';
      const wrong = await api(method as 'GET', url, { token: await env().token([other, 'update:phone_providers']), ...(body !== undefined ? { body } : {}) });
      assert.equal(wrong.statusCode, 403, `${method} ${url}`);
      assert.deepEqual(wrong.json(), {
        statusCode: 403,
        error: 'Forbidden',
        message: `Insufficient scope, expected any of: ${scope}`,
        errorCode: 'insufficient_scope',
      });
    }
    const reset = await api('PATCH', `${T}/${t.id}/reset`, { token: await env().token(['update:phone_templates']) });
    assert.equal(reset.statusCode, 200, 'reset needs update:phone_templates only');

    const other = await env().createTenant('other-templates', 'templates.example');
    const opts = { token: other.token, host: 'templates.example' };
    assert.equal((await api('GET', `${T}/${t.id}`, opts)).statusCode, 404, 'another tenant cannot see this template');
    assert.equal((await api('DELETE', `${T}/${t.id}`, opts)).statusCode, 404);
    const theirs = (await api('GET', T, opts)).json().templates;
    assert.ok(theirs.every((x: { id?: string; tenant: string }) => !x.id && x.tenant === 'other-templates'));
    const mine = await api('POST', T, { ...opts, body: { type: 'change_password' } });
    assert.equal(mine.statusCode, 201, 'one template per type per tenant, not per server');
    assert.equal(mine.json().tenant, 'other-templates');
  });
});
