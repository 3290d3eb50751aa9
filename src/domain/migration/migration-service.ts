import type { ActionService } from '../actions/action-service.js';
import type { ActionBindingRecord } from '../actions/ports.js';
import type { SmsConnectionOptions } from '../auth/ports.js';
import { legacyPasswordlessAccount } from '../notifications/legacy-passwordless.js';
import { openSecrets } from '../actions/trigger-executor.js';
import { CUSTOM_PHONE_PROVIDER } from '../actions/triggers.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { ProviderCredentials } from '../phone-provider/provider-kind.js';
import { openProviderCredentials, sealProviderCredentials } from '../phone-provider/provider-credentials.js';
import type { PhoneProviderService } from '../phone-provider/phone-provider-service.js';
import type { DeliveryMethod, GuardianSettingsRecord, PhoneProviderRecord, PhoneTemplateRecord, Sealer, TenantRecord } from '../ports.js';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE, PHONE_MIGRATION_SNAPSHOT_PURPOSE } from '../purposes.js';
import type { Repositories } from '../repositories.js';
import { PhoneTemplateService } from '../templates/phone-template-service.js';
import { defaultGuardianSettings } from '../tenants/tenant-service.js';
import { accountSecrets, gatewaySecretName } from './generated-provider.js';
import { readLegacyState, type LegacyState } from './legacy-state.js';
import { makePlan, MIGRATED_ACTION_NAME, type MigrationPlan, type PlanChoices, type TargetKind } from './plan.js';
import type { CreatedObjects } from './ports.js';
import type { Translation } from './translation.js';

export interface PhoneMigrationDeps {
  repos: Repositories;
  sealer: Sealer;
  clock: Clock;
  /** Checks and seals a provider without storing it. */
  providers: Pick<PhoneProviderService, 'prepare'>;
  /** The Actions service over a bag of repositories (the apply transaction's). */
  actionsOver(repos: Repositories): ActionService;
  /** Compiles Action code without running it. */
  checkCode(code: string): Promise<{ ok: true } | { ok: false; message: string }>;
  translate(code: string): Promise<Translation>;
  twilioApiBaseUrl: string;
  kindMethods(kind: TargetKind): readonly DeliveryMethod[];
  /** Called after a commit that changed a tenant's settings (per-process caches of tenants). */
  tenantChanged(): void;
}

export interface ApplyInput {
  planHash: string;
  choices: PlanChoices;
  copySecrets: boolean;
}

/** One change apply made (or, in a dry run, would make). Secrets appear by name only. */
export interface MigrationChange {
  op: 'create' | 'replace' | 'update' | 'delete' | 'restore';
  resource: 'action' | 'trigger_binding' | 'phone_provider' | 'phone_template' | 'guardian_message_types' | 'tenant_settings';
  id?: string;
  before?: unknown;
  after?: unknown;
}

export interface ApplyResult {
  dry_run: boolean;
  plan_hash: string;
  changes: MigrationChange[];
}

/** The legacy state apply replaced, with its secrets in plain text (the snapshot is sealed as a whole). */
interface MigrationSnapshot {
  phoneConsolidatedExperience: boolean;
  guardian: Omit<GuardianSettingsRecord, 'twilioAuthTokenSealed'> & { twilioAuthToken: string | null };
  provider: (Omit<PhoneProviderRecord, 'credentialsSealed'> & { credentials: ProviderCredentials | null }) | null;
  templates: PhoneTemplateRecord[];
  customBindings: ActionBindingRecord[];
}

/** Thrown inside the dry run's transaction to roll it back with the result. */
class DryRun extends Error {
  constructor(readonly result: ApplyResult) {
    super('dry run');
  }
}

const providerView = (p: PhoneProviderRecord) => ({ id: p.id, name: p.name, disabled: p.disabled, configuration: p.configuration });
const templateView = (t: PhoneTemplateRecord) => ({ id: t.id, type: t.type, disabled: t.disabled, from: t.from, content: { body: { text: t.bodyText, voice: t.bodyVoice } } });

/**
 * Moves a tenant from its legacy phone configuration (Guardian Twilio settings or a send-phone-message
 * Action for MFA, the sms connection's own provider for passwordless) to one tenant-level provider,
 * in one transaction, and back. See docs/migration.md.
 */
export class PhoneMigrationService {
  constructor(private readonly d: PhoneMigrationDeps) {}

  /**
   * Reads the tenant and plans. `translated` keeps the hook's translation by code: apply plans twice
   * (before its transaction and inside it) and the second plan reuses the first's.
   */
  private async makePlan(
    repos: Repositories,
    tenant: TenantRecord,
    choices: PlanChoices,
    translated = new Map<string, Translation>(),
  ): Promise<{ plan: MigrationPlan; state: LegacyState }> {
    const state = await readLegacyState(repos, tenant);
    const g = state.guardian;
    const hook = g.factors['sms'] && g.selectedProvider === 'phone-message-hook' ? state.hooks[0] : undefined;
    let translation = hook ? translated.get(hook.action.code) : undefined;
    if (hook && !translation) {
      translation = await this.d.translate(hook.action.code).catch((e: unknown) => translationFailure(e));
      translated.set(hook.action.code, translation);
    }
    const plan = makePlan({ state, choices, translation, twilioApiBaseUrl: this.d.twilioApiBaseUrl, kindMethods: this.d.kindMethods });
    return { plan, state };
  }

  /** A send-phone-message Action's code translated for custom-phone-provider (nothing stored or run). */
  translate(code: string): Promise<Translation> {
    return this.d.translate(code);
  }

  async plan(tenant: TenantRecord, choices: PlanChoices = {}): Promise<MigrationPlan> {
    return (await this.makePlan(this.d.repos, tenant, choices)).plan;
  }

  /** Refuses what apply cannot do for this plan (the same checks run again inside the transaction). */
  private assertApplicable(plan: MigrationPlan, input: ApplyInput): void {
    if (plan.status !== 'legacy' || !plan.eligible) throw new AppError('phone_migration_not_applicable', plan.blockers.map((b) => b.message).join('; ') || undefined);
    if (plan.plan_hash !== input.planHash) throw new AppError('phone_migration_plan_changed');
    if (plan.blockers.length > 0) throw new AppError('phone_migration_blocked', `The migration plan has blockers: ${plan.blockers.map((b) => `${b.code}: ${b.message}`).join('; ')}`);
    if (plan.secrets.length > 0 && !input.copySecrets) {
      throw new AppError(
        'phone_migration_secrets_not_confirmed',
        `The new Action needs ${plan.secrets.length} secret(s) copied from the legacy configuration (${plan.secrets.map((s) => s.name).join(', ')}); repeat with copy_secrets: true`,
      );
    }
  }

  async apply(tenant: TenantRecord, input: ApplyInput, dryRun: boolean): Promise<ApplyResult> {
    // Checked before the transaction, which then only writes (Action code is compiled here too).
    const translated = new Map<string, Translation>();
    const { plan: pre } = await this.makePlan(this.d.repos, tenant, input.choices, translated);
    this.assertApplicable(pre, input);
    if (pre.target?.action) {
      const built = await this.d.checkCode(pre.target.action.code);
      if (!built.ok) throw new AppError('action_build_failed', `The migrated Action does not compile: ${built.message}`);
    }
    try {
      const result = await this.d.repos.transaction(async (tx) => {
        const now = this.d.clock.now().toISOString();
        // Serialises with every Guardian and provider change of the tenant.
        await tx.guardian.lock(tenant.id, defaultGuardianSettings(tenant.createdAt));
        const fresh = (await tx.tenants.findById(tenant.id)) ?? tenant;
        const { plan, state } = await this.makePlan(tx, fresh, input.choices, translated);
        this.assertApplicable(plan, input);
        const r = await this.write(tx, fresh, plan, state, input, now);
        if (dryRun) throw new DryRun({ ...r, dry_run: true });
        return r;
      });
      return result;
    } catch (e) {
      if (e instanceof DryRun) return e.result;
      throw e;
    } finally {
      if (!dryRun) this.d.tenantChanged();
    }
  }

  /** The secrets of the new Action, opened from where the legacy configuration keeps them. */
  private actionSecrets(plan: MigrationPlan, state: LegacyState): Array<{ name: string; value: string }> {
    const action = plan.target?.action;
    if (!action) return [];
    if (action.source === 'translated') {
      const hook = state.hooks.find((h) => h.action.id === action.original_action_id)!;
      return Object.entries(openSecrets(this.d.sealer, hook.action.secretsSealed)).map(([name, value]) => ({ name, value }));
    }
    const g = state.guardian;
    const o = state.sms!.options;
    const opened = this.connectionSecrets(o);
    const mfa = accountSecrets('MFA', { sid: g.twilio.sid!, from: g.twilio.from, messagingServiceSid: g.twilio.messaging_service_sid, authToken: this.guardianToken(g)! });
    if (o.provider === 'twilio') {
      return [...mfa, ...accountSecrets('PASSWORDLESS', { sid: o.twilio_sid!, from: o.from ?? null, messagingServiceSid: o.messaging_service_sid ?? null, authToken: opened.twilioToken ?? '' })];
    }
    return [...mfa, ...(o.gateway_authentication && opened.gatewaySecret ? [{ name: gatewaySecretName('PASSWORDLESS'), value: opened.gatewaySecret }] : [])];
  }

  /** The sms connection's sealed secrets, opened (the same reading as its legacy sends). */
  private connectionSecrets(o: SmsConnectionOptions): { twilioToken?: string | undefined; gatewaySecret?: string | undefined } {
    const a = legacyPasswordlessAccount(o, this.d.sealer);
    if (!a) return {};
    return a.kind === 'twilio' ? { twilioToken: a.account.credentials['auth_token'] } : { gatewaySecret: a.account.credentials['secret'] };
  }

  private guardianToken(g: GuardianSettingsRecord): string | null {
    return g.twilioAuthTokenSealed ? this.d.sealer.open(g.twilioAuthTokenSealed, GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE) : null;
  }

  /** The new provider's credentials, from the legacy configuration they were copied from. */
  private providerCredentials(kind: TargetKind, state: LegacyState): Record<string, string> {
    if (kind === 'custom') return {};
    const secrets = state.sms ? this.connectionSecrets(state.sms.options) : {};
    if (kind === 'sms_gateway') return secrets.gatewaySecret ? { secret: secrets.gatewaySecret } : {};
    const g = state.guardian;
    const fromGuardian = g.factors['sms'] && g.selectedProvider === 'twilio';
    const token = fromGuardian ? this.guardianToken(g) : secrets.twilioToken;
    return token ? { auth_token: token } : {};
  }

  private async write(tx: Repositories, tenant: TenantRecord, plan: MigrationPlan, state: LegacyState, input: ApplyInput, now: string): Promise<ApplyResult> {
    const target = plan.target!;
    const changes: MigrationChange[] = [];
    const snapshot: MigrationSnapshot = {
      phoneConsolidatedExperience: tenant.phoneConsolidatedExperience,
      guardian: { ...withoutSealed(state.guardian), twilioAuthToken: this.guardianToken(state.guardian) },
      provider: state.provider ? { ...withoutCredentials(state.provider), credentials: state.provider.credentialsSealed ? openProviderCredentials(this.d.sealer, state.provider.credentialsSealed) : null } : null,
      templates: state.templates.filter((t) => plan.templates.some((p) => p.type === t.type)),
      customBindings: state.customBindings,
    };

    // 1. The Action (custom providers): created, deployed, bound to custom-phone-provider.
    let action: CreatedObjects['action'] = null;
    if (target.action) {
      const actions = this.d.actionsOver(tx);
      const taken = new Set((await tx.actions.list(tenant.id, {}, { page: 0, perPage: 100 })).items.map((a) => a.name));
      let name = target.action.name;
      for (let i = 2; taken.has(name); i++) name = `${MIGRATED_ACTION_NAME} ${i}`;
      const created = await actions.create(tenant.id, {
        name,
        supportedTriggers: [{ id: CUSTOM_PHONE_PROVIDER, version: 'v1' }],
        code: target.action.code,
        secrets: input.copySecrets ? this.actionSecrets(plan, state) : [],
        deploy: true,
      });
      await actions.updateBindings(tenant.id, CUSTOM_PHONE_PROVIDER, [{ ref: { type: 'action_id', value: created.id } }]);
      action = { id: created.id, updatedAt: created.updatedAt };
      changes.push({ op: 'create', resource: 'action', id: created.id, after: { name, supported_triggers: created.supportedTriggers, secrets: created.secrets.map((s) => s.name), deployed: true } });
      changes.push({ op: 'replace', resource: 'trigger_binding', id: CUSTOM_PHONE_PROVIDER, before: state.customBindings.map((b) => b.actionId), after: [created.id] });
    }

    // 2. The tenant provider (an existing one is replaced; the snapshot keeps it).
    const provider = this.d.providers.prepare({ name: target.kind, configuration: target.provider.configuration as never, credentials: this.providerCredentials(target.kind, state) });
    if (state.provider) await tx.phoneProviders.delete(tenant.id, state.provider.id);
    if (!(await tx.phoneProviders.insert(tenant.id, provider))) throw new AppError('phone_provider_conflict');
    changes.push({ op: state.provider ? 'replace' : 'create', resource: 'phone_provider', id: provider.id, ...(state.provider ? { before: providerView(state.provider) } : {}), after: providerView(provider) });

    // 3. The templates of the legacy texts (the other types keep their defaults).
    const templates = new PhoneTemplateService(tx, this.d.clock);
    const createdTemplates: CreatedObjects['templates'] = [];
    for (const planned of plan.templates) {
      const existing = state.templates.find((t) => t.type === planned.type);
      if (existing) await tx.phoneTemplates.delete(tenant.id, existing.id);
      const t = await templates.create(tenant, { type: planned.type, content: { body: planned.body } });
      createdTemplates.push({ id: t.id, type: t.type, version: t.version });
      changes.push({ op: existing ? 'replace' : 'create', resource: 'phone_template', id: t.id, ...(existing ? { before: templateView(existing) } : {}), after: templateView(t) });
    }

    // 4. The MFA message types the tenant provider can carry.
    const g = state.guardian;
    if (plan.message_types.join() !== g.messageTypes.join()) {
      await tx.guardian.put(tenant.id, { ...g, messageTypes: plan.message_types, updatedAt: now });
      changes.push({ op: 'update', resource: 'guardian_message_types', before: g.messageTypes, after: plan.message_types });
    }

    // 5. Last, the switch.
    await tx.tenants.updateSettings(tenant.id, { phoneConsolidatedExperience: true }, now);
    changes.push({ op: 'update', resource: 'tenant_settings', id: 'flags.phone_consolidated_experience', before: false, after: true });

    const created: CreatedObjects = { provider: { id: provider.id, updatedAt: provider.updatedAt }, templates: createdTemplates, action };
    const sealed = this.d.sealer.seal(JSON.stringify(snapshot), PHONE_MIGRATION_SNAPSHOT_PURPOSE);
    if (!(await tx.phoneMigrations.insert(tenant.id, { planHash: plan.plan_hash, snapshotSealed: sealed, created, appliedAt: now }))) {
      throw new AppError('phone_migration_not_applicable', 'The tenant was migrated meanwhile');
    }
    return { dry_run: false, plan_hash: plan.plan_hash, changes };
  }

  /**
   * Restores the snapshot exactly and removes what apply created. Refuses (409) when a created object
   * was changed since, unless `force`: the rollback would throw that work away.
   */
  async rollback(tenant: TenantRecord, force: boolean): Promise<{ restored: MigrationChange[] }> {
    try {
      return await this.d.repos.transaction(async (tx) => {
        const now = this.d.clock.now().toISOString();
        const current = await tx.guardian.lock(tenant.id, defaultGuardianSettings(tenant.createdAt));
        const m = await tx.phoneMigrations.get(tenant.id);
        if (!m) throw new AppError('phone_migration_not_found');
        const snapshot = JSON.parse(this.d.sealer.open(m.snapshotSealed, PHONE_MIGRATION_SNAPSHOT_PURPOSE)) as MigrationSnapshot;
        const changed = await this.changedSince(tx, tenant, m.created);
        if (changed.length > 0 && !force) {
          throw new AppError('phone_migration_changed_since', `Changed since the migration: ${changed.join('; ')}. Repeat with ?force=true to restore the legacy configuration anyway`);
        }
        const restored: MigrationChange[] = [];

        // The tenant provider: the one apply created (or whatever replaced it, with force) goes, the old one returns.
        const installed = await tx.phoneProviders.getForTenant(tenant.id);
        if (installed) {
          await tx.phoneProviders.delete(tenant.id, installed.id);
          restored.push({ op: 'delete', resource: 'phone_provider', id: installed.id });
        }
        if (snapshot.provider) {
          const { credentials, ...rest } = snapshot.provider;
          await tx.phoneProviders.insert(tenant.id, { ...rest, credentialsSealed: credentials ? sealProviderCredentials(this.d.sealer, credentials) : null });
          restored.push({ op: 'restore', resource: 'phone_provider', id: rest.id });
        }

        // Templates of the types apply wrote.
        for (const c of m.created.templates) {
          const t = (await tx.phoneTemplates.get(tenant.id, c.id)) ?? (await tx.phoneTemplates.getByType(tenant.id, c.type as PhoneTemplateRecord['type']));
          if (t) {
            await tx.phoneTemplates.delete(tenant.id, t.id);
            restored.push({ op: 'delete', resource: 'phone_template', id: t.id });
          }
          const before = snapshot.templates.find((x) => x.type === c.type);
          if (before) {
            await tx.phoneTemplates.insert(tenant.id, before);
            restored.push({ op: 'restore', resource: 'phone_template', id: before.id });
          }
        }

        // The Action apply created, with its bindings; then the custom-phone-provider bindings as they were.
        if (m.created.action && (await tx.actions.get(tenant.id, m.created.action.id))) {
          await tx.actions.delete(tenant.id, m.created.action.id);
          restored.push({ op: 'delete', resource: 'action', id: m.created.action.id });
        }
        const kept: ActionBindingRecord[] = [];
        for (const b of snapshot.customBindings) if (await tx.actions.get(tenant.id, b.actionId)) kept.push(b);
        await tx.actions.replaceBindings(tenant.id, CUSTOM_PHONE_PROVIDER, kept);
        restored.push({ op: 'restore', resource: 'trigger_binding', id: CUSTOM_PHONE_PROVIDER, after: kept.map((b) => b.actionId) });

        // Guardian settings, the auth token sealed again.
        const { twilioAuthToken, ...g } = snapshot.guardian;
        await tx.guardian.put(tenant.id, {
          ...g,
          twilioAuthTokenSealed: twilioAuthToken === null ? null : this.d.sealer.seal(twilioAuthToken, GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE),
          updatedAt: now,
        });
        restored.push({ op: 'restore', resource: 'guardian_message_types', before: current.messageTypes, after: g.messageTypes });

        await tx.tenants.updateSettings(tenant.id, { phoneConsolidatedExperience: snapshot.phoneConsolidatedExperience }, now);
        restored.push({ op: 'restore', resource: 'tenant_settings', id: 'flags.phone_consolidated_experience', after: snapshot.phoneConsolidatedExperience });
        await tx.phoneMigrations.delete(tenant.id);
        return { restored };
      });
    } finally {
      this.d.tenantChanged();
    }
  }

  /** What of the objects apply created is no longer as apply left it. */
  private async changedSince(tx: Repositories, tenant: TenantRecord, created: CreatedObjects): Promise<string[]> {
    const out: string[] = [];
    const p = await tx.phoneProviders.getForTenant(tenant.id);
    if (!p || p.id !== created.provider.id) out.push('the phone provider was replaced or deleted');
    else if (p.updatedAt !== created.provider.updatedAt) out.push(`the phone provider ${p.id} was updated`);
    for (const c of created.templates) {
      const t = await tx.phoneTemplates.get(tenant.id, c.id);
      if (!t) out.push(`the ${c.type} template was deleted or replaced`);
      else if (t.version !== c.version) out.push(`the ${c.type} template was edited`);
    }
    if (created.action) {
      const a = await tx.actions.get(tenant.id, created.action.id);
      if (!a) out.push('the migrated Action was deleted');
      else if (a.updatedAt !== created.action.updatedAt) out.push(`the Action ${a.name} was edited`);
    }
    return out;
  }
}

function withoutSealed(g: GuardianSettingsRecord): Omit<GuardianSettingsRecord, 'twilioAuthTokenSealed'> {
  const { twilioAuthTokenSealed: _sealed, ...rest } = g;
  return rest;
}

function withoutCredentials(p: PhoneProviderRecord): Omit<PhoneProviderRecord, 'credentialsSealed'> {
  const { credentialsSealed: _sealed, ...rest } = p;
  return rest;
}

/** A hook whose code does not parse: the plan says so as a blocker instead of failing. */
function translationFailure(e: unknown): Translation {
  const message = e instanceof Error ? e.message : String(e);
  return { code: '', changes: [], warnings: [{ line: 0, code: 'untranslatable', message: `the Action could not be translated: ${message}` }], secrets: [] };
}
