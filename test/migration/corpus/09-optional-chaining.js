// expect-secrets: ENDPOINT
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const enrolling = event?.message_options?.action === 'enrollment';
  const nickname = event.user?.user_metadata?.nickname ?? event.user?.email ?? 'there';
  const payload = {
    to: event?.message_options?.recipient,
    text: enrolling ? `Hi ${nickname}, ${event.message_options?.text}` : event.message_options?.text,
    kind: event.message_options?.message_type ?? 'sms',
  };
  await fetch(`${event.secrets?.ENDPOINT}/optional`, { method: 'POST', body: JSON.stringify(payload) });
};
