/**
 * Every sealing purpose, in one place. A purpose is bound to a sealed value as additional
 * authenticated data (see `adapters/crypto/secret-box.ts`): a value sealed for one purpose cannot be
 * opened for another, so a ciphertext copied from one column into another is refused instead of
 * being used. The strings are stored with the data they protect: never change one, add a new one.
 */

/** A tenant phone provider's credentials, as one JSON object (`phone_providers.credentials_sealed`). */
export const PHONE_PROVIDER_CREDENTIALS_PURPOSE = 'phone_provider_credentials';

/** The legacy Guardian phone settings' auth token (`guardian_settings.twilio_auth_token_sealed`). */
export const GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE = 'guardian_twilio_auth_token';

/** The `twilio_token` of an `sms` connection's legacy options (`connections.options`, key `twilio_token_sealed`). */
export const LEGACY_SMS_TWILIO_TOKEN_PURPOSE = 'legacy_sms_twilio_token';

/** The `gateway_authentication.secret` of an `sms` connection's legacy options (`connections.options`, key `gateway_secret_sealed`). */
export const LEGACY_SMS_GATEWAY_SECRET_PURPOSE = 'legacy_sms_gateway_secret';

/** A notification's one-time code, until the notification is final (`notifications.code_sealed`). */
export const NOTIFICATION_CODE_PURPOSE = 'notification_code';

/** An application's client secret (`clients.secret_sealed`). */
export const CLIENT_SECRET_PURPOSE = 'client_secret';

/** A tenant's RS256 token signing private key, PEM (`signing_keys.private_key_sealed`). */
export const SIGNING_KEY_PURPOSE = 'signing_key';

/** The server-wide root the hashing keys are derived from (`unifone_meta`, key `secret:derivation_root`). */
export const DERIVATION_ROOT_PURPOSE = 'derivation_root';

/** An action's secrets, as one JSON object `{name: value}` (`actions` and `action_versions`, `secrets_sealed`). */
export const ACTION_SECRET_PURPOSE = 'action_secret';

/** The snapshot of a tenant's legacy phone configuration kept by a migration for its rollback. */
export const PHONE_MIGRATION_SNAPSHOT_PURPOSE = 'phone_migration_snapshot';

/** The CAPTCHA provider's secret key of a tenant's bot check (`phone_bot_check_settings.secret_sealed`). */
export const PHONE_BOT_CHECK_SECRET_PURPOSE = 'phone_bot_check_secret';
