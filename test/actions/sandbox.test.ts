import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import type { RunResult } from '../../src/domain/actions/runner.js';
import { waitFor } from '../helpers/wait.js';
import { testRunner } from './helpers.js';

const failKind = (r: RunResult) => (r.ok ? 'ok' : r.kind);
const value = (r: RunResult) => {
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.value.returned;
};

describe('action sandbox: hostile code is contained', () => {
  const { runner, run, denials } = testRunner();
  after(() => runner.close());

  test('an infinite loop is stopped (timeout), and the next run of the tenant works in a fresh isolate', async () => {
    assert.equal(failKind(await run('t-loop', 'while (true) {}')), 'timeout');
    assert.equal(value(await run('t-loop', 'return 1')), 1);
  });

  test('an infinite loop after an await is stopped by the host watchdog (timeout)', async () => {
    assert.equal(failKind(await run('t-loop2', 'await new Promise((r) => setTimeout(r, 1)); while (true) {}')), 'timeout');
    assert.equal(failKind(await run('t-loop2', 'await null; for (;;) {}')), 'timeout');
    assert.equal(value(await run('t-loop2', 'return "alive"')), 'alive');
  });

  test('a promise that never settles ends at the wall-clock limit (timeout)', async () => {
    assert.equal(failKind(await run('t-hang', 'await new Promise(() => {})')), 'timeout');
  });

  test('a memory bomb hits the memory limit (oom); the tenant gets a new isolate', async () => {
    // Filling 64 MB, and V8's last-resort collections near the limit, can take more than the short
    // CPU limit of the other tests on a busy machine (the run then ends as a timeout): here the time
    // limits are generous, so that the memory limit is the one reached.
    const roomy = testRunner({ limits: { cpuTimeMs: 10_000, wallTimeMs: 20_000 } });
    try {
      assert.equal(failKind(await roomy.run('t-mem', 'const a = []; while (true) a.push(new Array(100000).fill(1.5));')), 'oom');
      assert.equal(failKind(await roomy.run('t-mem', 'const a = []; while (true) a.push(new Uint8Array(1 << 20).fill(1));')), 'oom');
      assert.equal(value(await roomy.run('t-mem', 'return "recovered"')), 'recovered');
    } finally {
      await roomy.runner.close();
    }
  });

  test('deep recursion is a runtime error', async () => {
    const r = await run('t-rec', 'function f() { return f() + 1; } f();');
    assert.equal(failKind(r), 'runtime');
    assert.match((r as { message: string }).message, /call stack/);
  });

  test('process, require of fs/child_process and Function-constructor escapes find nothing of the host', async () => {
    assert.equal(failKind(await run('t-esc', 'return process.env')), 'runtime');
    assert.equal(failKind(await run('t-esc', 'return typeof process + typeof global.process + typeof globalThis.require')), 'ok');
    assert.equal(value(await run('t-esc', 'return typeof process + "," + typeof globalThis.require + "," + typeof module')), 'undefined,undefined,object');
    for (const m of ['fs', 'child_process', 'net', 'http', 'node:fs', 'vm', 'worker_threads']) {
      const r = await run('t-esc', `require(${JSON.stringify(m)})`);
      assert.equal(failKind(r), 'denied', m);
      assert.match((r as { message: string }).message, /can require only 'undici' \(fetch, request\) and 'crypto'/);
    }
    assert.equal(failKind(await run('t-esc', "return this.constructor.constructor('return process')()")), 'runtime');
    assert.equal(failKind(await run('t-esc', "return (function(){}).constructor('return process')().mainModule")), 'runtime');
    assert.equal(failKind(await run('t-esc', "return api.constructor.constructor('return process')().exit(1)")), 'runtime');
    assert.equal(failKind(await run('t-esc', 'return event.constructor.constructor("return this")().process.binding("fs")')), 'runtime');
    assert.equal(failKind(await run('t-esc', 'return import("fs")')), 'runtime');
    // Error.prepareStackTrace hooks run inside the isolate, over isolate objects only.
    const r = await run('t-esc', 'Error.prepareStackTrace = (e, s) => s.map((f) => typeof f.getThis()).join(); return new Error("x").stack');
    assert.equal(failKind(r), 'ok');
    assert.equal(typeof (globalThis as Record<string, unknown>)['polluted'], 'undefined');
  });

  test('prototype pollution through the event stays inside the sandbox and the run', async () => {
    const event = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as Record<string, unknown>;
    const r = await run('t-proto', 'Object.assign(Object.prototype, event.__proto__); event.__proto__.isAdmin = true; return ({}).polluted', event);
    assert.equal(value(r), 'yes'); // the action polluted its own world...
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined); // ...not the host's
    assert.equal(({} as Record<string, unknown>)['isAdmin'], undefined);
    // Another tenant, and another action of the same tenant, start from clean prototypes.
    assert.equal(value(await run('t-proto-b', 'return ({}).polluted === undefined')), true);
    assert.equal(value(await run('t-proto', 'return ({}).polluted === undefined && "other action"')), 'other action');
  });

  test('huge console output is truncated, the run still succeeds', async () => {
    const r = await run('t-log', 'for (let i = 0; i < 100000; i++) console.log("x".repeat(1000)); return "done"');
    assert.equal(value(r), 'done');
    assert.ok(r.logs.length <= 4096 + 64, `logs are capped (${r.logs.length})`);
    assert.match(r.logs, /\[logs truncated\]$/);
  });

  test('fetch to loopback, link-local/metadata and private addresses is refused by the default egress policy', async () => {
    for (const url of ['http://127.0.0.1:9/', 'http://[::1]:9/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://192.168.1.1/', 'http://[::ffff:127.0.0.1]/', 'http://localhost:9/']) {
      const r = await run('t-net', `try { await fetch(${JSON.stringify(url)}); return "reached"; } catch (e) { return e.message + "|" + e.cause.code; }`);
      assert.match(String(value(r)), /^fetch failed.*\|EGRESS_DENIED$/, url);
      assert.match(r.logs, /network request denied/, url);
    }
    // The action is told that a name is refused, not what it resolves to; the host's log has the address.
    const byName = await run('t-net', 'try { await fetch("http://localhost:9/"); } catch (e) { return e.message + " " + e.cause.message; }');
    assert.doesNotMatch(String(value(byName)), /127\.0\.0\.1|::1|loopback/);
    assert.doesNotMatch(byName.logs, /127\.0\.0\.1|::1|loopback/);
    assert.ok(denials.some((d) => d.host === 'localhost' && /\(127\.0\.0\.1|::1/.test(d.msg)), 'the host log names the address');
    const undici = await run('t-net', 'const { request } = require("undici"); await request("http://127.0.0.1:9/")');
    assert.equal(failKind(undici), 'denied');
    assert.ok(denials.some((d) => d.host === '169.254.169.254' && /not allowed/.test(d.msg)), 'denials are logged by the host');
    assert.equal(failKind(await run('t-net', 'await fetch("file:///etc/passwd")')), 'denied');
  });

  test('code left running after a run has answered is stopped by the CPU limit (the watchdog outlives the run)', async () => {
    // A request that never answers: the handler returns, finish() aborts the request, and its
    // rejection runs the action's catch, an endless loop, after the run has ended.
    const hang = http.createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as AddressInfo).port;
    const own = testRunner({ allowPrivateNetwork: true });
    try {
      const r = await own.run('t-linger', `fetch('http://127.0.0.1:${port}/').catch(() => { for (;;) {} }); return 'answered';`);
      assert.equal(value(r), 'answered');
      await waitFor('the lingering loop to be stopped', () => (own.denials.some((d) => /kept running after its execution ended/.test(d.msg)) ? true : undefined));
      assert.equal(value(await own.run('t-linger', 'return "fresh isolate"')), 'fresh isolate');
    } finally {
      hang.closeAllConnections();
      hang.close();
      await own.runner.close();
    }
  });

  test('transfer options set on Object.prototype by the action never reach isolated-vm: no Reference, timers and fetch behave normally', async () => {
    const server = http.createServer((_req, res) => res.end('pong'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const own = testRunner({ allowPrivateNetwork: true });
    // What the runtime's timer promise resolves to is caught by the first then() called after the patch.
    const body = (key: string) => `
      Object.prototype[${JSON.stringify(key)}] = true;
      const then = Promise.prototype.then;
      const seen = [];
      Promise.prototype.then = function (ok, err) {
        Promise.prototype.then = then;
        return then.call(this, (v) => { seen.push(v); return ok(v); }, err);
      };
      const fired = await new Promise((r) => setTimeout(() => r('fired'), 1));
      let fetched;
      try { const res = await fetch('http://127.0.0.1:${port}/'); fetched = res.status + ' ' + (await res.text()); } catch (e) { fetched = 'error: ' + e.message + ' ' + (e.cause && e.cause.message); }
      delete Object.prototype[${JSON.stringify(key)}];
      const kind = (v) => (v !== null && typeof v === 'object') || typeof v === 'function' ? 'object ' + (v.constructor && v.constructor.name) : typeof v + ' ' + String(v);
      return { fired, timer: seen.map(kind), fetched };`;
    try {
      const keys = ['reference', 'copy', 'externalCopy', 'promise'];
      const got: Record<string, unknown> = {};
      for (const key of keys) got[key] = value(await own.run(`t-opts-${key}`, body(key)));
      const normal = { fired: 'fired', timer: ['boolean true'], fetched: '200 pong' };
      assert.deepEqual(got, Object.fromEntries(keys.map((k) => [k, normal])));
    } finally {
      server.close();
      await own.runner.close();
    }
  });

  test("while tenant A's action loops forever, tenant B's actions keep running", async () => {
    const hostile = run('t-a', 'await null; while (true) {}');
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => run('t-b', `await new Promise((r) => setTimeout(r, 5)); return ${i}`)));
    assert.deepEqual(results.map(value), [0, 1, 2, 3, 4]);
    assert.equal(failKind(await hostile), 'timeout');
  });

  test('api.notification: the last call wins and reasons are cut at 1024 characters', async () => {
    const r = await run('t-api', 'api.notification.drop("first"); api.notification.retry("x".repeat(5000));');
    assert.ok(r.ok);
    assert.equal(r.value.notification?.action, 'retry');
    assert.equal(r.value.notification?.reason.length, 1024);
  });

  test('code that does not compile or exports no handler is invalid', async () => {
    const { runner: r2 } = testRunner();
    try {
      const bad = await r2.run({ tenantId: 't', executionId: 'e', script: { id: 's1', code: 'exports.x = (' }, handler: 'onExecuteCustomPhoneProvider', event: {}, api: { notification: true } });
      assert.equal(failKind(bad), 'invalid');
      const none = await r2.run({ tenantId: 't', executionId: 'e', script: { id: 's2', code: 'exports.other = 1' }, handler: 'onExecuteCustomPhoneProvider', event: {}, api: { notification: true } });
      assert.equal(failKind(none), 'invalid');
      assert.deepEqual(await r2.check('exports.x = 1'), { ok: true });
      assert.equal((await r2.check('exports.x = (')).ok, false);
    } finally {
      await r2.close();
    }
  });
});

describe('action sandbox: the Node-like globals work', () => {
  const { runner, run } = testRunner();
  after(() => runner.close());

  test('Buffer, TextEncoder/Decoder, URL, URLSearchParams, crypto, timers', async () => {
    const r = await run(
      't-g',
      `const crypto = require('crypto');
       const u = new URL('https://api.example.com/v1/send?x=1');
       u.searchParams.append('to', '+1 555');
       return {
         b64: Buffer.from('héllo').toString('base64'), hex: Buffer.from('ff00', 'hex').length,
         text: new TextDecoder().decode(new TextEncoder().encode('€😀')),
         url: u.href, host: u.host, form: new URLSearchParams({ a: 'b c', d: 'é' }).toString(),
         sha: crypto.createHash('sha256').update('abc').digest('hex'),
         hmac: crypto.createHmac('sha1', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'),
         uuid: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()), rnd: crypto.randomBytes(16).length,
         tse: crypto.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')),
         waited: await new Promise((r) => setTimeout(() => r('yes'), 2)),
       };`,
    );
    assert.deepEqual(value(r), {
      b64: 'aMOpbGxv',
      hex: 2,
      text: '€😀',
      url: 'https://api.example.com/v1/send?x=1&to=%2B1+555',
      host: 'api.example.com',
      form: 'a=b+c&d=%C3%A9',
      sha: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      hmac: 'de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9',
      uuid: true,
      rnd: 16,
      tse: true,
      waited: 'yes',
    });
  });
});
