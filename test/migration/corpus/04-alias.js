// expect-secrets: ENDPOINT
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const m = event.message_options;
  const opts = { to: m.recipient };
  if (m.message_type === 'voice') {
    opts.say = m.text;
    opts.repeat = 2;
  } else {
    opts.sms = m.text;
  }
  opts.enrolling = m.action === 'enrollment';
  await fetch(event.secrets.ENDPOINT + '/alias', { method: 'POST', body: JSON.stringify(opts) });
};
