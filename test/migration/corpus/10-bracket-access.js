// expect-secrets: ENDPOINT, API_KEY
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const opts = event['message_options'];
  const headers = {};
  headers['x-api-key'] = event.secrets['API_KEY'];
  headers['x-flow'] = event['message_options']['action'];
  const body = {};
  body['to'] = event['message_options']['recipient'];
  body['text'] = opts['text'];
  body['type'] = opts['message_type'];
  await fetch(event['secrets']['ENDPOINT'] + '/bracket', { method: 'POST', headers, body: JSON.stringify(body) });
};
