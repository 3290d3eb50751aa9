import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { isE164 } from '../phone-number.js';
import { TEMPLATE_TYPES, type PhoneTemplateRecord, type TemplateType, type TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { validateTemplate } from './liquid.js';
import { DEFAULT_TEMPLATES } from './template-defaults.js';

export interface TemplateContentInput {
  from?: string | undefined;
  body?: { text?: string | undefined; voice?: string | undefined } | undefined;
}

export interface NewPhoneTemplate {
  type: TemplateType;
  disabled?: boolean | undefined;
  content?: TemplateContentInput | undefined;
}

export interface PhoneTemplatePatch {
  disabled?: boolean | undefined;
  content?: TemplateContentInput | undefined;
}

/** A built-in default in a listing: a type the tenant never created. It has no id and no sender. */
export interface DefaultPhoneTemplate extends Omit<PhoneTemplateRecord, 'id' | 'from'> {
  id: null;
  from: null;
}

export type ListedPhoneTemplate = PhoneTemplateRecord | DefaultPhoneTemplate;

/** Checks what the caller sent (a default body is known good and not re-parsed). */
function checkContent(content: TemplateContentInput | undefined): void {
  if (content?.from !== undefined && !isE164(content.from)) {
    throw new AppError('invalid_body', 'Payload validation error: content.from must be a valid phone number in E.164 format, e.g. +14155552671');
  }
  if (content?.body?.text !== undefined) validateTemplate(content.body.text);
  if (content?.body?.voice !== undefined) validateTemplate(content.body.voice);
}

/** Phone notification templates: at most one per type per tenant, Liquid checked when saved. */
export class PhoneTemplateService {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
  ) {}

  /**
   * Every type once, in the catalogue's order: the tenant's template, or the built-in default
   * (dated at the tenant's creation, since it has existed as long as the tenant has).
   */
  async list(tenant: TenantRecord, filter: { disabled?: boolean | undefined } = {}): Promise<ListedPhoneTemplate[]> {
    const own = new Map((await this.repos.phoneTemplates.list(tenant.id)).map((t) => [t.type, t]));
    const all: ListedPhoneTemplate[] = TEMPLATE_TYPES.map((type) => own.get(type) ?? this.builtIn(tenant, type));
    return filter.disabled === undefined ? all : all.filter((t) => t.disabled === filter.disabled);
  }

  async get(tenant: TenantRecord, id: string): Promise<PhoneTemplateRecord> {
    const t = await this.repos.phoneTemplates.get(tenant.id, id);
    if (!t) throw new AppError('inexistent_phone_template');
    return t;
  }

  /** The template a sender uses for `type`: the tenant's own, or the built-in default. */
  async forType(tenant: TenantRecord, type: TemplateType): Promise<ListedPhoneTemplate> {
    return (await this.repos.phoneTemplates.getByType(tenant.id, type)) ?? this.builtIn(tenant, type);
  }

  async create(tenant: TenantRecord, input: NewPhoneTemplate): Promise<PhoneTemplateRecord> {
    checkContent(input.content);
    const now = this.clock.now().toISOString();
    const defaults = DEFAULT_TEMPLATES[input.type];
    const template: PhoneTemplateRecord = {
      id: newId('tem'),
      type: input.type,
      disabled: input.disabled ?? false,
      from: input.content?.from ?? null,
      bodyText: input.content?.body?.text ?? defaults.text,
      bodyVoice: input.content?.body?.voice ?? defaults.voice,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // The (tenant, type) unique constraint decides races; the loser gets the 409.
    if (!(await this.repos.phoneTemplates.insert(tenant.id, template))) throw new AppError('phone_template_conflict');
    return template;
  }

  /** Partial update; the type never changes. */
  async update(tenant: TenantRecord, id: string, patch: PhoneTemplatePatch): Promise<PhoneTemplateRecord> {
    checkContent(patch.content);
    return this.save(tenant, id, (current) => ({
      ...current,
      disabled: patch.disabled ?? current.disabled,
      from: patch.content?.from ?? current.from,
      bodyText: patch.content?.body?.text ?? current.bodyText,
      bodyVoice: patch.content?.body?.voice ?? current.bodyVoice,
    }));
  }

  /** Restores both bodies to the built-in default of the type; id, sender and `disabled` are kept. */
  async reset(tenant: TenantRecord, id: string): Promise<PhoneTemplateRecord> {
    return this.save(tenant, id, (current) => ({ ...current, bodyText: DEFAULT_TEMPLATES[current.type].text, bodyVoice: DEFAULT_TEMPLATES[current.type].voice }));
  }

  async delete(tenant: TenantRecord, id: string): Promise<void> {
    if (!(await this.repos.phoneTemplates.delete(tenant.id, id))) throw new AppError('inexistent_phone_template');
  }

  /**
   * Applies `change` to the stored template and saves it as the next version, compare-and-swap on the
   * version: a concurrent save makes this one re-read and re-apply its change (so both take effect),
   * and the version bump invalidates cached parses keyed on (id, version).
   */
  private async save(tenant: TenantRecord, id: string, change: (current: PhoneTemplateRecord) => PhoneTemplateRecord): Promise<PhoneTemplateRecord> {
    for (let tries = 0; tries < 20; tries++) {
      const current = await this.repos.phoneTemplates.get(tenant.id, id);
      if (!current) throw new AppError('inexistent_phone_template');
      const changed = change(current);
      // A save that changes nothing writes nothing: the version and `updated_at` stay.
      if (isDeepStrictEqual(changed, current)) return current;
      const next = { ...changed, version: current.version + 1, updatedAt: this.clock.now().toISOString() };
      if (await this.repos.phoneTemplates.replace(tenant.id, next, current.version)) return next;
    }
    throw new AppError('too_many_requests', 'The template is being changed by other requests; try again');
  }

  private builtIn(tenant: TenantRecord, type: TemplateType): DefaultPhoneTemplate {
    const d = DEFAULT_TEMPLATES[type];
    return {
      id: null,
      type,
      disabled: false,
      from: null,
      bodyText: d.text,
      bodyVoice: d.voice,
      version: 0,
      createdAt: tenant.createdAt,
      updatedAt: tenant.createdAt,
    };
  }
}
