import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Page, Sealer } from '../ports.js';
import { ACTION_SECRET_PURPOSE } from '../purposes.js';
import {
  type ActionBindingRecord,
  type ActionDependency,
  type ActionListFilter,
  type ActionRecord,
  type ActionRepository,
  type ActionVersionRecord,
  type ExecutionRecord,
  type SecretMeta,
  type TriggerRef,
  type WriteOutcome,
} from './ports.js';
import { MAX_ACTION_CODE_BYTES, type ActionRunner, type RunResult } from './runner.js';
import { openSecrets, type TriggerExecutor } from './trigger-executor.js';
import { CUSTOM_PHONE_PROVIDER, DEFAULT_RUNTIME, isTriggerId, listTriggers, TRIGGERS, type TriggerId, type TriggerInfo } from './triggers.js';

export interface SecretInput {
  name: string;
  /** Absent on update: keep the stored value of that name. */
  value?: string | undefined;
}

export interface NewAction {
  name: string;
  supportedTriggers: TriggerRef[];
  code?: string | undefined;
  dependencies?: ActionDependency[] | undefined;
  runtime?: string | undefined;
  secrets?: SecretInput[] | undefined;
  deploy?: boolean | undefined;
}

export type ActionPatch = Partial<Omit<NewAction, 'deploy'>>;

export type BindingRef = { type: 'action_id' | 'action_name' | 'binding_id'; value: string };
export interface BindingInput {
  ref: BindingRef;
  displayName?: string | undefined;
}

export interface BindingView {
  binding: ActionBindingRecord;
  action: ActionRecord;
  deployedVersion: ActionVersionRecord | undefined;
}

const MAX_SECRETS = 30;
/** Actions per tenant: each keeps its code and up to MAX_VERSIONS_KEPT deployed copies (docs/actions.md). */
export const MAX_ACTIONS_PER_TENANT = 100;

/** Actions CRUD, deploys with kept versions, trigger bindings, test runs and executions. */
export class ActionService {
  constructor(
    private readonly repo: ActionRepository,
    private readonly runner: ActionRunner,
    private readonly executor: TriggerExecutor,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    /** True when the tenant's MFA phone factor sends through its custom provider, i.e. through the bound action. */
    private readonly customProviderInUse: (tenantId: string) => Promise<boolean> = async () => false,
  ) {}

  /** 409 `phone_provider_in_use` when removing the custom-phone-provider binding would leave MFA unable to send. */
  private async assertCustomProviderNotNeeded(tenantId: string, what: string): Promise<void> {
    if (await this.customProviderInUse(tenantId)) {
      throw new AppError('phone_provider_in_use', `The MFA phone factor sends through the custom phone provider, which runs this action; ${what} would leave it unable to send. Switch the provider or turn the factor off first.`);
    }
  }

  triggers(): TriggerInfo[] {
    return listTriggers();
  }

  async create(tenantId: string, input: NewAction): Promise<ActionRecord> {
    const triggers = this.checkTriggers(input.supportedTriggers);
    // A soft cap (two concurrent creates at the limit may both pass): storage one tenant can fill is bounded.
    const { total } = await this.repo.list(tenantId, {}, { page: 0, perPage: 1 });
    if (total >= MAX_ACTIONS_PER_TENANT) throw new AppError('too_many_actions', `A tenant can have at most ${MAX_ACTIONS_PER_TENANT} actions; delete one first`);
    const code = this.checkCode(input.code ?? '');
    const now = this.now();
    const { secrets, sealed } = this.sealSecrets(input.secrets ?? [], {}, [], now);
    const action: ActionRecord = {
      id: randomUUID(),
      name: input.name,
      supportedTriggers: triggers,
      code,
      dependencies: input.dependencies ?? [],
      runtime: input.runtime ?? DEFAULT_RUNTIME,
      secrets,
      secretsSealed: sealed,
      exclusiveTrigger: exclusiveOf(triggers),
      allChangesDeployed: false,
      createdAt: now,
      updatedAt: now,
    };
    if (input.deploy) {
      // Checked before anything is written: a create that answers 400 must leave no action behind.
      const built = await this.runner.check(action.code);
      if (!built.ok) throw new AppError('action_build_failed', `The action code does not compile: ${built.message}`);
    }
    assertWritten(await this.repo.insert(tenantId, action));
    if (input.deploy) await this.deploy(tenantId, action.id);
    return (await this.repo.get(tenantId, action.id)) ?? action;
  }

  list(tenantId: string, filter: ActionListFilter, page: Page): Promise<{ items: ActionRecord[]; total: number }> {
    return this.repo.list(tenantId, filter, page);
  }

  async get(tenantId: string, id: string): Promise<ActionRecord> {
    const a = await this.repo.get(tenantId, id);
    if (!a) throw new AppError('inexistent_action');
    return a;
  }

  async update(tenantId: string, id: string, patch: ActionPatch): Promise<ActionRecord> {
    const current = await this.get(tenantId, id);
    const triggers = patch.supportedTriggers ? this.checkTriggers(patch.supportedTriggers) : current.supportedTriggers;
    // A trigger the action is bound to stays: the binding would run code without its handler, and
    // the trigger's one-action slot would look free while the old binding still answers for it.
    if (patch.supportedTriggers) {
      const dropped = (await this.repo.bindingsOfAction(tenantId, id)).filter((b) => !triggers.some((t) => t.id === b.triggerId));
      if (dropped.length > 0) throw new AppError('action_is_bound', `The action is bound to ${dropped.map((b) => b.triggerId).join(', ')}: unbind it before removing that trigger`);
    }
    const now = this.now();
    let { secrets, secretsSealed } = current;
    if (patch.secrets) {
      const stored = openSecrets(this.sealer, current.secretsSealed);
      ({ secrets, sealed: secretsSealed } = this.sealSecrets(patch.secrets, stored, current.secrets, now));
    }
    const next: ActionRecord = {
      ...current,
      name: patch.name ?? current.name,
      supportedTriggers: triggers,
      code: patch.code !== undefined ? this.checkCode(patch.code) : current.code,
      dependencies: patch.dependencies ?? current.dependencies,
      runtime: patch.runtime ?? current.runtime,
      secrets,
      secretsSealed,
      exclusiveTrigger: exclusiveOf(triggers),
      allChangesDeployed: false,
      updatedAt: now,
    };
    // An update that changes nothing writes nothing: the draft keeps its `updated_at` and stays
    // deployed, so that a configuration tool re-applying the same file (the Deploy CLI updates, then
    // deploys, every action on every import) leaves the action as it was.
    if (sameDraft(current, next)) return current;
    assertWritten(await this.repo.replace(tenantId, next));
    return next;
  }

  /** Refuses to delete a bound action unless `force` (then its bindings go with it, as in Auth0). */
  async delete(tenantId: string, id: string, force: boolean): Promise<void> {
    await this.get(tenantId, id);
    const bound = await this.repo.bindingsOfAction(tenantId, id);
    if (!force && bound.length > 0) throw new AppError('action_is_bound');
    // Not even with force: MFA would be left sending through nothing.
    if (bound.some((b) => b.triggerId === CUSTOM_PHONE_PROVIDER)) await this.assertCustomProviderNotNeeded(tenantId, 'deleting it');
    if (!(await this.repo.delete(tenantId, id))) throw new AppError('inexistent_action');
  }

  /**
   * Snapshots the action as a new version, compiles it, and makes it the deployed one; the next run of
   * the trigger, on any node, uses it (runners cache compiled code by version id). A custom-phone-provider
   * action is bound on deploy when nothing is bound yet: Auth0's API recipe for custom providers has no
   * bind step.
   */
  async deploy(tenantId: string, id: string): Promise<ActionVersionRecord> {
    const a = await this.get(tenantId, id);
    // Nothing changed since the last deploy: that version stays the deployed one (docs/actions.md).
    const current = a.allChangesDeployed ? await this.repo.deployedVersion(tenantId, id) : undefined;
    if (current) {
      await this.bindOnDeploy(tenantId, a, current.updatedAt);
      return current;
    }
    const built = await this.runner.check(a.code);
    if (!built.ok) throw new AppError('action_build_failed', `The action code does not compile: ${built.message}`);
    const now = this.now();
    const version = await this.repo.deploy(tenantId, {
      id: randomUUID(),
      actionId: a.id,
      code: a.code,
      dependencies: a.dependencies,
      runtime: a.runtime,
      supportedTriggers: a.supportedTriggers,
      secrets: a.secrets,
      secretsSealed: a.secretsSealed,
      deployed: true,
      createdAt: now,
      updatedAt: now,
    });
    if (!version) throw new AppError('inexistent_action');
    await this.bindOnDeploy(tenantId, a, now);
    return version;
  }

  private async bindOnDeploy(tenantId: string, a: ActionRecord, now: string): Promise<void> {
    for (const t of a.supportedTriggers) {
      if (isTriggerId(t.id) && TRIGGERS[t.id].bindOnDeploy) {
        await this.repo.bindIfUnbound(tenantId, { id: randomUUID(), triggerId: t.id, actionId: a.id, displayName: a.name, createdAt: now, updatedAt: now });
      }
    }
  }

  async versions(tenantId: string, id: string, page: Page): Promise<{ items: ActionVersionRecord[]; total: number }> {
    await this.get(tenantId, id);
    return this.repo.listVersions(tenantId, id, page);
  }

  async version(tenantId: string, actionId: string, versionId: string): Promise<ActionVersionRecord> {
    const v = await this.repo.getVersion(tenantId, actionId, versionId);
    if (!v) throw new AppError('inexistent_action_version');
    return v;
  }

  deployedVersion(tenantId: string, actionId: string): Promise<ActionVersionRecord | undefined> {
    return this.repo.deployedVersion(tenantId, actionId);
  }

  async bindings(tenantId: string, triggerId: string): Promise<BindingView[]> {
    const t = this.trigger(triggerId);
    const out: BindingView[] = [];
    for (const b of await this.repo.listBindings(tenantId, t)) {
      const action = await this.repo.get(tenantId, b.actionId);
      if (action) out.push({ binding: b, action, deployedVersion: await this.repo.deployedVersion(tenantId, b.actionId) });
    }
    return out;
  }

  /** Replaces a trigger's bindings: each action must support the trigger and be deployed. */
  async updateBindings(tenantId: string, triggerId: string, inputs: BindingInput[]): Promise<BindingView[]> {
    const t = this.trigger(triggerId);
    const contract = TRIGGERS[t];
    if (inputs.length > contract.maxBindings) {
      throw new AppError('invalid_binding', `Invalid binding: the ${t} trigger takes at most ${contract.maxBindings} bound action(s)`);
    }
    const existing = await this.repo.listBindings(tenantId, t);
    const now = this.now();
    const next: ActionBindingRecord[] = [];
    const refs = inputs.filter((i) => i.ref.type === 'binding_id').map((i) => i.ref.value);
    if (new Set(refs).size !== refs.length) throw new AppError('invalid_binding', 'Invalid binding: a binding_id is listed twice');
    for (const input of inputs) {
      const action = await this.resolveRef(tenantId, input.ref, existing);
      if (!action.supportedTriggers.some((s) => s.id === t)) {
        throw new AppError('invalid_binding', `Invalid binding: action ${action.name} does not support the ${t} trigger`);
      }
      if (!(await this.repo.deployedVersion(tenantId, action.id))) throw new AppError('action_not_deployed', `The action ${action.name} has no deployed version`);
      // The binding of this action that is already there (by its id, or the first one of the action
      // not taken yet) keeps its id and dates: re-applying the same bindings changes nothing.
      const kept =
        input.ref.type === 'binding_id'
          ? existing.find((b) => b.id === input.ref.value)
          : existing.find((b) => b.actionId === action.id && !next.some((n) => n.id === b.id) && !refs.includes(b.id));
      const displayName = input.displayName ?? kept?.displayName ?? action.name;
      next.push({
        id: kept?.id ?? randomUUID(),
        triggerId: t,
        actionId: action.id,
        displayName,
        createdAt: kept?.createdAt ?? now,
        updatedAt: kept && kept.displayName === displayName ? kept.updatedAt : now,
      });
    }
    if (t === CUSTOM_PHONE_PROVIDER && next.length === 0 && existing.length > 0) await this.assertCustomProviderNotNeeded(tenantId, 'unbinding it');
    await this.repo.replaceBindings(tenantId, t, next);
    return this.bindings(tenantId, t);
  }

  /** Runs the action's current code with `payload` as the event (secrets are the action's own). */
  async test(tenantId: string, id: string, payload: Record<string, unknown>): Promise<{ executionId: string; result: RunResult }> {
    const a = await this.get(tenantId, id);
    const trigger = a.supportedTriggers.map((s) => s.id).find(isTriggerId);
    if (!trigger) throw new AppError('unsupported_trigger');
    return this.executor.runDraft(tenantId, a, trigger, payload);
  }

  async execution(tenantId: string, id: string): Promise<ExecutionRecord> {
    const e = await this.repo.getExecution(tenantId, id);
    if (!e) throw new AppError('inexistent_execution');
    return e;
  }

  private async resolveRef(tenantId: string, ref: BindingRef, existing: ActionBindingRecord[]): Promise<ActionRecord> {
    let action: ActionRecord | undefined;
    if (ref.type === 'action_id') action = await this.repo.get(tenantId, ref.value);
    else if (ref.type === 'action_name') action = await this.repo.findByName(tenantId, ref.value);
    else {
      const b = existing.find((x) => x.id === ref.value);
      action = b ? await this.repo.get(tenantId, b.actionId) : undefined;
    }
    if (!action) throw new AppError('invalid_binding', `Invalid binding: no action matches ${ref.type} ${ref.value}`);
    return action;
  }

  private trigger(id: string): TriggerId {
    if (!isTriggerId(id)) throw new AppError('inexistent_trigger');
    return id;
  }

  private checkTriggers(triggers: TriggerRef[]): TriggerRef[] {
    if (triggers.length === 0) throw new AppError('invalid_body', 'Payload validation error: supported_triggers needs at least one trigger');
    for (const t of triggers) {
      if (!isTriggerId(t.id)) throw new AppError('unsupported_trigger', `Unsupported trigger ${t.id}: this server runs custom-phone-provider and send-phone-message`);
      const versions = listTriggers().filter((x) => x.id === t.id).map((x) => x.version);
      if (!versions.includes(t.version)) throw new AppError('unsupported_trigger', `Unsupported version ${t.version} of trigger ${t.id}`);
    }
    if (new Set(triggers.map((t) => t.id)).size !== triggers.length) throw new AppError('invalid_body', 'Payload validation error: a trigger is listed twice');
    return triggers.map((t) => ({ id: t.id, version: t.version }));
  }

  private checkCode(code: string): string {
    if (Buffer.byteLength(code, 'utf8') > MAX_ACTION_CODE_BYTES) throw new AppError('invalid_body', 'Payload validation error: code exceeds 100 kB');
    return code;
  }

  /** Seals the whole secret set as one value; names (with when each last changed) stay readable for the API. */
  private sealSecrets(inputs: SecretInput[], stored: Record<string, string>, meta: SecretMeta[], now: string): { secrets: SecretMeta[]; sealed: string | null } {
    if (inputs.length > MAX_SECRETS) throw new AppError('invalid_body', `Payload validation error: at most ${MAX_SECRETS} secrets`);
    // No prototype: a secret named `__proto__` or `constructor` is a name like any other.
    const values: Record<string, string> = Object.create(null) as Record<string, string>;
    const secrets: SecretMeta[] = [];
    for (const s of inputs) {
      if (Object.hasOwn(values, s.name)) throw new AppError('invalid_body', `Payload validation error: secret ${s.name} is listed twice`);
      const value = s.value ?? (Object.hasOwn(stored, s.name) ? stored[s.name] : undefined);
      if (value === undefined) throw new AppError('invalid_body', `Payload validation error: secret ${s.name} needs a value`);
      values[s.name] = value;
      const unchanged = s.value === undefined || (Object.hasOwn(stored, s.name) && stored[s.name] === s.value);
      secrets.push({ name: s.name, updated_at: (unchanged && meta.find((m) => m.name === s.name)?.updated_at) || now });
    }
    return { secrets, sealed: secrets.length > 0 ? this.sealer.seal(JSON.stringify(values), ACTION_SECRET_PURPOSE) : null };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

function exclusiveOf(triggers: TriggerRef[]): string | null {
  return triggers.find((t) => isTriggerId(t.id) && TRIGGERS[t.id].exclusive)?.id ?? null;
}

function assertWritten(outcome: WriteOutcome): void {
  if (outcome === 'name_conflict') throw new AppError('action_name_conflict');
  if (outcome === 'trigger_conflict') throw new AppError('action_trigger_conflict');
  if (outcome === 'not_found') throw new AppError('inexistent_action');
}

/** True when an update leaves the draft as it was (secrets: same names, none given a new value). */
function sameDraft(a: ActionRecord, b: ActionRecord): boolean {
  return (
    a.name === b.name &&
    a.code === b.code &&
    a.runtime === b.runtime &&
    isDeepStrictEqual(a.supportedTriggers, b.supportedTriggers) &&
    isDeepStrictEqual(a.dependencies, b.dependencies) &&
    isDeepStrictEqual(a.secrets, b.secrets)
  );
}
