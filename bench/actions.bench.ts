/**
 * Actions runtime latency: warm dispatch overhead of a custom-phone-provider action that returns at
 * once (p50/p99), and a cold start (new tenant isolate, bootstrap, compile, first call).
 * Run: node --no-node-snapshot --import tsx bench/actions.bench.ts
 * Targets (issue 4): warm p50 <= 0.5 ms, p99 <= 2 ms; cold <= 20 ms.
 */
import { DEFAULT_EGRESS } from '../src/adapters/actions/egress.js';
import { DEFAULT_RUNNER } from '../src/composition/actions-module.js';
import { IsolateActionRunner } from '../src/adapters/actions/isolate-runner.js';
import { customPhoneProviderEvent } from '../src/domain/actions/phone-events.js';
import type { OutgoingMessage } from '../src/domain/notifications/sender.js';

const runner = new IsolateActionRunner({
  ...DEFAULT_RUNNER,
  egress: { ...DEFAULT_EGRESS, allowPrivateNetwork: false },
  logger: { warn: () => undefined, error: () => undefined },
});

const code = "const { fetch } = require('undici');\nexports.onExecuteCustomPhoneProvider = async (event, api) => { return; };";
const msg: OutgoingMessage = {
  notificationId: 'ntf_bench',
  attempt: 1,
  tenant: { internalId: 'bench', name: 'bench', friendly_name: 'Bench' },
  type: 'otp_verify',
  deliveryMethod: 'text',
  recipient: '+14155552671',
  from: '+14155550000',
  asText: 'Your code is 123456',
  asVoice: 'Your code is 1 2 3 4 5 6',
  code: '123456',
  locale: 'en-US',
  context: { user: { user_id: 'auth0|1', login_count: 3 }, request: { ip: '203.0.113.1', method: 'POST' } },
};

const run = (tenantId: string, scriptId: string) =>
  runner.run({
    tenantId,
    executionId: 'bench',
    script: { id: scriptId, code },
    handler: 'onExecuteCustomPhoneProvider',
    event: customPhoneProviderEvent(msg, { MY_SECRET: 's' }),
    api: { notification: true },
  });

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main() {
  // Warm: the same tenant and version, sequential (one in flight: the dispatch overhead, no queueing).
  for (let i = 0; i < 2000; i++) await run('warm', 'v1');
  const warm: number[] = [];
  for (let i = 0; i < 10000; i++) {
    const t = performance.now();
    const r = await run('warm', 'v1');
    warm.push(performance.now() - t);
    if (!r.ok) throw new Error(`warm run failed: ${r.message}`);
  }
  warm.sort((a, b) => a - b);

  // Cold: a tenant never seen before each time (new isolate, runtime bootstrap, compile, first call).
  const cold: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const r = await run(`cold-${i}`, `v-${i}`);
    cold.push(performance.now() - t);
    if (!r.ok) throw new Error(`cold run failed: ${r.message}`);
  }
  const coldSorted = [...cold].sort((a, b) => a - b);
  await runner.close();

  const rows: Array<[string, string, string, string]> = [
    ['warm dispatch (action returns at once)', fmt(pct(warm, 50)), fmt(pct(warm, 99)), 'p50 <= 0.5 ms, p99 <= 2 ms'],
    ['cold start (isolate + compile + first call)', fmt(pct(coldSorted, 50)), fmt(pct(coldSorted, 99)), '<= 20 ms'],
    ['cold start, very first of the process', fmt(cold[0]!), '', ''],
  ];
  console.log(`node ${process.version}, isolated-vm 5.0.4, ${warm.length} warm runs, ${cold.length} cold runs`);
  console.log('| measure | p50 | p99 | target |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

await main();
