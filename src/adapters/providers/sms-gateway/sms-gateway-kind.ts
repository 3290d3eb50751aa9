import net from 'node:net';
import { Type } from '@sinclair/typebox';
import { DefaultFromSchema } from '../../../domain/phone-provider/provider-kind.js';
import { isAddressAllowed } from '../../actions/ip-policy.js';
import type { ProviderKindModule } from '../provider-module.js';
import { parseGatewayUrl, SMS_GATEWAY, SmsGatewaySender, type GatewayAuthentication } from './sms-gateway-sender.js';
import { smsGatewaySettings, type SmsGatewaySettings } from './sms-gateway-settings.js';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
/** Base64url or base64 text (Node decodes both alphabets), padding optional. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const LOOPBACK_NAMES = new Set(['localhost']);

/** Whether `host` (a URL's hostname) is this machine: the one place plain http cannot be read on the way. */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(bare) || (net.isIP(bare) !== 0 && isAddressAllowed(bare, true).cls === 'loopback');
}

/**
 * A tenant's own SMS gateway, as Auth0's passwordless `sms_gateway` connections call it: a JSON POST
 * of `{recipient, body, sender, req}` to `gateway_url`, optionally with a bearer JWT (HS256) signed
 * with a shared secret. Offered as a tenant-level provider so a gateway can be kept when moving here.
 * Text only (a gateway is given a text body); no delivery receipts (Auth0's gateways send none).
 */
export const smsGatewayKind: ProviderKindModule<SmsGatewaySettings> = {
  name: SMS_GATEWAY,
  settings: smsGatewaySettings,
  create({ settings }) {
    const client = new SmsGatewaySender({ timeoutMs: settings.smsGatewayTimeoutMs, allowPrivateNetwork: settings.smsGatewayAllowPrivateNetwork });
    return {
      name: SMS_GATEWAY,
      configuration: {
        gateway_url: Text(2048),
        // Auth0's connection `from`: an E.164 number is default_from (checked as one, and overridden by a
        // template `from` as with every kind); an alphanumeric sender id, which is no number, is `sender`.
        default_from: DefaultFromSchema,
        sender: Text(64),
        // Auth0's `gateway_authentication` without its `secret`, which is a credential here (sealed, never returned).
        gateway_authentication: Type.Object(
          { method: Type.Literal('bearer'), subject: Text(255), audience: Text(255), secret_base64_encoded: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        forward_req_info: Type.Boolean(),
      },
      credentials: { secret: Text(1024) },
      deliveryMethods: ['text'],
      check(cfg, credentials) {
        if (cfg['gateway_url'] === undefined) return 'sms_gateway needs configuration.gateway_url';
        const url = parseGatewayUrl(cfg['gateway_url']);
        if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))) {
          // The bearer token and the message (a one-time code) must not cross a network in clear.
          return 'configuration.gateway_url must be an https URL (plain http only for a loopback host)';
        }
        if (url.username || url.password) return 'configuration.gateway_url must not carry a user name or password; use gateway_authentication';
        const literal = url.hostname.replace(/^\[|\]$/g, '');
        if (net.isIP(literal) && !isAddressAllowed(literal, settings.smsGatewayAllowPrivateNetwork).allowed) {
          return 'configuration.gateway_url points at an address this server does not call';
        }
        if (cfg.default_from !== undefined && cfg['sender'] !== undefined) return 'sms_gateway takes at most one of default_from or sender';
        const auth = cfg['gateway_authentication'] as GatewayAuthentication | undefined;
        if (auth) {
          const secret = credentials['secret'];
          if (!secret) return 'sms_gateway needs credentials.secret with gateway_authentication';
          if (auth.secret_base64_encoded && (!BASE64.test(secret) || Buffer.from(secret, 'base64url').length === 0)) {
            return 'credentials.secret must be base64url text when gateway_authentication.secret_base64_encoded is true';
          }
        }
        return undefined;
      },
      sender: (account) => ({ send: (message) => client.send(message, account) }),
    };
  },
};
