// expect-secrets: ENDPOINT
const send = (url, to, text) => fetch(url, { method: 'POST', body: JSON.stringify({ to, text }) });

exports.onExecuteSendPhoneMessage = (event) => send(event.secrets.ENDPOINT + '/arrow', event.message_options.recipient, event.message_options.text);
