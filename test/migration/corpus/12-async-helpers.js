// expect-secrets: ENDPOINT
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function buildPayload(event) {
  await sleep(1);
  const opts = event.message_options;
  return { number: opts.recipient, message: opts.text, locale: event.request.language, user: event.user.user_id, tenant: event.tenant.id };
}

async function post(url, payload) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
}

exports.onExecuteSendPhoneMessage = async function (event, api) {
  const payload = await buildPayload(event);
  await post(`${event.secrets.ENDPOINT}/async`, payload);
};
