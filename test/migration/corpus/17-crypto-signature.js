// expect-secrets: ENDPOINT, SIGNING_KEY
const crypto = require('crypto');

exports.onExecuteSendPhoneMessage = async (event, api) => {
  const body = JSON.stringify({
    to: event.message_options.recipient,
    otp: event.message_options.code,
    flow: event.message_options.action,
    medium: event.message_options.message_type,
  });
  const signature = crypto.createHmac('sha256', event.secrets.SIGNING_KEY).update(body).digest('hex');
  await fetch(event.secrets.ENDPOINT + '/signed', { method: 'POST', headers: { 'x-signature': signature }, body });
};
