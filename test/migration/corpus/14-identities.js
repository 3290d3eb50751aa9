// expect-secrets: ENDPOINT
// expect-warnings: user_identities
exports.onExecuteSendPhoneMessage = async (event, api) => {
  // Social users get the message from a different sender name.
  const social = (event.user.identities || []).some((identity) => identity.isSocial);
  await fetch(event.secrets.ENDPOINT + '/identities', {
    method: 'POST',
    body: JSON.stringify({ to: event.message_options.recipient, text: event.message_options.text, sender: social ? 'Social' : 'Acme' }),
  });
};
