import { startTwilioMock } from '../test/helpers/twilio-mock.js';

/**
 * The Twilio-speaking server of the benchmark, in its own process; prints its URL, then answers IPC
 * messages: 'count' (or anything else) → { sent, requests }; 'codes' → { codes: { To → the code in
 * the last message accepted for that number } }, which is how the benchmark reads the codes it
 * pre-issues (as a phone would: from the message text); { codes: N } → the same, from the requests
 * after the first N only.
 */
const [sid, token] = [process.env['MOCK_SID']!, process.env['MOCK_TOKEN']!];
const mock = await startTwilioMock({ [sid]: token });
process.stdout.write(`listening on ${mock.url}\n`);
process.on('message', (m) => {
  if (m === 'codes' || (typeof m === 'object' && m !== null && 'codes' in m)) {
    const from = m === 'codes' ? 0 : Number((m as { codes: number }).codes);
    const codes: Record<string, string> = {};
    for (const r of mock.requests.slice(from)) {
      if (r.resource !== 'Messages' || r.answered !== 201) continue;
      const code = /\b(\d{4,10})\b/.exec(r.form['Body'] ?? '')?.[1];
      if (code && r.form['To']) codes[r.form['To']] = code;
    }
    return process.send?.({ codes });
  }
  process.send?.({ sent: mock.sent().length, requests: mock.requests.length });
});
