import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { phoneNumber } from 'better-auth/plugins/phone-number';
import { Agent, request } from 'undici';

/**
 * The benchmark's peer: better-auth with its phone-number plugin on better-sqlite3 (a file under
 * PEER_DB), served by a plain Node HTTP server in its own process. Its `sendOTP` does what unifone
 * does with a code: a POST to the same Twilio-speaking server (Messages.json, HTTP basic auth, form
 * body) through a keep-alive undici pool. `/api/auth/phone-number/verify` signs the user in (a
 * session row and cookie) and signs up an unknown number (`signUpOnVerification`).
 *
 * better-auth's own rate limiter is turned off, or its defaults would throttle a benchmark's single
 * client IP; the SQLite file gets the same pragmas as unifone's (WAL, synchronous NORMAL).
 */
const [dbFile, twilioUrl, sid, token, from] = [process.env['PEER_DB']!, process.env['TWILIO_URL']!, process.env['MOCK_SID']!, process.env['MOCK_TOKEN']!, '+14155550100'];

const database = new Database(dbFile);
database.pragma('journal_mode = WAL');
database.pragma('synchronous = NORMAL');
database.pragma('busy_timeout = 5000');

const pool = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const messagesUrl = `${twilioUrl}/2010-04-01/Accounts/${sid}/Messages.json`;
const authorization = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;

async function sendSms(to: string, body: string): Promise<void> {
  const res = await request(messagesUrl, {
    method: 'POST',
    dispatcher: pool,
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ To: to, From: from, Body: body }).toString(),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`Twilio answered ${res.statusCode}: ${text}`);
}

const options = {
  baseURL: 'http://127.0.0.1',
  secret: 'bench-peer-secret-bench-peer-secret-0123456789',
  database,
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' as const },
  plugins: [
    phoneNumber({
      sendOTP: ({ phoneNumber: to, code }) => sendSms(to, `${code} is your verification code`),
      signUpOnVerification: {
        getTempEmail: (p: string) => `${p.replace(/\D/g, '')}@phone.invalid`,
        getTempName: (p: string) => p,
      },
    }),
  ],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

const handler = toNodeHandler(auth);
const server = http.createServer((req, res) => void handler(req, res));
server.keepAliveTimeout = 30_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => {
  server.close();
  database.close();
  process.exit(0);
});
