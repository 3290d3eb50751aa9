import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks Twilio's REST wire format for Messages.json and Calls.json:
 * form-encoded bodies, HTTP basic auth checked against the accounts it knows, Twilio-shaped JSON
 * resources and error bodies. Failures and delays are scriptable per request, in order.
 */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'http'; status: number; code?: number; message?: string; retryAfter?: string }
  | { kind: 'delay'; ms: number; then?: Behaviour };

export interface RecordedRequest {
  method: string;
  path: string;
  resource: 'Messages' | 'Calls' | 'other';
  accountSid: string;
  auth: { user: string; password: string } | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
  answered: number;
}

export interface TwilioMock {
  url: string;
  requests: RecordedRequest[];
  /** Behaviours for the next requests, consumed in order; afterwards requests succeed. */
  script(...next: Behaviour[]): void;
  /** Successful sends (2xx) so far. */
  sent(): RecordedRequest[];
  close(): Promise<void>;
}

const hex = (n: number) => randomBytes(n).toString('hex');

function twilioError(res: http.ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

export async function startTwilioMock(accounts: Record<string, string>): Promise<TwilioMock> {
  const requests: RecordedRequest[] = [];
  const queue: Behaviour[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(url.pathname);
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString() : undefined;
        const auth = decoded ? { user: decoded.slice(0, decoded.indexOf(':')), password: decoded.slice(decoded.indexOf(':') + 1) } : undefined;
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const rec: RecordedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          resource: (m?.[2] as 'Messages' | 'Calls') ?? 'other',
          accountSid: m ? decodeURIComponent(m[1]!) : '',
          auth,
          contentType: req.headers['content-type'],
          form,
          answered: 0,
        };
        requests.push(rec);
        if (!m || req.method !== 'POST') return twilioError(res, (rec.answered = 404), 20404, 'The requested resource was not found');
        if (!auth || accounts[auth.user] !== auth.password || auth.user !== rec.accountSid) {
          return twilioError(res, (rec.answered = 401), 20003, 'Authenticate');
        }
        if (!/^application\/x-www-form-urlencoded/.test(rec.contentType ?? '')) return twilioError(res, (rec.answered = 400), 20001, 'Invalid content type');

        let b: Behaviour | undefined = queue.shift();
        while (b?.kind === 'delay') {
          await new Promise((r) => setTimeout(r, (b as { ms: number }).ms));
          b = (b as { then?: Behaviour }).then;
        }
        if (b?.kind === 'http') {
          rec.answered = b.status;
          return twilioError(res, b.status, b.code ?? (b.status >= 500 ? 20500 : 21211), b.message ?? (b.status >= 500 ? 'Internal Server Error' : 'Invalid parameter'), b.retryAfter ? { 'retry-after': b.retryAfter } : {});
        }
        if (!form['To'] || !/^\+[1-9]\d{6,14}$/.test(form['To'])) return twilioError(res, (rec.answered = 400), 21211, `The 'To' number ${form['To'] ?? ''} is not a valid phone number.`);
        if (rec.resource === 'Messages') {
          if (!form['Body']) return twilioError(res, (rec.answered = 400), 21602, 'Message body is required.');
          if (!form['From'] && !form['MessagingServiceSid']) return twilioError(res, (rec.answered = 400), 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
        } else {
          if (!form['From']) return twilioError(res, (rec.answered = 400), 21213, 'Caller phone number is required.');
          if (!form['Twiml'] && !form['Url']) return twilioError(res, (rec.answered = 400), 21205, 'Url parameter is required.');
        }
        const sid = `${rec.resource === 'Messages' ? 'SM' : 'CA'}${hex(16)}`;
        const now = new Date().toUTCString();
        rec.answered = 201;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            sid,
            account_sid: rec.accountSid,
            to: form['To'],
            from: form['From'] ?? null,
            ...(rec.resource === 'Messages' ? { body: form['Body'], messaging_service_sid: form['MessagingServiceSid'] ?? null, num_segments: '1' } : {}),
            status: 'queued',
            date_created: now,
            date_updated: now,
            api_version: '2010-04-01',
            uri: `/2010-04-01/Accounts/${rec.accountSid}/${rec.resource}/${sid}.json`,
          }),
        );
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...next) => void queue.push(...next),
    sent: () => requests.filter((r) => r.answered >= 200 && r.answered < 300),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
