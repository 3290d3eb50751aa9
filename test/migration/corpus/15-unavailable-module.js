// expect-secrets: ENDPOINT, USE_SDK
// expect-warnings: module_unavailable
exports.onExecuteSendPhoneMessage = async (event, api) => {
  if (event.secrets.USE_SDK === 'yes') {
    // The vendor SDK was tried once; the plain HTTP call below is what runs.
    const axios = require('axios');
    return axios.post(event.secrets.ENDPOINT, event.message_options);
  }
  await fetch(event.secrets.ENDPOINT + '/plain', { method: 'POST', body: event.message_options.recipient + ':' + event.message_options.text });
};
