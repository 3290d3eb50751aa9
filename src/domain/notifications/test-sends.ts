import { randomInt } from 'node:crypto';
import { AppError } from '../errors.js';
import type { DeliveryMethod, TemplateType, TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import type { NotificationService } from './notification-service.js';
import type { NotificationRecord } from './ports.js';
import type { NotificationContext } from './sender.js';

export interface TestSendInput {
  to: string;
  deliveryMethod?: DeliveryMethod | undefined;
  request: NotificationContext['request'];
}

/** A 6-digit code from a CSPRNG (test sends carry a realistic, never reused code). */
export const testCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/**
 * "Send Test Message": a real notification through the real pipeline, recorded like any other.
 * The provider test sends an `otp_verify`; the template test sends the template's type. Both are
 * rendered as if for an application named after the tenant. A disabled provider can be tested
 * (the seed's order is: configure, test, then enable).
 */
export class TestSends {
  constructor(
    private readonly repos: Pick<Repositories, 'phoneProviders' | 'phoneTemplates'>,
    private readonly notifications: NotificationService,
  ) {}

  private async checkedProvider(tenant: TenantRecord, method: DeliveryMethod, providerId?: string) {
    const provider = await this.repos.phoneProviders.getForTenant(tenant.id);
    if (!provider || (providerId !== undefined && provider.id !== providerId)) {
      throw new AppError(providerId !== undefined ? 'inexistent_phone_provider' : 'phone_provider_not_configured');
    }
    if (!provider.configuration.delivery_methods.includes(method)) {
      throw new AppError('delivery_method_not_enabled', `The phone provider does not deliver by ${method}; its delivery methods are ${provider.configuration.delivery_methods.join(', ')}`);
    }
    return provider;
  }

  private context(tenant: TenantRecord, input: TestSendInput): NotificationContext {
    return {
      client: { client_id: '', name: tenant.friendlyName, metadata: {} },
      ...(input.request ? { request: input.request } : {}),
      user: { user_id: 'test', source_ip: input.request?.ip ?? '' },
    };
  }

  async provider(tenant: TenantRecord, providerId: string, input: TestSendInput): Promise<NotificationRecord> {
    const method = input.deliveryMethod ?? 'text';
    const provider = await this.checkedProvider(tenant, method, providerId);
    // The provider read here is the one the inline send uses: one read for the whole request.
    return this.notifications.enqueue(tenant, {
      provider,
      type: 'otp_verify',
      deliveryMethod: method,
      recipient: input.to,
      source: 'try_provider',
      code: testCode(),
      context: this.context(tenant, input),
    });
  }

  async template(tenant: TenantRecord, templateId: string, input: TestSendInput): Promise<NotificationRecord> {
    const template = await this.repos.phoneTemplates.get(tenant.id, templateId);
    if (!template) throw new AppError('inexistent_phone_template');
    const method = input.deliveryMethod ?? 'text';
    const provider = await this.checkedProvider(tenant, method);
    const type: TemplateType = template.type;
    return this.notifications.enqueue(tenant, {
      provider,
      type,
      deliveryMethod: method,
      recipient: input.to,
      source: 'try_template',
      ...(type === 'blocked_account' ? {} : { code: testCode() }),
      context: this.context(tenant, input),
    });
  }
}
