/**
 * The error catalogue: every error the APIs can answer with, each with a stable code, an HTTP status
 * and a public message. `docs/errors.md` is kept in step with this table by a test.
 *
 * Management API errors are rendered as `{statusCode, error, message, errorCode}`; Authentication API
 * errors as `{error, error_description}` where `error` is the catalogue code (the OAuth2 error). The
 * HTTP layer picks the shape from the route; the domain only throws `AppError`.
 */
export const errorCatalogue = {
  // ---- request shape (both APIs) ----
  invalid_body: { status: 400, message: 'Payload validation error' },
  invalid_query_string: { status: 400, message: 'Query validation error' },
  invalid_uri: { status: 400, message: 'Path validation error' },
  invalid_json: { status: 400, message: 'Request body is not valid JSON' },
  unsupported_media_type: { status: 415, message: 'Unsupported Content-Type: send application/json' },
  payload_too_large: { status: 413, message: 'Request body is too large' },
  not_found: { status: 404, message: 'Not Found' },
  method_not_allowed: { status: 405, message: 'Method Not Allowed' },
  too_many_requests: { status: 429, message: 'Too many requests, try again later' },
  internal_error: { status: 500, message: 'Internal error' },

  // ---- Management API authentication ----
  missing_authentication: { status: 401, message: 'Missing authentication' },
  invalid_token: { status: 401, message: 'Invalid token' },
  insufficient_scope: { status: 403, message: 'Insufficient scope, expected any of: ' },

  // ---- phone providers ----
  inexistent_phone_provider: { status: 404, message: 'Notification Resource not found' },
  phone_provider_conflict: {
    status: 409,
    message: 'Custom phone provider conflict. A phone provider is already configured for this tenant',
  },
  bad_phone_provider_configuration: { status: 400, message: 'Bad Operation on Notification Resource' },
  custom_email_provider_deployed_action_not_found: {
    status: 409,
    message:
      'A custom phone provider needs a deployed action bound to the custom-phone-provider trigger, and none is deployed',
  },
  phone_provider_in_use: {
    status: 409,
    message: 'The phone provider is in use by the MFA phone factor; disabling or removing it would break MFA',
  },
  phone_provider_not_configured: { status: 409, message: 'No enabled phone provider is configured for this tenant' },
  delivery_method_not_enabled: { status: 409, message: 'The phone provider does not deliver by this method' },
  inexistent_notification: { status: 404, message: 'The notification does not exist' },
  inexistent_log: { status: 404, message: 'The log event does not exist' },
  invalid_twilio_signature: { status: 403, message: 'The X-Twilio-Signature header is missing or does not match' },

  // ---- phone templates ----
  inexistent_phone_template: { status: 404, message: 'Notification Resource not found' },
  phone_template_conflict: { status: 409, message: 'Phone template already configured for tenant' },
  invalid_template: { status: 400, message: 'Invalid template' },

  // ---- Guardian ----
  message_type_not_supported: {
    status: 409,
    message: 'Message Type is not supported by the configured phone provider',
  },
  legacy_mfa_phone_provider_not_allowed: {
    status: 403,
    message:
      'Insufficient privileges to use this deprecated feature. To handle Phone Provider/Templates refer to Tenant Phone Settings',
  },
  inexistent_factor: { status: 404, message: 'The factor does not exist.' },

  // ---- clients, grants, tenants ----
  inexistent_client: { status: 404, message: 'The client does not exist' },
  inexistent_client_grant: { status: 404, message: 'The client grant does not exist' },
  client_grant_conflict: { status: 409, message: 'A client grant for this client and audience already exists' },
  invalid_audience: { status: 400, message: 'The audience is not an API of this tenant' },
  inexistent_resource_server: { status: 404, message: 'The resource server does not exist' },
  resource_server_conflict: { status: 409, message: 'A resource server with the same identifier already exists' },
  system_resource_server: { status: 400, message: 'The Management API is a system resource server: it cannot be changed or deleted' },
  inexistent_tenant: { status: 404, message: 'Unknown tenant for this host' },

  // ---- actions ----
  inexistent_action: { status: 404, message: 'The action does not exist' },
  inexistent_action_version: { status: 404, message: 'The action version does not exist' },
  inexistent_execution: { status: 404, message: 'The execution does not exist' },
  inexistent_trigger: { status: 404, message: 'The trigger does not exist' },
  unsupported_trigger: { status: 400, message: 'This server runs only the custom-phone-provider and send-phone-message triggers' },
  action_name_conflict: { status: 409, message: 'An action with this name already exists' },
  too_many_actions: { status: 409, message: 'The tenant has reached its limit of actions' },
  action_trigger_conflict: {
    status: 409,
    message: 'Only one action can support the custom-phone-provider trigger, and this tenant already has one',
  },
  action_build_failed: { status: 400, message: 'The action code does not compile' },
  action_not_deployed: { status: 400, message: 'The action has no deployed version' },
  action_is_bound: { status: 409, message: 'The action is bound to a trigger; unbind it first or delete with force=true' },
  invalid_binding: { status: 400, message: 'Invalid binding' },

  // ---- phone migration (the send-phone-message translator) ----
  action_code_unparsable: { status: 400, message: 'The action code does not parse' },
  send_phone_message_handler_not_found: { status: 400, message: 'The code does not export onExecuteSendPhoneMessage' },
  phone_migration_not_applicable: { status: 409, message: 'The tenant has no legacy phone configuration to migrate' },
  phone_migration_blocked: { status: 409, message: 'The migration plan has blockers; resolve them first' },
  phone_migration_plan_changed: { status: 409, message: 'The tenant changed since the plan was made; read the plan again' },
  phone_migration_secrets_not_confirmed: { status: 400, message: 'The migration copies secrets into the new Action; repeat with copy_secrets: true' },
  phone_migration_not_found: { status: 404, message: 'The tenant has no migration to roll back' },
  phone_migration_changed_since: { status: 409, message: 'Objects the migration created were changed since; repeat with ?force=true to roll back anyway' },

  // ---- dashboard (sign-in and sessions; /dashboard/api) ----
  invalid_credentials: { status: 401, message: 'Wrong email or password' },
  session_required: { status: 401, message: 'Sign in to the dashboard first (no session, or it ended)' },
  invalid_csrf_token: { status: 403, message: 'Missing or invalid CSRF token (the X-CSRF-Token header)' },

  // ---- the tenant's phone send policy (docs/abuse.md) ----
  phone_destination_not_allowed: { status: 400, message: "Messages to this phone number are not allowed by the tenant's send policy" },
  delivery_method_not_allowed: { status: 400, message: "This delivery method is not allowed for this flow by the tenant's send policy" },
  // ---- the fraud guard and the spend caps (docs/abuse.md) ----
  phone_destination_quarantined: { status: 400, message: 'Messages to this phone number range are suspended for now; use another phone number or try again later' },
  phone_spend_cap_reached: { status: 429, message: "The tenant's phone spend cap is reached; try again later" },
  // ---- the bot check (docs/abuse.md, "Bot check"); the code Auth0's bot detection answers ----
  invalid_captcha: { status: 400, message: 'Solve the CAPTCHA to show you are not a robot, then try again' },

  // ---- Authentication API (OAuth2 error codes) ----
  invalid_request: { status: 400, message: 'Invalid request' },
  invalid_client: { status: 401, message: 'Client authentication failed' },
  unauthorized_client: { status: 403, message: 'The client is not authorized to use this grant type' },
  unsupported_grant_type: { status: 400, message: 'Unsupported grant type' },
  access_denied: { status: 403, message: 'Access denied' },

  // ---- users, connections, login protection (UserDirectory) ----
  inexistent_user: { status: 404, message: 'The user does not exist.' },
  user_exists: { status: 409, message: 'The user already exists.' },
  inexistent_connection: { status: 404, message: 'The connection does not exist' },
  connection_exists: { status: 409, message: 'A connection with the same name already exists' },
  invalid_password: { status: 400, message: 'PasswordStrengthError: Password is too weak' },
  password_breached: {
    status: 400,
    message: 'PasswordDictionaryError: The password was found in a list of breached passwords; choose another',
  },
  password_leaked: {
    status: 403,
    message:
      "This login attempt has been blocked because the password you're using was previously disclosed through a data breach (not in this application).",
  },
  unauthorized: { status: 401, message: 'user is blocked' },
  inexistent_authentication_method: { status: 404, message: 'The authentication method does not exist' },
  inexistent_enrollment: { status: 404, message: 'Enrollment not found' },

  // ---- Authentication API: login flows, MFA and passwordless (reference §6) ----
  invalid_grant: { status: 403, message: 'Invalid grant' },
  mfa_required: { status: 403, message: 'Multifactor authentication required' },
  expired_token: { status: 403, message: 'mfa_token is expired' },
  unsupported_challenge_type: { status: 400, message: 'The user has no authenticator of a challenge type the application supports' },
  association_required: { status: 400, message: 'The user must enroll an authenticator first' },
  too_many_attempts: { status: 429, message: 'Too many attempts, try again later' },
  'bad.client_id': { status: 400, message: 'Missing required property: client_id' },
  'bad.connection': { status: 400, message: 'Missing required property: connection' },
  'bad.phone_number': { status: 400, message: 'Missing required property: phone_number' },
  'bad.authParams': { status: 400, message: 'error in authParams - invalid type: string (expected object)' },
  'bad.request': { status: 400, message: 'Bad request' },
  invalid_signup: { status: 400, message: 'Invalid sign up' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A failure the API reports to its caller. `message` overrides the catalogue text with more detail. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Readonly<Record<string, unknown>> | undefined;
  /** Response headers that go with the error (e.g. `Retry-After`, `WWW-Authenticate`). */
  headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message?: string, extra?: Record<string, unknown>) {
    const entry = errorCatalogue[code];
    super(message ?? entry.message);
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.extra = extra;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
