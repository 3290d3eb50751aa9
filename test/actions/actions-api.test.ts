import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
import type { ActionsModule } from '../../src/composition/actions-module.js';
import { describeEachDialect } from '../helpers/harness.js';
import { customProvider, message, recordingServer, seedExampleCode } from './fixtures.js';

const CPP = [{ id: 'custom-phone-provider', version: 'v1' }];

/** The real server: loopback allowed (the local endpoint), a short wall-clock limit so the timeout case ends quickly. */
const ENV = { ACTIONS_ALLOW_PRIVATE_NETWORK: 'true', ACTIONS_TIMEOUT_MS: '1500' };

describeEachDialect(
  'Actions API and the custom provider',
  (env) => {
    let mod: ActionsModule;
    let token: string;
    let tenant: { id: string; name: string };
    /** The harness's `api` (it fails on a 5xx and on any revealed secret) through the real app. */
    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, tok = token, host = 'localhost') => {
      const res = await env().api(method, url, { token: tok, host, ...(body !== undefined ? { body } : {}) });
      for (const secret of env().neverReveal) assert.ok(!res.body.includes(secret), `a secret was revealed by ${method} ${url}`);
      assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res;
    };

    before(async () => {
      mod = env().c.actions;
      token = await env().token();
      const t = await env().c.repos.tenants.findByName('default');
      tenant = { id: t!.id, name: t!.name };
    });

    test("the seed's example provider, deployed through the API, POSTs exactly its body with the bearer secret", async () => {
      const endpoint = await recordingServer();
      const secret = `sk_${randomBytes(16).toString('hex')}`;
      env().neverReveal.add(secret);
      try {
        const code = seedExampleCode();
        assert.match(code, /^const \{ fetch \} = require\('undici'\);\n/);
        assert.equal(await mod.customProviderActions.hasDeployedCustomPhoneProviderAction(tenant.id), false);
        const created = await call('POST', '/api/v2/actions/actions', {
          name: 'my-sms-gateway',
          supported_triggers: CPP,
          code,
          secrets: [
            { name: 'MY_ENDPOINT', value: `${endpoint.url}/sms` },
            { name: 'MY_SECRET', value: secret },
          ],
        });
        assert.equal(created.statusCode, 201);
        const action = created.json();
        assert.match(action.id, /^[0-9a-f-]{36}$/);
        assert.deepEqual(action.secrets.map((s: { name: string }) => s.name), ['MY_ENDPOINT', 'MY_SECRET']);
        assert.equal(action.all_changes_deployed, false);

        const deployed = await call('POST', `/api/v2/actions/actions/${action.id}/deploy`);
        assert.equal(deployed.statusCode, 200);
        assert.equal(deployed.json().deployed, true);
        assert.equal(deployed.json().number, 1);
        assert.equal(await mod.customProviderActions.hasDeployedCustomPhoneProviderAction(tenant.id), true);
        const bindings = (await call('GET', '/api/v2/actions/triggers/custom-phone-provider/bindings')).json();
        assert.equal(bindings.bindings[0].action.id, action.id, 'deploying binds the custom-phone-provider action');

        const m = message(tenant);
        const result = await mod.customSender.send(m, customProvider);
        assert.equal(result.status, 'sent');
        assert.equal(endpoint.received.length, 1);
        const got = endpoint.received[0]!;
        assert.equal(got.method, 'POST');
        assert.equal(got.url, '/sms');
        assert.equal(got.headers.authorization, `Bearer ${secret}`);
        const expected = JSON.stringify({
          from: m.from,
          action: 'second-factor-authenticator',
          language: m.locale,
          recipient: m.recipient,
          message_type: m.deliveryMethod,
          text: m.asText,
          code: m.code,
        });
        assert.equal(got.body, expected);

        const executionId = String(result.detail?.['executionId']);
        const execution = (await call('GET', `/api/v2/actions/executions/${executionId}`)).json();
        assert.equal(execution.trigger_id, 'custom-phone-provider');
        assert.equal(execution.results[0].outcome, 'success');
        assert.equal(execution.results[0].logs, '200\n{"ok":true}');
      } finally {
        await endpoint.close();
      }
    });

    test('deploys keep versions and flip the deployed flag; a deploy takes effect for the next send', async () => {
      const a = (await call('GET', '/api/v2/actions/actions?triggerId=custom-phone-provider')).json().actions[0];
      const patched = await call('PATCH', `/api/v2/actions/actions/${a.id}`, { code: 'exports.onExecuteCustomPhoneProvider = async (event, api) => { api.notification.drop("no route for " + event.notification.recipient); };' });
      assert.equal(patched.statusCode, 200);
      assert.equal(patched.json().all_changes_deployed, false);
      assert.deepEqual(patched.json().secrets.map((s: { name: string }) => s.name), ['MY_ENDPOINT', 'MY_SECRET'], 'secrets kept');
      await call('POST', `/api/v2/actions/actions/${a.id}/deploy`);
      // Re-applying the same draft (as a configuration tool does on every import) changes nothing:
      // the update writes nothing and the deploy answers the deployed version instead of a copy.
      const same = (await call('GET', `/api/v2/actions/actions/${a.id}`)).json();
      const again = await call('PATCH', `/api/v2/actions/actions/${a.id}`, { name: same.name, code: same.code, runtime: same.runtime, dependencies: same.dependencies, supported_triggers: same.supported_triggers });
      assert.equal(again.json().updated_at, same.updated_at, 'an update that changes nothing writes nothing');
      assert.equal(again.json().all_changes_deployed, true);
      assert.equal((await call('POST', `/api/v2/actions/actions/${a.id}/deploy`)).json().number, 2, 'the deployed version, not a copy');
      const versions = (await call('GET', `/api/v2/actions/actions/${a.id}/versions`)).json();
      assert.equal(versions.total, 2);
      assert.deepEqual(versions.versions.map((v: { number: number; deployed: boolean }) => [v.number, v.deployed]), [[2, true], [1, false]]);
      assert.equal((await call('GET', `/api/v2/actions/actions/${a.id}`)).json().deployed_version.number, 2);

      const dropped = await mod.customSender.send(message(tenant), customProvider);
      assert.deepEqual({ ...dropped, detail: undefined }, { status: 'failed', retryable: false, errorCode: 'dropped', reason: 'no route for +14155552671', detail: undefined });

      const outcomes: Record<string, unknown> = {};
      for (const [name, body] of Object.entries({
        retry: 'api.notification.retry("provider busy");',
        throw: 'throw new Error("boom");',
        reject: 'await Promise.reject(new Error("nope"));',
        timeout: 'await null; while (true) {}',
        denied: 'require("fs");',
      })) {
        await mod.service.update(tenant.id, a.id, { code: `exports.onExecuteCustomPhoneProvider = async (event, api) => { ${body} };` });
        await mod.service.deploy(tenant.id, a.id);
        const r = await mod.customSender.send(message(tenant), customProvider);
        assert.equal(r.status, 'failed');
        assert.match(String(r.detail?.['executionId']), /^[0-9a-f-]{36}$/);
        if (r.status === 'failed') outcomes[name] = [r.retryable, r.maxRetries, r.errorCode];
      }
      assert.deepEqual(outcomes, {
        retry: [true, 5, 'retry'],
        throw: [true, 5, 'action_error'],
        reject: [true, 5, 'action_error'],
        timeout: [true, 5, 'timeout'],
        denied: [false, undefined, 'denied'],
      });
    });

    test('at most one action serves custom-phone-provider; names are unique; secrets never come back', async () => {
      const second = await call('POST', '/api/v2/actions/actions', { name: 'second', supported_triggers: CPP, code: '' });
      assert.equal(second.statusCode, 409);
      assert.equal(second.json().errorCode, 'action_trigger_conflict');
      const spm = { name: 'my-sms-gateway', supported_triggers: [{ id: 'send-phone-message', version: 'v2' }] };
      assert.equal((await call('POST', '/api/v2/actions/actions', spm)).json().errorCode, 'action_name_conflict');
      assert.equal((await call('POST', '/api/v2/actions/actions', { name: 'x', supported_triggers: [{ id: 'post-login', version: 'v3' }] })).json().errorCode, 'unsupported_trigger');
      const triggers = (await call('GET', '/api/v2/actions/triggers')).json().triggers;
      assert.deepEqual(triggers[0], { id: 'custom-phone-provider', version: 'v1', status: 'CURRENT', runtimes: ['node18-actions', 'node22'], default_runtime: 'node22', binding_policy: 'trigger-bound', compatible_triggers: [] });
      const noScope = await env().token(['read:clients']);
      assert.equal((await call('GET', '/api/v2/actions/actions', undefined, noScope)).statusCode, 403);
    });

    test('a create that fails to build leaves no action; a binding_id listed twice is a 400', async () => {
      const broken = await call('POST', '/api/v2/actions/actions', { name: 'broken-build', supported_triggers: [{ id: 'send-phone-message', version: 'v2' }], code: 'exports.x = (', deploy: true });
      assert.equal(broken.statusCode, 400, broken.body);
      assert.equal(broken.json().errorCode, 'action_build_failed');
      assert.equal((await call('GET', '/api/v2/actions/actions?actionName=broken-build')).json().total, 0, 'nothing was written');
      const spm = '/api/v2/actions/triggers/send-phone-message/bindings';
      const hook = await call('POST', '/api/v2/actions/actions', { name: 'twice-bound', supported_triggers: [{ id: 'send-phone-message', version: 'v2' }], code: 'exports.onExecuteSendPhoneMessage = async () => {};', deploy: true });
      assert.equal(hook.statusCode, 201, hook.body);
      try {
        const bound = (await call('PATCH', spm, { bindings: [{ ref: { type: 'action_id', value: hook.json().id } }] })).json().bindings as Array<{ id: string }>;
        assert.equal(bound.length, 1);
        const rebound = (await call('PATCH', spm, { bindings: [{ ref: { type: 'action_name', value: 'twice-bound' } }] })).json().bindings as Array<{ id: string; created_at: string }>;
        assert.equal(rebound[0]!.id, bound[0]!.id, 'binding the same action again keeps its binding');
        const renamed = (await call('PATCH', spm, { bindings: [{ ref: { type: 'action_id', value: hook.json().id }, display_name: 'renamed' }] })).json().bindings as Array<{ id: string; display_name: string }>;
        assert.deepEqual([renamed[0]!.id, renamed[0]!.display_name], [bound[0]!.id, 'renamed']);
        const twice = { bindings: [{ ref: { type: 'binding_id', value: bound[0]!.id } }, { ref: { type: 'binding_id', value: bound[0]!.id } }] };
        const res = await call('PATCH', spm, twice);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().errorCode, 'invalid_binding');
      } finally {
        assert.equal((await call('PATCH', spm, { bindings: [] })).statusCode, 200);
        assert.equal((await call('DELETE', `/api/v2/actions/actions/${hook.json().id}`)).statusCode, 204);
      }
    });

    test('concurrent deploys, deploys racing a delete, and concurrent binding changes never answer 500', async () => {
      const spm = [{ id: 'send-phone-message', version: 'v2' }];
      const code = 'exports.onExecuteSendPhoneMessage = async () => {};';
      const a = (await call('POST', '/api/v2/actions/actions', { name: 'racer', supported_triggers: spm, code })).json();
      const deploys = await Promise.all(Array.from({ length: 8 }, () => call('POST', `/api/v2/actions/actions/${a.id}/deploy`)));
      assert.deepEqual(deploys.map((r) => r.statusCode), Array(8).fill(200));
      // Deploys that raced the first one may each have made a version (none of the unchanged draft
      // after a deploy ended); the versions made are numbered 1..n without a gap or a repeat.
      const numbers = [...new Set(deploys.map((r) => r.json().number as number))].sort((x, y) => x - y);
      assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => i + 1), 'one number each');
      const made = (await call('GET', `/api/v2/actions/actions/${a.id}/versions?per_page=50`)).json();
      assert.equal(made.total, numbers.length, 'every version answered is kept, and only those');
      const bindings = '/api/v2/actions/triggers/send-phone-message/bindings';
      const body = { bindings: [{ ref: { type: 'action_id', value: a.id } }] };
      const binds = await Promise.all(Array.from({ length: 6 }, () => call('PATCH', bindings, body)));
      assert.deepEqual(binds.map((r) => r.statusCode), Array(6).fill(200));
      assert.equal((await call('GET', bindings)).json().bindings.length, 1);
      const [deployed, deleted] = await Promise.all([call('POST', `/api/v2/actions/actions/${a.id}/deploy`), call('DELETE', `/api/v2/actions/actions/${a.id}?force=true`)]);
      assert.ok([200, 404].includes(deployed.statusCode), deployed.body);
      assert.equal(deleted.statusCode, 204, deleted.body);
      assert.equal((await call('GET', `/api/v2/actions/actions/${a.id}`)).statusCode, 404);
      assert.equal((await env().c.storage.db.selectFrom('action_versions').select('id').where('action_id', '=', a.id).execute()).length, 0, 'no version outlives its action');
    });

    test('storage one tenant can fill is bounded: versions kept per action, actions per tenant', async () => {
      const { MAX_VERSIONS_KEPT } = await import('../../src/adapters/storage/action-repository.js');
      const { MAX_ACTIONS_PER_TENANT } = await import('../../src/domain/actions/action-service.js');
      const spm = [{ id: 'send-phone-message', version: 'v2' }];
      const a = (await call('POST', '/api/v2/actions/actions', { name: 'many-versions', supported_triggers: spm, code: 'exports.onExecuteSendPhoneMessage = async () => {};' })).json();
      for (let i = 0; i < MAX_VERSIONS_KEPT + 3; i++) {
        // Each deploy follows a change: a deploy of an unchanged draft makes no version.
        assert.equal((await call('PATCH', `/api/v2/actions/actions/${a.id}`, { code: `exports.onExecuteSendPhoneMessage = async () => {}; // ${i}` })).statusCode, 200);
        assert.equal((await call('POST', `/api/v2/actions/actions/${a.id}/deploy`)).statusCode, 200);
      }
      const versions = (await call('GET', `/api/v2/actions/actions/${a.id}/versions?per_page=100`)).json();
      assert.equal(versions.total, MAX_VERSIONS_KEPT);
      assert.equal(versions.versions[0].number, MAX_VERSIONS_KEPT + 3, 'the newest (deployed) is kept');
      assert.equal((await call('DELETE', `/api/v2/actions/actions/${a.id}`)).statusCode, 204);
      // Actions per tenant: fill up to the limit (storage directly, for speed), then one more through the API.
      const tenant = (await env().c.repos.tenants.findByName('default'))!;
      const have = (await call('GET', '/api/v2/actions/actions?per_page=1')).json().total as number;
      const now = new Date().toISOString();
      const filler = Array.from({ length: MAX_ACTIONS_PER_TENANT - have }, (_, i) => i);
      for (const i of filler) {
        await env().c.repos.actions.insert(tenant.id, { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `filler-${i}`, supportedTriggers: spm, code: '', dependencies: [], runtime: 'node22', secrets: [], secretsSealed: null, exclusiveTrigger: null, allChangesDeployed: false, createdAt: now, updatedAt: now });
      }
      try {
        const over = await call('POST', '/api/v2/actions/actions', { name: 'one-too-many', supported_triggers: spm, code: '' });
        assert.equal(over.statusCode, 409, over.body);
        assert.equal(over.json().errorCode, 'too_many_actions');
      } finally {
        for (const i of filler) await env().c.repos.actions.delete(tenant.id, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      }
    });

    test('secret names such as __proto__ and constructor are names like any other', async () => {
      const code = 'exports.onExecuteSendPhoneMessage = async (event) => ({ keys: Object.keys(event.secrets).sort(), proto: event.secrets["__proto__"] });';
      const spm = [{ id: 'send-phone-message', version: 'v2' }];
      const created = await call('POST', '/api/v2/actions/actions', { name: 'proto-secrets', supported_triggers: spm, code, secrets: [{ name: '__proto__', value: 'p-value' }, { name: 'API_KEY', value: 'k' }] });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      try {
        assert.deepEqual(created.json().secrets.map((x: { name: string }) => x.name), ['__proto__', 'API_KEY']);
        const run = (await call('POST', `/api/v2/actions/actions/${id}/test`, { payload: {} })).json().payload;
        assert.deepEqual(run.returned, { keys: ['API_KEY', '__proto__'], proto: 'p-value' });
        // A value-less secret must be one that exists: an inherited member of Object.prototype is not.
        const patched = await call('PATCH', `/api/v2/actions/actions/${id}`, { secrets: [{ name: 'constructor' }, { name: 'API_KEY' }] });
        assert.equal(patched.statusCode, 400, patched.body);
        assert.match(patched.json().message, /secret constructor needs a value/);
      } finally {
        assert.equal((await call('DELETE', `/api/v2/actions/actions/${id}`)).statusCode, 204);
      }
    });

    test('send-phone-message: bind after deploy, test runs, and the legacy hook gets message_options', async () => {
      const code = 'exports.onExecuteSendPhoneMessage = async (event, api) => { const c = api.cache.get("n"); api.cache.set("n", String(Number(c ? c.value : 0) + 1)); console.log(event.message_options.action, event.message_options.message_type, event.message_options.text); return { seen: event.message_options, n: Number(c ? c.value : 0) + 1, tenant: event.tenant, secret: event.secrets.S }; };';
      const a = (await call('POST', '/api/v2/actions/actions', { name: 'legacy-hook', supported_triggers: [{ id: 'send-phone-message', version: 'v2' }], code, secrets: [{ name: 'S', value: 'tenant-a-value' }] })).json();
      const bind = { bindings: [{ ref: { type: 'action_name', value: 'legacy-hook' } }] };
      assert.equal((await call('PATCH', '/api/v2/actions/triggers/send-phone-message/bindings', bind)).json().errorCode, 'action_not_deployed');
      await call('POST', `/api/v2/actions/actions/${a.id}/deploy`);
      const bound = await call('PATCH', '/api/v2/actions/triggers/send-phone-message/bindings', bind);
      assert.equal(bound.statusCode, 200);
      assert.equal(bound.json().bindings[0].action.name, 'legacy-hook');

      const r = await mod.sendPhoneMessage.send(message(tenant, { type: 'otp_enroll', deliveryMethod: 'voice' }), customProvider);
      assert.equal(r.status, 'sent');
      const exec = (await call('GET', `/api/v2/actions/executions/${String(r.detail?.['executionId'])}`)).json();
      assert.equal(exec.results[0].logs, 'enrollment voice Your code is 1. 2. 3. 4. 5. 6.');

      const tested = await call('POST', `/api/v2/actions/actions/${a.id}/test`, { payload: { message_options: { action: 'second-factor-authentication', message_type: 'sms', text: 'hi', code: '1', recipient: '+1' }, tenant: { id: 'default' } } });
      assert.equal(tested.statusCode, 200);
      const p = tested.json().payload;
      assert.equal(p.outcome, 'success');
      assert.deepEqual(p.returned, { seen: { action: 'second-factor-authentication', message_type: 'sms', text: 'hi', code: '1', recipient: '+1' }, n: 2, tenant: { id: 'default' }, secret: 'tenant-a-value' });
      assert.equal(p.logs, 'second-factor-authentication sms hi');
      assert.equal((await call('GET', `/api/v2/actions/executions/${p.execution_id}`)).json().results[0].action_name, 'legacy-hook');

      assert.equal((await call('DELETE', `/api/v2/actions/actions/${a.id}`)).json().errorCode, 'action_is_bound');
    });

    test("another tenant sees neither the actions, the secrets nor the cache of this one", async () => {
      const b = await env().createTenant('tenant-b', 'b.example');
      const tb = await env().c.repos.tenants.findByName('tenant-b');
      const mine = (await call('GET', '/api/v2/actions/actions?actionName=legacy-hook')).json().actions[0];
      assert.equal((await call('GET', `/api/v2/actions/actions/${mine.id}`, undefined, b.token, 'b.example')).statusCode, 404);
      assert.deepEqual((await call('GET', '/api/v2/actions/actions', undefined, b.token, 'b.example')).json().actions, []);

      const code = 'exports.onExecuteSendPhoneMessage = async (event, api) => ({ cached: api.cache.get("n") ?? null, secrets: event.secrets, g: typeof globalThis.__unifone });';
      const created = (await call('POST', '/api/v2/actions/actions', { name: 'b-hook', supported_triggers: [{ id: 'send-phone-message', version: 'v2' }], code, deploy: true }, b.token, 'b.example')).json();
      const r = (await call('POST', `/api/v2/actions/actions/${created.id}/test`, { payload: { secrets: { S: 'forged' } } }, b.token, 'b.example')).json().payload;
      assert.deepEqual(r.returned, { cached: null, secrets: {}, g: 'undefined' });
      // Tenant A's cache entry is still there for A.
      const entries = await env().c.repos.actionCache.list(tenant.id, 'send-phone-message', Date.now());
      assert.equal(entries.find((e) => e.key === 'n')?.value, '2');
      assert.deepEqual(await env().c.repos.actionCache.list(tb!.id, 'send-phone-message', Date.now()), []);
    });
  },
  ENV,
);
