// expect-secrets: ENDPOINT, API_KEY
/** A tiny client in the style of an SMS vendor's SDK. */
class GatewayClient {
  constructor(baseUrl, apiKey) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
  }

  async send(options) {
    const path = options.message_type === 'voice' ? '/calls' : '/messages';
    const res = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ to: options.recipient, content: options.text, tag: options.action, otp: options.code }),
    });
    return res.status;
  }
}

exports.onExecuteSendPhoneMessage = async (event, api) => {
  const client = new GatewayClient(event.secrets.ENDPOINT, event.secrets.API_KEY);
  const status = await client.send(event.message_options);
  console.log('gateway status', status);
};
