import type { DeliveryMethod, TemplateType } from '../ports.js';

/**
 * What a notification knows about the people and the request behind it. Stored with the
 * notification (never the one-time code) so it can be rendered and handed to a custom provider at
 * dispatch time, on any node, after any restart.
 */
export interface NotificationContext {
  user?: {
    user_id: string;
    email?: string;
    email_verified?: boolean;
    name?: string;
    nickname?: string;
    given_name?: string;
    family_name?: string;
    picture?: string;
    username?: string;
    phone_number?: string;
    phone_verified?: boolean;
    app_metadata?: Record<string, unknown>;
    user_metadata?: Record<string, unknown>;
    multifactor?: string[];
    created_at?: string;
    updated_at?: string;
    last_password_reset?: string;
    login_count?: number;
    locale?: string;
    /** blocked_account: where the suspicious logins came from. */
    source_ip?: string;
    city?: string;
    country?: string;
  };
  client?: { client_id: string; name: string; metadata: Record<string, string> };
  request?: {
    ip?: string;
    method?: string;
    hostname?: string;
    user_agent?: string;
    language?: string;
    geoip?: Record<string, unknown>;
  };
  connection?: { id?: string; name: string; strategy?: string; metadata?: Record<string, string> };
  transaction?: { correlation_id?: string };
  /** The `ui_locales` of the request, highest priority in locale selection. */
  ui_locales?: string;
}

/** The tenant as a provider sees it (custom-phone-provider `event.tenant`, template variables). */
export interface TenantView {
  /** Internal id (for per-tenant isolation in runners and caches). */
  internalId: string;
  /** The tenant name: `event.tenant.id` and the `tenant` template variable. */
  name: string;
  friendly_name: string;
  home_url?: string;
  logo_url?: string;
  support_email?: string;
  support_url?: string;
}

/** One rendered message, ready for a provider. */
export interface OutgoingMessage {
  /** Stable from enqueue to final status; the same on every retry (providers may de-duplicate on it). */
  notificationId: string;
  /** 1 for the first attempt. */
  attempt: number;
  tenant: TenantView;
  type: TemplateType;
  deliveryMethod: DeliveryMethod;
  /** E.164. */
  recipient: string;
  /** E.164 sender, when one applies (template `from`, else provider `default_from`; none with `mssid`). */
  from?: string;
  asText: string;
  /** The voice text; `{{ pause }}` rendered as a comma pause. */
  asVoice: string;
  /** The voice text split where `{{ pause }}` stood, for providers with a real pause (TwiML `<Pause/>`). */
  voiceSegments?: string[];
  code?: string;
  /** BCP-47 locale of the notification (the request's, the user's or the tenant's). */
  locale: string;
  /**
   * The language of the body actually used, when it differs: a built-in body falls back to the base
   * language, then English. A voice is chosen by it (an English text read with an Italian voice is not understood).
   */
  bodyLocale?: string;
  context: NotificationContext;
}

/** The outcome of one attempt, as a value. */
export type SendResult =
  | { status: 'sent'; providerMessageId?: string; detail?: Record<string, unknown> }
  | {
      status: 'failed';
      /** Retryable failures go back to the queue with backoff; others fail the notification at once. */
      retryable: boolean;
      reason: string;
      /** The provider's error code (its own code as a string, `timeout`, `dropped`, ...). */
      errorCode?: string;
      /** A delay the provider asked for (HTTP Retry-After). */
      retryAfterMs?: number;
      /** A cap on retries stricter than the pipeline's (custom providers: 5, as Auth0 documents). */
      maxRetries?: number;
      detail?: Record<string, unknown>;
    };

/** A failed attempt's result (the one way the pipeline, the legacy path and senders write one). */
export function sendFailure(retryable: boolean, errorCode: string, reason: string, detail?: Record<string, unknown>): Extract<SendResult, { status: 'failed' }> {
  return { status: 'failed', retryable, errorCode, reason, ...(detail ? { detail } : {}) };
}

/**
 * A way to deliver a message, bound to one account: a provider kind's sender (built with the
 * credentials already opened, see `phone-provider/provider-kind.ts`) or the legacy hook.
 */
export interface PhoneSender {
  send(message: OutgoingMessage): Promise<SendResult>;
}
