// expect-secrets: ENDPOINT
exports.onExecuteSendPhoneMessage = async ({ message_options: { recipient, text, message_type }, secrets, user }, { cache }) => {
  const seen = cache.get('last-' + user.user_id);
  await fetch(secrets.ENDPOINT + '/params', { method: 'POST', body: JSON.stringify({ recipient, text, message_type, seen: !!seen }) });
};
