/**
 * The send-phone-message → custom-phone-provider mapping of `event.message_options`, by meaning
 * (docs/migration.md): the seed's table pairs `message_type` with `notification.message_type` and
 * `action` with `delivery_method`, but its own example and both trigger type definitions show the
 * opposite, which is what these entries follow.
 */

/** A legacy key whose value is an enumeration that changed spelling. */
export interface EnumMapping {
  kind: 'enum';
  /** The `event.notification` key holding the same information. */
  key: string;
  /** Legacy value → new value (both directions are one-to-one). */
  values: Readonly<Record<string, string>>;
  /** The legacy value read as a whole, as `sendPhoneMessageEvent` derives it (`N` is the notification). */
  expression: string;
}

/** A legacy key read as an expression over `event.notification` (written with `N` for it). */
export interface ValueMapping {
  kind: 'value';
  /** `N` is the notification. */
  expression: string;
}

export const MESSAGE_OPTIONS: Readonly<Record<string, EnumMapping | ValueMapping>> = {
  message_type: { kind: 'enum', key: 'delivery_method', values: { sms: 'text', voice: 'voice' }, expression: "(N.delivery_method === 'voice' ? 'voice' : 'sms')" },
  action: {
    kind: 'enum',
    key: 'message_type',
    values: { enrollment: 'otp_enroll', 'second-factor-authentication': 'otp_verify' },
    expression: "(N.message_type === 'otp_enroll' ? 'enrollment' : 'second-factor-authentication')",
  },
  recipient: { kind: 'value', expression: 'N.recipient' },
  // Only one-time codes reach the legacy code (the generated guard drops the rest), and they always carry a code.
  code: { kind: 'value', expression: 'N.code' },
  // The seed's first table: `language` → `notification.locale`.
  language: { kind: 'value', expression: 'N.locale' },
  // The legacy text was the voice text for a voice message, else the SMS text.
  text: { kind: 'value', expression: "(N.delivery_method === 'voice' ? N.as_voice : N.as_text)" },
};

/** The notification types send-phone-message carried; the others are new with custom-phone-provider. */
export const OTP_TYPES: readonly string[] = Object.values((MESSAGE_OPTIONS['action'] as EnumMapping).values);
