// expect-secrets: ENDPOINT
// Applications choose their SMS route through their metadata (set in the dashboard).
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const region = (event.client && event.client.client_metadata.tier) || 'standard';
  const route = region === 'gold' ? '/priority' : '/bulk';
  await fetch(event.secrets.ENDPOINT + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-client': event.client.client_id },
    body: JSON.stringify({ to: event.message_options.recipient, text: event.message_options.text, app: event.client.name }),
  });
};
