import { customPhoneProviderEvent, sendPhoneMessageEvent } from '../../../domain/actions/phone-events.js';
import type { ActionRepository } from '../../../domain/actions/ports.js';
import { outcomeOf, type TriggerExecutor, type TriggerRun } from '../../../domain/actions/trigger-executor.js';
import { CUSTOM_PHONE_PROVIDER, SEND_PHONE_MESSAGE } from '../../../domain/actions/triggers.js';
import type { OutgoingMessage, PhoneSender, SendResult } from '../../../domain/notifications/sender.js';

/**
 * The action is the tenant's whole account (its secrets are the action's), so these senders need no
 * provider record; an earlier contract passed one as a second argument, still accepted and ignored.
 */
type IgnoredProvider = unknown;

/** What the custom kind needs to know about the tenant's Actions (a custom provider is an Action). */
export interface CustomProviderActions {
  hasDeployedCustomPhoneProviderAction(tenantId: string): Promise<boolean>;
}

/** Auth0: a notification an action asked to retry is retried up to 5 times. */
export const CUSTOM_PROVIDER_MAX_RETRIES = 5;

function detailOf(run: TriggerRun): Record<string, unknown> {
  const last = run.steps[run.steps.length - 1];
  return { executionId: run.executionId, actionId: last?.action.id, versionId: last?.version?.id };
}

/**
 * Maps one trigger run to the delivery pipeline's result. The choices (docs/actions.md):
 * - returned normally: sent;
 * - `api.notification.drop(reason)`: failed, not retried (`dropped`);
 * - `api.notification.retry(reason)`: failed, retried at most 5 times (`retry`);
 * - uncaught error, rejected promise, timeout, memory limit: retryable (at most 5 times): these are
 *   usually transient (the provider's API down, a slow network) and Auth0 documents nothing else;
 * - `denied` (a module or address the sandbox refuses) and `invalid` (no handler, syntax): not
 *   retried, the same code would fail the same way;
 * - no deployed action bound to the trigger: not retried (`no_action`), a configuration problem.
 */
export function toSendResult(run: TriggerRun, retryable: (kind: string) => boolean): SendResult {
  const detail = detailOf(run);
  const last = run.steps[run.steps.length - 1];
  if (!last) return { status: 'failed', retryable: false, errorCode: 'no_action', reason: 'No deployed action is bound to the trigger', detail };
  const r = last.result;
  const outcome = outcomeOf(r);
  if (outcome === 'success') return { status: 'sent', detail };
  const note = r.ok ? r.value.notification : undefined;
  if (outcome === 'dropped') return { status: 'failed', retryable: false, errorCode: 'dropped', reason: note?.reason || 'dropped by the action', detail };
  if (outcome === 'retry') {
    return { status: 'failed', retryable: true, maxRetries: CUSTOM_PROVIDER_MAX_RETRIES, errorCode: 'retry', reason: note?.reason || 'retry requested by the action', detail };
  }
  const kind = r.ok ? 'runtime' : r.kind;
  const message = r.ok ? '' : r.message;
  const errorCode = kind === 'runtime' ? 'action_error' : kind === 'invalid' ? 'invalid_action' : kind;
  return retryable(kind)
    ? { status: 'failed', retryable: true, maxRetries: CUSTOM_PROVIDER_MAX_RETRIES, errorCode, reason: message, detail }
    : { status: 'failed', retryable: false, errorCode, reason: message, detail };
}

const transient = (kind: string) => kind === 'runtime' || kind === 'timeout' || kind === 'oom';

/** The `custom` provider: runs the tenant's deployed custom-phone-provider action for each message. */
export class CustomActionSender implements PhoneSender {
  constructor(private readonly executor: TriggerExecutor) {}

  async send(message: OutgoingMessage, _provider?: IgnoredProvider): Promise<SendResult> {
    const run = await this.executor.runBound(message.tenant.internalId, CUSTOM_PHONE_PROVIDER, (secrets) => customPhoneProviderEvent(message, secrets));
    return toSendResult(run, transient);
  }
}

/**
 * The legacy MFA hook (tenant not on UPE, Guardian provider `phone-message-hook`): runs the bound
 * send-phone-message actions in order. Blocking in Auth0, so the caller learns the outcome at once;
 * failures are not retried here (the end user asks for a new code), the pipeline may still choose to.
 */
export class SendPhoneMessageSender implements PhoneSender {
  constructor(private readonly executor: TriggerExecutor) {}

  async send(message: OutgoingMessage, _provider?: IgnoredProvider): Promise<SendResult> {
    const run = await this.executor.runBound(message.tenant.internalId, SEND_PHONE_MESSAGE, (secrets) => sendPhoneMessageEvent(message, secrets));
    return toSendResult(run, () => false);
  }
}

/** Whether a tenant can switch its provider to `custom`: a deployed action bound to custom-phone-provider. */
export function customProviderActions(repo: ActionRepository): CustomProviderActions {
  return {
    async hasDeployedCustomPhoneProviderAction(tenantId) {
      for (const b of await repo.listBindings(tenantId, CUSTOM_PHONE_PROVIDER)) {
        if (await repo.deployedVersion(tenantId, b.actionId)) return true;
      }
      return false;
    },
  };
}
