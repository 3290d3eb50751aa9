/**
 * The custom phone provider example of Auth0's Unified Phone Experience guide (the seed), the code a
 * new custom provider starts from. Its two secrets are the gateway's address and bearer token.
 */
export const CUSTOM_PROVIDER_EXAMPLE = `const { fetch } = require('undici');
/**
 * Handler to be executed while sending a phone notification
 * @param {Event} event - Details about the user and the context in which they are logging in.
 * @param {CustomPhoneProviderAPI} api - Methods and utilities to help change the behavior of sending a phone notification.
 */
exports.onExecuteCustomPhoneProvider = async (event, api) => {
  if (event.notification.message_type.startsWith('otp')) {
    const body = {
      from: event.notification.from,
      action: event.notification.message_type === 'otp_verify' ? 'second-factor-authenticator' : 'enrollment',
      language: event.notification.locale,
      recipient: event.notification.recipient,
      message_type: event.notification.delivery_method,
      text: event.notification.as_text,
      code: event.notification.code,
    };
    const response = await fetch(event.secrets['MY_ENDPOINT'], {
      method: 'POST',
      headers: {
        authorization: \`Bearer \${event.secrets['MY_SECRET']}\`,
      },
      body: JSON.stringify(body),
    });
    console.log(response.status); // 200
    console.log(await response.text()); // request's response body!
  }
  return;
};
`;

export const EXAMPLE_SECRETS = ['MY_ENDPOINT', 'MY_SECRET'];
