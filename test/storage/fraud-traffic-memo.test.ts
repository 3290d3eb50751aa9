import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { phoneFraudRepository } from '../../src/adapters/storage/phone-fraud-repository.js';
import { scratchStorage } from '../helpers/scratch-storage.js';
import type { TrafficWindows } from '../../src/domain/abuse/phone-fraud-ports.js';

/**
 * On the embedded database the fraud guard's recent traffic is held in the process (FraudTrafficMemo).
 * Whatever the sends and verifications, concurrent or not, the memo must answer what the SQL over the
 * minutes answers (the repository inside a transaction has no memo: it is the reference).
 */
const storage = await scratchStorage('fraud-memo');

const windows = (now: number): TrafficWindows => ({
  burstSince: new Date(now - 600_000).toISOString(),
  hourSince: new Date(now - 3_600_000).toISOString(),
  windowSince: new Date(now - 86_400_000).toISOString(),
  settledBefore: new Date(now - 3_600_000).toISOString(),
  baselineSince: new Date(now - 8 * 86_400_000).toISOString(),
  baselineUntil: new Date(now - 86_400_000).toISOString(),
});

test('the memo answers what the minutes in the database answer: sends, new numbers, verifications, in bursts', async () => {
  const PREFIXES = ['+99890123', '+99890124'];
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          prefix: fc.constantFrom(...PREFIXES),
          number: fc.integer({ min: 0, max: 6 }),
          verify: fc.boolean(),
          together: fc.boolean(),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      async (ops) => {
        // Each run a tenant of its own and a new repository (a new process), with a memo from now on.
        const tenant = `t${run++}`;
        const repo = phoneFraudRepository(storage.db);
        const start = Date.now();
        let n = 0;
        const pending: Array<Promise<unknown>> = [];
        // The sends whose codes are not verified yet (a code is verified once: its consumption decides).
        const unverified: Array<{ prefix: string; sentAt: string }> = [];
        for (const op of ops) {
          const at = new Date(start + n * 10).toISOString();
          const otpId = `otp_${tenant}_${n++}`;
          const write = repo.recordSend(tenant, { id: otpId, otpId, prefix: op.prefix, country: 'UZ', recipient: `${op.prefix}${String(op.number).padStart(4, '0')}`, createdAt: at }, new Date(Date.parse(at) - 600_000).toISOString());
          pending.push(write);
          unverified.push({ prefix: op.prefix, sentAt: at });
          if (op.verify) {
            const [c] = unverified.splice(Math.floor(unverified.length / 2), 1);
            pending.push(write.then(() => repo.markVerified(tenant, { prefix: c!.prefix, country: 'UZ', sentAt: c!.sentAt })));
          }
          // Reads between the writes load the memo at different points of the sequence.
          if (!op.together) {
            await Promise.all(pending.splice(0));
            await repo.recentTraffic(tenant, op.prefix, windows(Date.now()));
          }
        }
        await Promise.all(pending);
        const w = windows(Date.now() + 1000);
        for (const prefix of PREFIXES) {
          const memo = await repo.recentTraffic(tenant, prefix, w);
          const reference = await storage.db.transaction().execute((trx) => phoneFraudRepository(trx).recentTraffic(tenant, prefix, w));
          assert.deepEqual(memo, reference);
          // And the new numbers are the distinct recipients (all sends fall in one burst window).
          assert.equal(memo.burst.numbers, new Set(ops.filter((o) => o.prefix === prefix).map((o) => o.number)).size);
          assert.equal(memo.burst.sends, ops.filter((o) => o.prefix === prefix).length);
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('after a restart the memo knows the recipients the previous process sent to (a repeat is no new number)', async () => {
  const tenant = 'restart';
  const send = (repo: ReturnType<typeof phoneFraudRepository>, id: string, recipient: string) => {
    const at = new Date().toISOString();
    return repo.recordSend(tenant, { id, otpId: id, prefix: '+99890125', country: 'UZ', recipient, createdAt: at }, new Date(Date.parse(at) - 600_000).toISOString());
  };
  await send(phoneFraudRepository(storage.db), 'r1', '+998901250001');
  const next = phoneFraudRepository(storage.db);
  await send(next, 'r2', '+998901250001');
  await send(next, 'r3', '+998901250002');
  const t = await next.recentTraffic(tenant, '+99890125', windows(Date.now() + 1000));
  assert.deepEqual(t.burst, { sends: 3, numbers: 2, verified: 0 });
});
