import { DEFAULT_EGRESS } from '../../src/adapters/actions/egress.js';
import { IsolateActionRunner, type RunnerOptions } from '../../src/adapters/actions/isolate-runner.js';
import type { RunRequest, RunResult } from '../../src/domain/actions/runner.js';

/** Short limits so hostile runs end quickly; no test asserts on timing. */
export const TEST_LIMITS = {
  memoryLimitMb: 64,
  wallTimeMs: 1500,
  cpuTimeMs: 500,
  maxContextsPerScript: 4,
  maxScriptsPerTenant: 8,
  maxLogChars: 4096,
  watchdogIntervalMs: 20,
};

export interface Denial {
  host: string;
  msg: string;
}

export function testRunner(opts: { allowPrivateNetwork?: boolean; limits?: Partial<RunnerOptions> } = {}) {
  const denials: Denial[] = [];
  const runner = new IsolateActionRunner({
    ...TEST_LIMITS,
    ...opts.limits,
    egress: { ...DEFAULT_EGRESS, allowPrivateNetwork: opts.allowPrivateNetwork ?? false },
    logger: {
      warn: (o, msg) => void denials.push({ host: String((o as { host?: string }).host), msg }),
      error: () => undefined,
    },
  });
  let n = 0;
  const run = (tenantId: string, body: string, event: Record<string, unknown> = {}, extra: Partial<RunRequest> = {}): Promise<RunResult> =>
    runner.run({
      tenantId,
      executionId: `exec-${++n}`,
      script: { id: `${tenantId}:${body}`, code: `exports.onExecuteCustomPhoneProvider = async (event, api) => {\n${body}\n};` },
      handler: 'onExecuteCustomPhoneProvider',
      event,
      api: { notification: true },
      ...extra,
    });
  return { runner, run, denials };
}
