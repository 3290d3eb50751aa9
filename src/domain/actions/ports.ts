import type { Page } from '../ports.js';
import type { CacheRecord } from './runner.js';

/**
 * What the Actions domain persists. Like every repository, the tenant id comes first and no method
 * returns or touches a row of another tenant.
 */

export interface TriggerRef {
  id: string;
  version: string;
}

export interface ActionDependency {
  name: string;
  version: string;
  registry_url?: string;
}

/** A secret as the API shows it: the name and when it last changed, never the value. */
export interface SecretMeta {
  name: string;
  updated_at: string;
}


export interface ActionRecord {
  id: string;
  name: string;
  supportedTriggers: TriggerRef[];
  code: string;
  dependencies: ActionDependency[];
  runtime: string;
  secrets: SecretMeta[];
  secretsSealed: string | null;
  /** The trigger only one action of the tenant may support (custom-phone-provider), when this action supports it. */
  exclusiveTrigger: string | null;
  /** False after an edit until the next deploy. */
  allChangesDeployed: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An immutable snapshot of an action, made by a deploy. `deployed` is true for at most one version per action. */
export interface ActionVersionRecord {
  id: string;
  actionId: string;
  number: number;
  code: string;
  dependencies: ActionDependency[];
  runtime: string;
  supportedTriggers: TriggerRef[];
  secrets: SecretMeta[];
  secretsSealed: string | null;
  deployed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ActionBindingRecord {
  id: string;
  triggerId: string;
  actionId: string;
  displayName: string;
  createdAt: string;
  updatedAt: string;
}

/** One action's part in an execution. */
export interface ExecutionResult {
  action_id: string;
  action_name: string;
  version_id: string | null;
  /** `success`, `dropped`, `retry`, or the runner's failure kind. */
  outcome: string;
  error: { id: string; msg: string } | null;
  /** Captured console output, truncated. */
  logs: string;
  started_at: string;
  ended_at: string;
}

export interface ExecutionRecord {
  id: string;
  triggerId: string;
  status: 'final';
  results: ExecutionResult[];
  createdAt: string;
  updatedAt: string;
}

export type WriteOutcome = 'ok' | 'not_found' | 'name_conflict' | 'trigger_conflict';

export interface ActionListFilter {
  triggerId?: string | undefined;
  actionName?: string | undefined;
  deployed?: boolean | undefined;
}

export interface ActionRepository {
  insert(tenantId: string, action: ActionRecord): Promise<WriteOutcome>;
  get(tenantId: string, id: string): Promise<ActionRecord | undefined>;
  findByName(tenantId: string, name: string): Promise<ActionRecord | undefined>;
  list(tenantId: string, filter: ActionListFilter, page: Page): Promise<{ items: ActionRecord[]; total: number }>;
  replace(tenantId: string, action: ActionRecord): Promise<WriteOutcome>;
  /** Removes the action with its versions and bindings. */
  delete(tenantId: string, id: string): Promise<boolean>;

  /** Inserts `version` with the next number, makes it the only deployed one, marks the action deployed; resolves the stored version. */
  deploy(tenantId: string, version: Omit<ActionVersionRecord, 'number'>): Promise<ActionVersionRecord | undefined>;
  listVersions(tenantId: string, actionId: string, page: Page): Promise<{ items: ActionVersionRecord[]; total: number }>;
  getVersion(tenantId: string, actionId: string, versionId: string): Promise<ActionVersionRecord | undefined>;
  deployedVersion(tenantId: string, actionId: string): Promise<ActionVersionRecord | undefined>;

  listBindings(tenantId: string, triggerId: string): Promise<ActionBindingRecord[]>;
  /** Replaces the trigger's bindings (order kept) in one transaction. */
  replaceBindings(tenantId: string, triggerId: string, bindings: ActionBindingRecord[]): Promise<void>;
  /** Adds a binding when the trigger has none; resolves false when one existed. */
  bindIfUnbound(tenantId: string, binding: ActionBindingRecord): Promise<boolean>;
  bindingsOfAction(tenantId: string, actionId: string): Promise<ActionBindingRecord[]>;

  insertExecution(tenantId: string, execution: ExecutionRecord): Promise<void>;
  getExecution(tenantId: string, id: string): Promise<ExecutionRecord | undefined>;
  /** Removes executions created before `before` (ISO); resolves how many. Every tenant. */
  purgeExecutions(before: string): Promise<number>;

  /** Every sealed secrets blob of actions and versions, for secret-box key rotation. */
  listSealed(): Promise<Array<{ tenantId: string; table: 'action' | 'version'; id: string; sealed: string }>>;
  /** Compare-and-swap of one sealed blob; resolves true when written. */
  updateSealed(tenantId: string, table: 'action' | 'version', id: string, from: string, to: string): Promise<boolean>;
}

export interface CacheEntry extends CacheRecord {
  key: string;
}

/** `api.cache` storage, per tenant and trigger, shared by every node. */
export interface ActionCacheRepository {
  /** Entries of the trigger that have not expired at `nowMs`. */
  list(tenantId: string, triggerId: string, nowMs: number): Promise<CacheEntry[]>;
  put(tenantId: string, triggerId: string, entry: CacheEntry): Promise<void>;
  delete(tenantId: string, triggerId: string, key: string): Promise<boolean>;
  /** Removes expired entries of every tenant; resolves how many. */
  purgeExpired(nowMs: number): Promise<number>;
}
