import { DEFAULT_EGRESS } from '../adapters/actions/egress.js';
import { IsolateActionRunner, type RunnerOptions } from '../adapters/actions/isolate-runner.js';
import { CustomActionSender, customProviderActions, SendPhoneMessageSender, type CustomProviderActions } from '../adapters/providers/custom/custom-action-sender.js';
import { ActionService } from '../domain/actions/action-service.js';
import type { ActionRunner } from '../domain/actions/runner.js';
import { TriggerExecutor } from '../domain/actions/trigger-executor.js';
import type { Clock } from '../domain/clock.js';
import type { Sealer } from '../domain/ports.js';
import type { Repositories } from '../domain/repositories.js';

export interface ActionsModuleOptions {
  /** `actionsTimeoutMs`: the wall-clock limit (ACTIONS_TIMEOUT_MS, default Auth0's 20 s). */
  config: { actionsAllowPrivateNetwork: boolean; actionsTimeoutMs?: number };
  logger: RunnerOptions['logger'];
  repos: Repositories;
  sealer: Sealer;
  clock: Clock;
  /** Whether the tenant's MFA phone factor depends on its custom provider (then its action stays bound). */
  customProviderInUse?: (tenantId: string) => Promise<boolean>;
  /** Overrides of the runner's limits (tests use short ones). */
  runner?: Partial<Omit<RunnerOptions, 'logger' | 'egress'>> & { egress?: Partial<RunnerOptions['egress']> };
}

export interface ActionsModule {
  service: ActionService;
  runner: ActionRunner;
  executor: TriggerExecutor;
  /** The delivery pipeline's sender for provider `custom`. */
  customSender: CustomActionSender;
  /** The legacy MFA hook sender (Guardian provider `phone-message-hook`). */
  sendPhoneMessage: SendPhoneMessageSender;
  /** For PhoneProviderService: may a tenant use provider `custom`? */
  customProviderActions: CustomProviderActions;
  /** Removes executions older than Auth0's 10-day log retention and expired cache entries. */
  purge(): Promise<{ executions: number; cacheEntries: number }>;
  close(): Promise<void>;
}

/** Production limits: Auth0's 20 s wall clock; the rest are this server's choices (docs/actions.md). */
export const DEFAULT_RUNNER: Omit<RunnerOptions, 'logger' | 'egress'> = {
  memoryLimitMb: 64,
  wallTimeMs: 20_000,
  cpuTimeMs: 10_000,
  maxContextsPerScript: 16,
  maxScriptsPerTenant: 32,
  maxLogChars: 64 * 1024,
  watchdogIntervalMs: 50,
};

const RETENTION_MS = 10 * 24 * 60 * 60 * 1000;

/** Builds the Actions runtime (isolates), its service and its senders over the repositories of the bag. */
export function createActionsModule(o: ActionsModuleOptions): ActionsModule {
  const repo = o.repos.actions;
  const cacheRepo = o.repos.actionCache;
  const runner = new IsolateActionRunner({
    ...DEFAULT_RUNNER,
    ...(o.config.actionsTimeoutMs !== undefined ? { wallTimeMs: o.config.actionsTimeoutMs } : {}),
    ...o.runner,
    egress: { ...DEFAULT_EGRESS, allowPrivateNetwork: o.config.actionsAllowPrivateNetwork, ...o.runner?.egress },
    logger: o.logger,
  });
  const executor = new TriggerExecutor(repo, cacheRepo, runner, o.sealer, o.clock);
  return {
    service: new ActionService(repo, runner, executor, o.sealer, o.clock, o.customProviderInUse ?? (async () => false)),
    runner,
    executor,
    customSender: new CustomActionSender(executor),
    sendPhoneMessage: new SendPhoneMessageSender(executor),
    customProviderActions: customProviderActions(repo),
    async purge() {
      const now = o.clock.now().getTime();
      return {
        executions: await repo.purgeExecutions(new Date(now - RETENTION_MS).toISOString()),
        cacheEntries: await cacheRepo.purgeExpired(now),
      };
    },
    close: () => runner.close(),
  };
}
