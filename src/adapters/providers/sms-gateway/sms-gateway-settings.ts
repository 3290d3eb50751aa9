import { z } from 'zod';
import { defineProviderSettings } from '../provider-settings.js';

/** The SMS gateway kind's configuration keys (part of `Config`). */
export interface SmsGatewaySettings {
  /** How long one gateway call may take, ms (Auth0 waits 30 s). */
  smsGatewayTimeoutMs: number;
  /**
   * Whether a gateway may live on a loopback or private address. Off by default: `gateway_url` is set
   * by tenant administrators, and a multi-tenant server must not let one of them make it call its
   * own network (metadata endpoints stay refused even when on).
   */
  smsGatewayAllowPrivateNetwork: boolean;
}

/** `SMS_GATEWAY_TIMEOUT_MS`, `SMS_GATEWAY_ALLOW_PRIVATE_NETWORK`. */
export const smsGatewaySettings = defineProviderSettings(
  {
    SMS_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(30_000),
    SMS_GATEWAY_ALLOW_PRIVATE_NETWORK: z
      .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
      .default('false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  },
  (e): SmsGatewaySettings => ({ smsGatewayTimeoutMs: e.SMS_GATEWAY_TIMEOUT_MS, smsGatewayAllowPrivateNetwork: e.SMS_GATEWAY_ALLOW_PRIVATE_NETWORK }),
  { variable: 'SMS_GATEWAY_TIMEOUT_MS', ms: (s) => s.smsGatewayTimeoutMs },
);
