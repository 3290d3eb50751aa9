// expect-secrets: ENDPOINT
exports.onExecuteSendPhoneMessage = async (event, api) => {
  let path;
  switch (event.message_options.message_type) {
    case 'sms':
      path = '/sms';
      break;
    case 'voice':
      path = '/call';
      break;
    default:
      throw new Error('unknown message type');
  }
  // Enrollment messages go out on a separate queue of the gateway.
  const queue = event.message_options.action === 'enrollment' ? 'enroll' : 'login';
  await fetch(event.secrets.ENDPOINT + path + '?queue=' + queue, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number: event.message_options.recipient, message: event.message_options.text }),
  });
};
