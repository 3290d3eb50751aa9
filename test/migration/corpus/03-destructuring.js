// expect-secrets: ENDPOINT, API_KEY
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const {
    message_options: { recipient, text, message_type: channel, action },
    secrets: { ENDPOINT, API_KEY },
  } = event;
  const { code } = event.message_options;
  await fetch(`${ENDPOINT}/v2/send`, {
    method: 'PUT',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ recipient, text, channel, action, code }),
  });
};
