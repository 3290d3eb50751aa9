/**
 * The generated adapter a translated send-phone-message Action carries when its code uses the legacy
 * event in ways that cannot be rewritten in place with certainty (destructuring, aliases, the event
 * or `message_options` handed to a helper, writes). It rebuilds the legacy shape from the
 * custom-phone-provider event, value for value as `sendPhoneMessageEvent` (domain/actions/phone-events.ts)
 * builds it, so the untouched code reads exactly what it read before.
 */

export interface AdapterNames {
  /** Function building the legacy `message_options` from `event.notification`. */
  options: string;
  /** Function building the legacy event (shares every object of the new event but `client`). */
  event: string;
}

/** JavaScript appended to the translated Action (function declarations: hoisted, so their place does not matter). */
export function adapterSource(n: AdapterNames): string {
  return `
// Added by the send-phone-message translation: the legacy event, rebuilt from the
// custom-phone-provider event, for the code above that reads it in ways not rewritten in place.
function ${n.options}(notification) {
  const voice = notification.delivery_method === 'voice';
  const options = {
    action: notification.message_type === 'otp_enroll' ? 'enrollment' : 'second-factor-authentication',
    code: notification.code ?? '',
    message_type: voice ? 'voice' : 'sms',
    recipient: notification.recipient,
    text: voice ? notification.as_voice : notification.as_text,
  };
  // The migration table pairs \`language\` with the locale; not enumerable, so serialising the
  // options gives the same JSON as before.
  return Object.defineProperty(options, 'language', { value: notification.locale, writable: true, configurable: true });
}

function ${n.event}(event) {
  const { notification, client, ...rest } = event;
  // \`client_metadata\` is the legacy name of \`client.metadata\`: an alias, not a copy.
  const legacyClient = (c) => Object.defineProperty({ ...c }, 'client_metadata', {
    get() { return this.metadata; },
    set(value) { this.metadata = value; },
    configurable: true,
  });
  // Keys in the legacy order, so serialising the event gives the JSON it gave before.
  return { message_options: ${n.options}(notification), ...(client ? { client: legacyClient(client) } : {}), ...rest };
}
`;
}
