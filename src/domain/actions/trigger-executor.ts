import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Sealer } from '../ports.js';
import { ActionCacheSession } from './cache.js';
import { ACTION_SECRET_PURPOSE } from '../purposes.js';
import {
  type ActionCacheRepository,
  type ActionRecord,
  type ActionRepository,
  type ActionVersionRecord,
  type ExecutionResult,
} from './ports.js';
import { MAX_NOTIFICATION_REASON, type ActionRunner, type RunResult } from './runner.js';
import { TRIGGERS, type TriggerId } from './triggers.js';

/** Stored console output per action and execution: Auth0 keeps 256 characters of `console.log` per action. */
export const STORED_LOG_CHARS = 256;

export interface StepOutcome {
  action: ActionRecord;
  version: ActionVersionRecord | null;
  result: RunResult;
  startedAt: string;
  endedAt: string;
}

export interface TriggerRun {
  /** Undefined when no deployed action is bound to the trigger (nothing ran, nothing was recorded). */
  executionId: string | undefined;
  steps: StepOutcome[];
}

export function openSecrets(sealer: Sealer, sealed: string | null): Record<string, string> {
  return sealed ? (JSON.parse(sealer.open(sealed, ACTION_SECRET_PURPOSE)) as Record<string, string>) : {};
}

/** `success`, `dropped`, `retry`, or the failure kind: the execution's outcome per action. */
export function outcomeOf(r: RunResult): string {
  if (!r.ok) return r.kind;
  if (r.value.notification?.action === 'drop') return 'dropped';
  if (r.value.notification?.action === 'retry') return 'retry';
  return 'success';
}

/**
 * Runs the deployed actions bound to a trigger, in binding order, and records the execution (with
 * truncated logs). Stops at the first action that fails or asks for drop/retry: later actions of a
 * flow never see a message an earlier one gave up on.
 */
export class TriggerExecutor {
  constructor(
    private readonly repo: ActionRepository,
    private readonly cacheRepo: ActionCacheRepository,
    private readonly runner: ActionRunner,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
  ) {}

  async runBound(tenantId: string, triggerId: TriggerId, eventFor: (secrets: Record<string, string>) => Record<string, unknown>): Promise<TriggerRun> {
    const bound: Array<{ action: ActionRecord; version: ActionVersionRecord }> = [];
    for (const b of await this.repo.listBindings(tenantId, triggerId)) {
      const [action, version] = await Promise.all([this.repo.get(tenantId, b.actionId), this.repo.deployedVersion(tenantId, b.actionId)]);
      if (action && version) bound.push({ action, version });
    }
    if (bound.length === 0) return { executionId: undefined, steps: [] };
    const executionId = randomUUID();
    const steps: StepOutcome[] = [];
    for (const { action, version } of bound) {
      const startedAt = this.clock.now().toISOString();
      const event = eventFor(openSecrets(this.sealer, version.secretsSealed));
      const result = await this.runOne(tenantId, executionId, triggerId, version.id, version.code, event);
      steps.push({ action, version, result, startedAt, endedAt: this.clock.now().toISOString() });
      if (outcomeOf(result) !== 'success') break;
    }
    await this.record(tenantId, executionId, triggerId, steps);
    return { executionId, steps };
  }

  /** Runs an action's current (draft) code with a given event: the `/test` endpoint. */
  async runDraft(tenantId: string, action: ActionRecord, triggerId: TriggerId, event: Record<string, unknown>): Promise<{ executionId: string; result: RunResult }> {
    const executionId = randomUUID();
    const startedAt = this.clock.now().toISOString();
    const scriptId = `draft:${action.id}:${createHash('sha256').update(action.code).digest('hex')}`;
    const full = { ...event, secrets: openSecrets(this.sealer, action.secretsSealed), configuration: {} };
    const result = await this.runOne(tenantId, executionId, triggerId, scriptId, action.code, full);
    await this.record(tenantId, executionId, triggerId, [{ action, version: null, result, startedAt, endedAt: this.clock.now().toISOString() }]);
    return { executionId, result };
  }

  private async runOne(tenantId: string, executionId: string, triggerId: TriggerId, scriptId: string, code: string, event: Record<string, unknown>): Promise<RunResult> {
    const contract = TRIGGERS[triggerId];
    const result = await this.runner.run({
      tenantId,
      executionId,
      script: { id: scriptId, code },
      handler: contract.handler,
      event,
      api: { notification: contract.notificationApi, cache: new ActionCacheSession(this.cacheRepo, tenantId, triggerId, this.clock) },
    });
    // The runner truncates too; this keeps the documented limit even for a runner that does not.
    const n = result.ok ? result.value.notification : result.notification;
    if (n) n.reason = n.reason.slice(0, MAX_NOTIFICATION_REASON);
    return result;
  }

  private async record(tenantId: string, id: string, triggerId: string, steps: StepOutcome[]): Promise<void> {
    const now = this.clock.now().toISOString();
    const results: ExecutionResult[] = steps.map((s) => ({
      action_id: s.action.id,
      action_name: s.action.name,
      version_id: s.version?.id ?? null,
      outcome: outcomeOf(s.result),
      error: s.result.ok ? null : { id: s.result.kind, msg: s.result.message.slice(0, 1024) },
      logs: s.result.logs.slice(0, STORED_LOG_CHARS),
      started_at: s.startedAt,
      ended_at: s.endedAt,
    }));
    await this.repo.insertExecution(tenantId, { id, triggerId, status: 'final', results, createdAt: now, updatedAt: now });
  }
}
