import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutgoingMessage } from '../../src/domain/notifications/sender.js';
import type { PhoneProviderRecord } from '../../src/domain/ports.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The seed's example custom provider, byte for byte, cut out of the seed document itself. */
export function seedExampleCode(): string {
  const candidates = [path.resolve(here, '../../../shared/seed/unified-phone-experience.txt'), '/work/shared/seed/unified-phone-experience.txt'];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error('seed document not found');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf("const { fetch } = require('undici');");
  const end = text.indexOf('\nfeedbackSection', start);
  if (start < 0 || end < 0) throw new Error('the example is not where it was in the seed');
  return text.slice(start, end + 1);
}

export function message(tenant: { id: string; name: string }, over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    notificationId: 'ntf_test',
    attempt: 1,
    tenant: { internalId: tenant.id, name: tenant.name, friendly_name: 'Friendly', home_url: 'https://home.example', support_email: 'help@example.com' },
    type: 'otp_verify',
    deliveryMethod: 'text',
    recipient: '+14155552671',
    from: '+14155550000',
    asText: 'Your code is 123456',
    asVoice: 'Your code is 1. 2. 3. 4. 5. 6.',
    code: '123456',
    locale: 'en-US',
    context: {
      user: { user_id: 'auth0|u1', email: 'u@example.com', login_count: 7, app_metadata: {}, user_metadata: {}, source_ip: '1.2.3.4' },
      client: { client_id: 'cid', name: 'My App', metadata: { tier: 'gold' } },
      request: { ip: '203.0.113.9', method: 'POST', hostname: 'login.example.com', language: 'en', user_agent: 'curl/8' },
      connection: { id: 'con_1', name: 'sms', strategy: 'sms' },
      transaction: { correlation_id: 'corr-1' },
    },
    ...over,
  };
}

export const customProvider: PhoneProviderRecord = {
  id: 'pro_0000000000000000000000',
  name: 'custom',
  disabled: false,
  configuration: { delivery_methods: ['text', 'voice'] },
  credentialsSealed: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP endpoint that records what it receives and answers `{"ok":true}`, or the next body
 * queued in `replies` (tests script an action's behaviour through it).
 */
export async function recordingServer(): Promise<{ url: string; received: Received[]; replies: string[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const replies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(replies.shift() ?? '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, replies, close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}
