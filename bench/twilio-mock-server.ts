import { startTwilioMock } from '../test/helpers/twilio-mock.js';

/** The Twilio-speaking server of the benchmark, in its own process; prints its URL, then a count on request. */
const [sid, token] = [process.env['MOCK_SID']!, process.env['MOCK_TOKEN']!];
const mock = await startTwilioMock({ [sid]: token });
process.stdout.write(`listening on ${mock.url}\n`);
process.on('message', () => process.send?.({ sent: mock.sent().length, requests: mock.requests.length }));
