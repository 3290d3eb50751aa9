// expect-secrets: ACCOUNT_SID, AUTH_TOKEN, FROM, ENDPOINT
const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

exports.onExecuteSendPhoneMessage = async (event, api) => {
  const { ACCOUNT_SID, AUTH_TOKEN, FROM } = event.secrets;
  const auth = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
  const form = new URLSearchParams({ To: event.message_options.recipient, From: FROM });
  let resource = 'Messages';
  if (event.message_options.message_type === 'voice') {
    // Twilio reads the TwiML aloud; the text is spoken twice.
    const say = `<Say language="en-US">${escapeXml(event.message_options.text)}</Say>`;
    form.set('Twiml', `<Response>${say}<Pause length="1"/>${say}</Response>`);
    resource = 'Calls';
  } else {
    form.set('Body', event.message_options.text);
  }
  await fetch(`${event.secrets.ENDPOINT}/2010-04-01/Accounts/${ACCOUNT_SID}/${resource}.json`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
};
