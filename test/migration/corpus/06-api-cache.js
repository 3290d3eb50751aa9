// expect-secrets: ENDPOINT, CLIENT_ID, CLIENT_SECRET
/** Gets a gateway token, reusing it from api.cache for its lifetime. */
async function gatewayToken(event, api) {
  const cached = api.cache.get('gw-token');
  if (cached) return cached.value;
  const res = await fetch(event.secrets.ENDPOINT + '/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: event.secrets.CLIENT_ID, client_secret: event.secrets.CLIENT_SECRET }).toString(),
  });
  const json = await res.json();
  const token = json.access_token || 'tok-' + (json.ok ? 'ok' : 'ko');
  api.cache.set('gw-token', token, { ttl: 60000 });
  return token;
}

exports.onExecuteSendPhoneMessage = async (event, api) => {
  const token = await gatewayToken(event, api);
  await fetch(event.secrets.ENDPOINT + '/send', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    body: JSON.stringify({ to: event.message_options.recipient, text: event.message_options.text, voice: event.message_options.message_type === 'voice' }),
  });
  const again = api.cache.get('gw-token');
  console.log('cached', again ? again.value : 'nothing');
};
