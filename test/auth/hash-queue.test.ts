import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.js';
import { HashQueue } from '../../src/domain/auth/hash-queue.js';

/** A task that runs until released, recording when it started. */
function harness(q: HashQueue) {
  const started: string[] = [];
  const refused: string[] = [];
  const releases = new Map<string, () => void>();
  const settled: Array<Promise<unknown>> = [];
  const submit = (tenant: string, source: string, name: string) => {
    const p = q.run(tenant, source, () => {
      started.push(name);
      return new Promise<void>((resolve) => releases.set(name, resolve));
    });
    settled.push(
      p.catch((e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, 'too_many_requests');
        assert.match(e.headers?.['retry-after'] ?? '', /^[1-9]\d*$/);
        refused.push(name);
      }),
    );
    return p;
  };
  /** Lets the task `name` finish and the queue start the next ones. */
  const release = async (name: string) => {
    const r = releases.get(name);
    assert.ok(r, `${name} is not running`);
    r();
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
  };
  return { started, refused, submit, release, settled };
}

describe('password hashing queue', () => {
  test('runs at most `concurrency` at once and keeps at most `maxQueued` waiting; the rest are refused with 429', async () => {
    const q = new HashQueue({ concurrency: 2, maxQueued: 3 });
    const h = harness(q);
    for (let i = 1; i <= 10; i++) h.submit('a', 'ip1', `a${i}`);
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(h.started, ['a1', 'a2']);
    assert.deepEqual(q.stats(), { running: 2, queued: 3 });
    assert.deepEqual(h.refused.sort(), ['a10', 'a6', 'a7', 'a8', 'a9']);
    await h.release('a1');
    assert.deepEqual(h.started, ['a1', 'a2', 'a3']);
    for (const n of ['a2', 'a3', 'a4', 'a5']) await h.release(n);
    assert.deepEqual(h.started, ['a1', 'a2', 'a3', 'a4', 'a5']);
    assert.deepEqual(q.stats(), { running: 0, queued: 0 });
  });

  test('tenants take turns: a flood of one tenant delays another by one hash, not by the flood', async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 100 });
    const h = harness(q);
    for (let i = 1; i <= 5; i++) h.submit('a', 'attacker', `a${i}`);
    h.submit('b', 'user', 'b1');
    h.submit('b', 'user', 'b2');
    for (const n of ['a1', 'a2', 'b1', 'a3', 'b2', 'a4']) await h.release(n);
    assert.deepEqual(h.started, ['a1', 'a2', 'b1', 'a3', 'b2', 'a4', 'a5']);
  });

  test('within a tenant, sources (client IPs) take turns', async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 100 });
    const h = harness(q);
    for (let i = 1; i <= 4; i++) h.submit('a', 'attacker', `x${i}`);
    h.submit('a', 'user', 'y1');
    await h.release('x1');
    await h.release('x2');
    assert.deepEqual(h.started, ['x1', 'x2', 'y1']);
  });

  test('a full queue refuses the busiest tenant, not a quiet one: the flood\'s newest job makes room', async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 4 });
    const h = harness(q);
    for (let i = 1; i <= 5; i++) h.submit('a', 'attacker', `a${i}`); // a1 runs, a2..a5 wait: full
    h.submit('b', 'user', 'b1'); // admitted: a5 is refused instead
    h.submit('a', 'attacker', 'a6'); // a is still the busiest: refused
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(h.refused, ['a5', 'a6']);
    assert.deepEqual(q.stats(), { running: 1, queued: 4 });
    await h.release('a1');
    assert.deepEqual(h.started, ['a1', 'a2']);
    await h.release('a2');
    assert.deepEqual(h.started, ['a1', 'a2', 'b1']);
  });

  test('a full queue makes room for a quiet source of the busiest tenant, never for the flooding one', async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 3 });
    const h = harness(q);
    for (let i = 1; i <= 4; i++) h.submit('a', 'attacker', `x${i}`); // x1 runs, x2..x4 wait
    h.submit('a', 'user', 'y1'); // x4 makes room
    h.submit('a', 'attacker', 'x5'); // refused
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(h.refused, ['x4', 'x5']);
    await h.release('x1');
    await h.release('x2');
    assert.deepEqual(h.started, ['x1', 'x2', 'y1']);
  });

  test('a task that throws frees its slot', async () => {
    const q = new HashQueue({ concurrency: 1, maxQueued: 1 });
    await assert.rejects(q.run('a', 'ip', () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await q.run('a', 'ip', async () => 42), 42);
    assert.deepEqual(q.stats(), { running: 0, queued: 0 });
  });
});
