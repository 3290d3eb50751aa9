import { Type } from '@sinclair/typebox';
import { DefaultFromSchema } from '../../../domain/phone-provider/provider-kind.js';
import type { ProviderKindModule } from '../provider-module.js';
import { twilioReceipts } from './twilio-receipts.js';
import { TWILIO, TwilioSender } from './twilio-sender.js';
import { twilioSettings, type TwilioSettings } from './twilio-settings.js';

const Sid = Type.String({ minLength: 1, maxLength: 255 });

/**
 * Twilio (Programmable Messaging and Voice): an account SID and auth token, and either a sender
 * number (`default_from`) or a Messaging Service (`mssid`) that picks the sender itself.
 */
export const twilioKind: ProviderKindModule<TwilioSettings> = {
  name: TWILIO,
  settings: twilioSettings,
  create({ settings, publicUrl }) {
    const client = new TwilioSender({ baseUrl: settings.twilioApiBaseUrl, publicUrl, timeoutMs: settings.twilioTimeoutMs });
    return {
      name: TWILIO,
      // Auth0 returns them in this order: sid, default_from, mssid (then delivery_methods).
      configuration: { sid: Sid, default_from: DefaultFromSchema, mssid: Sid },
      credentials: { auth_token: Type.String({ minLength: 1, maxLength: 255 }) },
      deliveryMethods: ['text', 'voice'],
      check(cfg, credentials) {
        if (!cfg['sid']) return 'twilio needs configuration.sid';
        if ((cfg.default_from === undefined) === (cfg['mssid'] === undefined)) return 'twilio needs exactly one of default_from or mssid';
        if (!credentials['auth_token']) return 'twilio needs credentials.auth_token';
        return undefined;
      },
      // A template `from` overrides the number, except with a Messaging Service: it picks the sender.
      senderNumber: (cfg, templateFrom) => (cfg['mssid'] ? undefined : (templateFrom ?? cfg.default_from)),
      sender: (account) => ({ send: (message) => client.send(message, account) }),
      receipts: twilioReceipts,
    };
  },
};
