// expect-secrets: API_KEY, ENDPOINT
const { fetch } = require('undici');

/**
 * Handler that will be called during the execution of a SendPhoneMessage flow.
 */
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const response = await fetch(`${event.secrets.ENDPOINT}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${event.secrets.API_KEY}` },
    body: JSON.stringify({
      to: event.message_options.recipient,
      body: event.message_options.text,
      channel: event.message_options.message_type,
      purpose: event.message_options.action,
    }),
  });
  if (!response.ok) throw new Error(`gateway answered ${response.status}`);
};
