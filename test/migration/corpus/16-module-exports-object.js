// expect-secrets: ENDPOINT
// expect-warnings: other_triggers
async function sendPhoneMessage(event, api) {
  const kind = event.message_options.action === 'second-factor-authentication' ? 'verify' : 'enroll';
  await fetch(`${event.secrets.ENDPOINT}/${kind}`, { method: 'POST', body: event.message_options.text });
}

async function onExecutePostLogin(event, api) {
  api.user.setUserMetadata('last_login', Date.now());
}

module.exports = {
  onExecuteSendPhoneMessage: sendPhoneMessage,
  onExecutePostLogin,
};
