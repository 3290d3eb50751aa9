import { AppError } from '../../../domain/errors.js';
import type { ProviderKindModule } from '../provider-module.js';

/**
 * The custom provider: the tenant's deployed custom-phone-provider action sends each message, with
 * the action's own secrets, so the provider itself has no credentials and no configuration keys.
 * Delivery receipts, if any, are the action's business.
 */
export const customKind: ProviderKindModule = {
  name: 'custom',
  create({ actions }) {
    return {
      name: 'custom',
      configuration: {},
      credentials: {},
      deliveryMethods: ['text', 'voice'],
      // Auth0 refuses a custom provider until an action serves the trigger (reference §2.2).
      async admit(tenantId) {
        if (!(await actions.customProviderActions.hasDeployedCustomPhoneProviderAction(tenantId))) {
          throw new AppError('custom_email_provider_deployed_action_not_found');
        }
      },
      sender: () => actions.customSender,
    };
  },
};
