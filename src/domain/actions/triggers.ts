/**
 * The triggers this server runs, as `GET /api/v2/actions/triggers` describes them. Only the phone
 * triggers exist here; an action naming another trigger is refused at create time.
 */
export const CUSTOM_PHONE_PROVIDER = 'custom-phone-provider';
export const SEND_PHONE_MESSAGE = 'send-phone-message';

export type TriggerId = typeof CUSTOM_PHONE_PROVIDER | typeof SEND_PHONE_MESSAGE;

export interface TriggerInfo {
  id: TriggerId;
  version: string;
  status: 'CURRENT' | 'DEPRECATED';
  runtimes: string[];
  default_runtime: string;
  binding_policy: 'trigger-bound';
  compatible_triggers: Array<{ id: string; version: string }>;
}

export interface TriggerContract {
  info: TriggerInfo;
  /** The export the runner calls. */
  handler: string;
  /** Whether the handler gets `api.notification`. */
  notificationApi: boolean;
  /** At most one action may support this trigger (Auth0 refuses a second custom-phone-provider action). */
  exclusive: boolean;
  /** Deploying an action of this trigger binds it when nothing is bound (Auth0's API recipe has no bind step). */
  bindOnDeploy: boolean;
  /** At most this many bound actions. */
  maxBindings: number;
}

export const RUNTIMES = ['node18-actions', 'node22'];
export const DEFAULT_RUNTIME = 'node22';

export const TRIGGERS: Record<TriggerId, TriggerContract> = {
  [CUSTOM_PHONE_PROVIDER]: {
    info: {
      id: CUSTOM_PHONE_PROVIDER,
      version: 'v1',
      status: 'CURRENT',
      runtimes: RUNTIMES,
      default_runtime: DEFAULT_RUNTIME,
      binding_policy: 'trigger-bound',
      compatible_triggers: [],
    },
    handler: 'onExecuteCustomPhoneProvider',
    notificationApi: true,
    exclusive: true,
    bindOnDeploy: true,
    maxBindings: 1,
  },
  [SEND_PHONE_MESSAGE]: {
    info: {
      id: SEND_PHONE_MESSAGE,
      version: 'v2',
      status: 'CURRENT',
      runtimes: RUNTIMES,
      default_runtime: DEFAULT_RUNTIME,
      binding_policy: 'trigger-bound',
      compatible_triggers: [],
    },
    handler: 'onExecuteSendPhoneMessage',
    notificationApi: false,
    exclusive: false,
    bindOnDeploy: false,
    maxBindings: 20,
  },
};

export const isTriggerId = (id: string): id is TriggerId => Object.hasOwn(TRIGGERS, id);

/** The triggers with their versions, as listed by the API (send-phone-message v1 is listed as deprecated). */
export function listTriggers(): TriggerInfo[] {
  const spm = TRIGGERS[SEND_PHONE_MESSAGE].info;
  return [TRIGGERS[CUSTOM_PHONE_PROVIDER].info, spm, { ...spm, version: 'v1', status: 'DEPRECATED' }];
}
