import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.js';
import { renderBody } from '../../src/domain/notifications/render.js';
import { MAX_RENDER_STEPS } from '../../src/domain/templates/liquid.js';
import { describeEachDialect } from '../helpers/harness.js';

const T = '/api/v2/branding/phone/templates';
/** 30 × 30 iterations: ~1 800 nodes rendered (12 ms warm on this machine, far under the old 200 ms limit). */
const NESTED = '{% for i in (1..30) %}{% for j in (1..30) %}{{ i }}{{ j }}{% endfor %}{% endfor %}';
let v = 0;
const key = () => ({ id: 'budget-test', version: ++v, part: 'text' as const });

describe('template rendering budget (nodes rendered, counted: no clock)', () => {
  test('a nested loop past the budget is refused with invalid_template, whatever the time it would take', () => {
    assert.throws(
      () => renderBody(key(), NESTED, {}),
      (e: unknown) => e instanceof AppError && e.code === 'invalid_template' && /render step limit exceeded/.test(e.message),
    );
  });

  test('a template of up to MAX_RENDER_STEPS nodes renders; one more node is refused', () => {
    // `{% for %}` over n items with one node inside: 1 (the loop) + n (one node per iteration).
    const loop = (n: number) => `{% for i in (1..${n}) %}x{% endfor %}`;
    assert.equal(renderBody(key(), loop(MAX_RENDER_STEPS - 1), {}), 'x'.repeat(MAX_RENDER_STEPS - 1));
    assert.throws(() => renderBody(key(), loop(MAX_RENDER_STEPS), {}), /render step limit exceeded/);
  });

  test('a loop over data is counted the same at send time (data a user could enlarge)', () => {
    const items = Array.from({ length: MAX_RENDER_STEPS * 2 }, (_, i) => i);
    assert.throws(() => renderBody(key(), '{% for i in user.user_metadata.items %}{{ i }}{% endfor %}', { user: { user_metadata: { items } } }), /render step limit exceeded/);
    assert.equal(renderBody(key(), '{% for i in user.user_metadata.items %}{{ i }}{% endfor %}', { user: { user_metadata: { items: [1, 2] } } }), '12');
  });

  test('each render has its own budget (three renders of 60% of it all pass)', () => {
    const n = Math.ceil(MAX_RENDER_STEPS * 0.6);
    const body = `{% for i in (1..${n}) %}x{% endfor %}`;
    for (let i = 0; i < 3; i++) assert.equal(renderBody(key(), body, {}).length, n);
  });
});

describeEachDialect('phone templates: the rendering budget is checked when a template is saved', (env) => {
  test('POST and PATCH refuse a body that renders past the budget (text or voice); a normal one is saved', async () => {
    const { api } = env();
    const token = await env().token();
    for (const body of [{ text: NESTED }, { voice: NESTED }]) {
      const r = await api('POST', T, { token, body: { type: 'otp_verify', content: { body } } });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().errorCode, 'invalid_template');
      assert.match(r.json().message, /render step limit exceeded/);
    }
    const ok = await api('POST', T, { token, body: { type: 'otp_verify', content: { body: { text: 'Your code is {{ code }}' } } } });
    assert.equal(ok.statusCode, 201, ok.body);
    const patched = await api('PATCH', `${T}/${ok.json().id}`, { token, body: { content: { body: { text: NESTED } } } });
    assert.equal(patched.statusCode, 400, patched.body);
    assert.equal(patched.json().errorCode, 'invalid_template');
  });
});
