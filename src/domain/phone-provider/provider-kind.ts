import { Type, type TProperties } from '@sinclair/typebox';
import type { ErrorCode } from '../errors.js';
import type { NotificationStatus } from '../notifications/ports.js';
import type { PhoneSender } from '../notifications/sender.js';
import type { DeliveryMethod, PhoneProviderConfiguration } from '../ports.js';

/**
 * The provider kit: what the pipeline needs to know about one kind of phone provider (a REST
 * messaging API, the custom action, ...). Everything kind-specific is behind this one interface, so
 * the dispatcher, the receipt service, the provider API and the webhooks loop over the registered
 * kinds and never name one. A kind lives in one folder under `adapters/providers/` and joins the
 * server through one line of `adapters/providers/registry.ts`.
 */

/**
 * A provider's credentials, opened: secret strings under the keys its kind declares. Only ever held
 * in memory to sign a request or check a receipt; never logged, never part of a response.
 */
export type ProviderCredentials = Readonly<Record<string, string>>;

/** What a sender is built from: the stored configuration and the credentials, already opened. */
export interface ProviderAccount {
  configuration: PhoneProviderConfiguration;
  credentials: ProviderCredentials;
}

/** A delivery receipt as posted to `/webhooks/{kind}/status/{notification id}`. */
export interface ReceiptRequest {
  /** The full URL the provider called: the server's public base URL, the path and the query. */
  url: string;
  /** Request headers, lower-case names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The form fields (or flat JSON members) of the body, as strings. */
  body: Readonly<Record<string, string>>;
}

/** A receipt in the pipeline's terms. */
export interface Receipt {
  /** The final status it reports; undefined for progress (queued, sending, ringing, ...), which is no news. */
  status: Extract<NotificationStatus, 'delivered' | 'undelivered' | 'failed'> | undefined;
  /** The provider's id of the message it is about (a receipt settles only the message it names). */
  providerMessageId: string | null;
  /** The provider's error code, when it reports a failure. */
  errorCode: string | null;
  /** The provider's own status word, kept in the timeline. */
  providerStatus: string | null;
}

/** How a kind's delivery receipts are checked and read. Framework-free: plain values in, plain values out. */
export interface ProviderReceipts {
  /**
   * Whether the request is authentic, checked with the credentials the message was sent with (the
   * tenant's provider, or the legacy Guardian settings'). A receipt that fails is refused and changes nothing.
   */
  verify(request: ReceiptRequest, credentials: ProviderCredentials): boolean;
  /** What the (verified) body reports. */
  read(body: ReceiptRequest['body']): Receipt;
  /** The catalogue error a refused receipt is answered with (a 403). */
  refusal: ErrorCode;
}

/** One kind of phone provider. */
export interface ProviderKind {
  /** The provider `name` on the wire; also the receipts' webhook path segment, so `[a-z][a-z0-9_-]*`. */
  readonly name: string;
  /**
   * The configuration keys this kind reads, as TypeBox schemas, in the order responses list them.
   * `delivery_methods` is implied for every kind (and always listed last); a kind that sends from a
   * number may place the shared `default_from` ({@link DefaultFromSchema}) among its keys. The API
   * accepts the union of every kind's keys on any provider (Auth0 keeps one kind's keys on another).
   */
  readonly configuration: TProperties;
  /** The credential keys this kind reads, as TypeBox schemas (all optional on the wire; `check` says what is required). */
  readonly credentials: TProperties;
  /** The delivery methods it can carry; a configuration asking for more is refused. */
  readonly deliveryMethods: readonly DeliveryMethod[];
  /**
   * The kind's own rules on a configuration as it will be stored, with the credentials it will have
   * (the new ones, or the stored ones opened): a problem description, or undefined when it is fine.
   * The generic rules (delivery methods, an E.164 `default_from`) are checked before.
   */
  check?(configuration: PhoneProviderConfiguration, credentials: ProviderCredentials): string | undefined;
  /**
   * What must be true outside the provider for a tenant's provider to become this kind (a custom
   * provider needs a deployed action). Throws the AppError to answer with.
   */
  admit?(tenantId: string): Promise<void>;
  /**
   * The `from` of a message: by default the template's `from`, else the configuration's `default_from`.
   * A kind whose configuration can leave the choice to the provider (a sender pool it manages) says so here.
   */
  senderNumber?(configuration: PhoneProviderConfiguration, templateFrom: string | undefined): string | undefined;
  /** A sender for one account. Called per send: keep long-lived clients (connection pools) in the kind. */
  sender(account: ProviderAccount): PhoneSender;
  /** How its delivery receipts are verified and read; absent when the kind sends none. */
  readonly receipts?: ProviderReceipts;
}

/** The delivery methods of every provider configuration. */
export const DeliveryMethodsSchema = Type.Array(Type.Union([Type.Literal('text'), Type.Literal('voice')]), {
  minItems: 1,
  maxItems: 2,
  uniqueItems: true,
});

/**
 * The sender number, shared by every kind. Only length-bounded in the schema so that a bad number
 * gets the generic rule's clearer message (E.164).
 */
export const DefaultFromSchema = Type.String({ minLength: 1, maxLength: 64 });

/** The `from` of a message sent by `kind` with `configuration` (see {@link ProviderKind.senderNumber}). */
export function senderNumber(kind: ProviderKind, configuration: PhoneProviderConfiguration, templateFrom: string | undefined): string | undefined {
  return kind.senderNumber ? kind.senderNumber(configuration, templateFrom) : (templateFrom ?? configuration.default_from);
}

/** The path receipts of `kind` are posted to, without the notification id. */
export const receiptPath = (kind: string): string => `/webhooks/${kind}/status`;

/**
 * The callback URL a sender gives its provider: it names the notification and the attempt, so a
 * receipt for an earlier attempt's message cannot settle a later one.
 */
export function receiptUrl(publicUrl: string, kind: string, notificationId: string, attempt: number): string {
  return `${publicUrl}${receiptPath(kind)}/${notificationId}?attempt=${attempt}`;
}
