import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { registerProviderKind } from '../../src/adapters/providers/registry.js';
import { receiptUrl, type ProviderKind, type ReceiptRequest } from '../../src/domain/phone-provider/provider-kind.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The provider kit, proven from outside: a made-up provider kind ("pigeon", a JSON-over-HTTP SMS
 * gateway with HMAC-signed receipts) written here, in this one file, and added through the kit's
 * test hook. No file under src/ knows it; it still gets the provider API (its name and keys in the
 * schemas), the delivery pipeline (a /try send reaches its gateway with opened credentials) and its
 * own receipt webhook (`/webhooks/pigeon/status/:id`, signature checked by the kind).
 */

const PUBLIC = 'https://unifone.example';
const KEY = `pigeon-key-${randomBytes(8).toString('hex')}`;

/** The gateway's receipt signature: HMAC-SHA256 over the URL it calls and the sorted fields. */
const pigeonSignature = (key: string, url: string, body: Readonly<Record<string, string>>) =>
  createHmac('sha256', key).update(`${url}\n${JSON.stringify(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1)))}`).digest('hex');

/** The made-up gateway: `POST /messages` with a bearer key and `{to, from, text, callback}`, answers `{id}`. */
interface Gateway {
  url: string;
  received: Array<{ auth: string | undefined; body: { to: string; from?: string; text: string; callback?: string } }>;
  close(): Promise<void>;
}

async function startGateway(): Promise<Gateway> {
  const received: Gateway['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/messages' || req.headers.authorization !== `Bearer ${KEY}`) {
        res.writeHead(401).end();
        return;
      }
      received.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `pg_${received.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The kind: everything the server needs to know about pigeon. */
function pigeonKind(publicUrl: string | undefined): ProviderKind {
  return {
    name: 'pigeon',
    configuration: { pigeon_url: Type.String({ minLength: 1, maxLength: 200 }) },
    credentials: { pigeon_key: Type.String({ minLength: 8, maxLength: 128 }) },
    deliveryMethods: ['text'],
    check: (cfg, credentials) => (!cfg['pigeon_url'] ? 'pigeon needs configuration.pigeon_url' : !credentials['pigeon_key'] ? 'pigeon needs credentials.pigeon_key' : undefined),
    sender: ({ configuration, credentials }) => ({
      async send(m) {
        const res = await fetch(`${String(configuration['pigeon_url'])}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${credentials['pigeon_key']}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: m.recipient, ...(m.from ? { from: m.from } : {}), text: m.asText, ...(publicUrl ? { callback: receiptUrl(publicUrl, 'pigeon', m.notificationId, m.attempt) } : {}) }),
        });
        if (!res.ok) return { status: 'failed', retryable: res.status >= 500, errorCode: `http_${res.status}`, reason: `pigeon answered ${res.status}` };
        return { status: 'sent', providerMessageId: ((await res.json()) as { id: string }).id };
      },
    }),
    receipts: {
      refusal: 'access_denied',
      verify(req: ReceiptRequest, credentials) {
        const given = req.headers['x-pigeon-signature'];
        const key = credentials['pigeon_key'];
        if (typeof given !== 'string' || !key) return false;
        const expected = Buffer.from(pigeonSignature(key, req.url, req.body));
        return expected.length === given.length && timingSafeEqual(expected, Buffer.from(given));
      },
      read: (b) => ({
        status: b['state'] === 'landed' ? 'delivered' : b['state'] === 'lost' ? 'undelivered' : undefined,
        providerMessageId: b['message_id'] ?? null,
        errorCode: b['reason'] ?? null,
        providerStatus: b['state'] ?? null,
      }),
    },
  };
}

// The test hook: the kind joins every container this file creates, with the container's own settings.
const unregister = registerProviderKind({ name: 'pigeon', create: ({ publicUrl }) => pigeonKind(publicUrl) });
const gateway = await startGateway();
after(async () => {
  unregister();
  await gateway.close();
});

describeEachDialect(
  'provider kit: a kind added by a test alone',
  (env) => {
    const e = (): TestEnv => env();
    let token: string;
    let providerId: string;
    const P = '/api/v2/branding/phone/providers';
    const timeline = async (id: string) => (await e().api('GET', `/api/v2/phone/notifications/${id}`, { token })).json();
    const receipt = (id: string, body: Record<string, string>, signWith = KEY) => {
      const path = `/webhooks/pigeon/status/${id}?attempt=1`;
      return e().app.inject({
        method: 'POST',
        url: path,
        headers: { host: 'unifone.example', 'content-type': 'application/json', 'x-pigeon-signature': pigeonSignature(signWith, `${PUBLIC}${path}`, body) },
        payload: JSON.stringify(body),
      });
    };

    test('the provider API takes the kind: its name, its keys, its rules; never its credentials', async () => {
      token = await e().token();
      e().neverReveal.add(KEY);
      gateway.received.length = 0; // one gateway for both dialects' runs
      const doc = (await e().api('GET', '/api/v2/openapi.json')).json() as { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties: Record<string, { anyOf?: Array<{ const?: string; enum?: string[] }> }> } }> } } }> };
      const name = doc.paths['/api/v2/branding/phone/providers']!.post!.requestBody!.content['application/json']!.schema.properties['name']!;
      assert.deepEqual(name.anyOf?.map((s) => s.const ?? s.enum?.[0]), ['twilio', 'custom', 'sms_gateway', 'pigeon'], 'the OpenAPI document lists the kind');

      for (const [body, detail] of [
        [{ name: 'pigeon', configuration: { delivery_methods: ['text'] }, credentials: { pigeon_key: KEY } }, /pigeon needs configuration\.pigeon_url/],
        [{ name: 'pigeon', configuration: { pigeon_url: gateway.url, delivery_methods: ['text'] }, credentials: {} }, /pigeon needs credentials\.pigeon_key/],
        [{ name: 'pigeon', configuration: { pigeon_url: gateway.url, delivery_methods: ['voice'] }, credentials: { pigeon_key: KEY } }, /pigeon cannot deliver by voice/],
      ] as const) {
        const r = await e().api('POST', P, { token, body });
        assert.equal(r.statusCode, 400, r.body);
        assert.equal(r.json().errorCode, 'bad_phone_provider_configuration');
        assert.match(r.json().message, detail);
      }
      const unknownKey = await e().api('POST', P, { token, body: { name: 'pigeon', configuration: { pigeon_url: gateway.url, delivery_methods: ['text'], wings: 2 }, credentials: { pigeon_key: KEY } } });
      assert.equal(unknownKey.statusCode, 400, 'the configuration stays strict');

      const created = await e().api('POST', P, { token, body: { name: 'pigeon', configuration: { pigeon_url: gateway.url, delivery_methods: ['text'] }, credentials: { pigeon_key: KEY } } });
      assert.equal(created.statusCode, 201, created.body);
      providerId = created.json().id;
      assert.equal(created.json().name, 'pigeon');
      assert.deepEqual(created.json().configuration, { pigeon_url: gateway.url, delivery_methods: ['text'] });
      const listed = (await e().api('GET', P, { token })).json();
      assert.equal(listed.providers[0].credentials, null);
    });

    test('a test send goes through the real pipeline to the kind\'s gateway; a signed receipt marks it delivered', async () => {
      const sent = await e().api('POST', `${P}/${providerId}/try`, { token, body: { to: '+14155552671' } });
      assert.equal(sent.statusCode, 202, sent.body);
      const id = sent.json().notification_id as string;
      const n = await waitFor('the send to settle', async () => {
        const t = await timeline(id);
        return t.status === 'sending' || t.status === 'queued' ? undefined : t;
      });
      assert.equal(n.status, 'sent', JSON.stringify(n));
      assert.equal(n.provider, 'pigeon');
      assert.equal(n.provider_message_id, 'pg_1');
      const [req, ...more] = gateway.received;
      assert.equal(more.length, 0);
      assert.equal(req!.auth, `Bearer ${KEY}`, 'the sender got the credentials opened');
      assert.equal(req!.body.to, '+14155552671');
      assert.match(req!.body.text, /^\d{6} is your verification code for default$/);
      assert.equal(req!.body.callback, `${PUBLIC}/webhooks/pigeon/status/${id}?attempt=1`);

      const forged = await receipt(id, { message_id: 'pg_1', state: 'landed' }, 'not-the-key-at-all');
      assert.equal(forged.statusCode, 403);
      assert.equal(forged.json().error, 'access_denied', 'the kind\'s own refusal');
      assert.equal((await timeline(id)).status, 'sent', 'a refused receipt changes nothing');
      assert.equal((await receipt('ntf_AAAAAAAAAAAAAAAAAAAAAA', { message_id: 'pg_1', state: 'landed' })).statusCode, 404);

      assert.equal((await receipt(id, { message_id: 'pg_1', state: 'in_flight' })).statusCode, 204);
      assert.equal((await timeline(id)).status, 'sent', 'progress is no news');
      assert.equal((await receipt(id, { message_id: 'pg_1', state: 'landed' })).statusCode, 204);
      const done = await timeline(id);
      assert.equal(done.status, 'delivered');
      const delivered = done.events.find((ev: { kind: string }) => ev.kind === 'delivered');
      assert.deepEqual(delivered.detail, { provider_status: 'landed', provider_message_id: 'pg_1', attempt: 1 });
      const logs = (await e().api('GET', '/api/v2/logs?q=type:phone_delivered', { token })).json();
      assert.ok(logs.some((l: { details: { notification_id: string } }) => l.details.notification_id === id));
    });

    test('given the tenant and the provider (the inline path of a /try send), the dispatcher reads neither again', async () => {
      const { NotificationService } = await import('../../src/domain/notifications/notification-service.js');
      const c = e().c;
      const tenant = (await c.repos.tenants.findByName('default'))!;
      const provider = (await c.repos.phoneProviders.getForTenant(tenant.id))!;
      const queued = await new NotificationService(c.repos, c.box, c.clock, c.dispatcher, c.config.delivery, c.sendPolicy, { dispatchInline: false }).enqueue(tenant, {
        type: 'otp_verify',
        deliveryMethod: 'text',
        recipient: '+14155552672',
        source: 'try_provider',
        code: '135791',
      });
      const now = new Date();
      const claimed = (await c.repos.notifications.claim(tenant.id, queued.id, now.toISOString(), new Date(now.getTime() + 60_000).toISOString()))!;
      // Counts the dispatcher's reads (the repositories object is the one it holds; the read cache
      // sits below, so a cached read counts too).
      const reads = { tenants: 0, providers: 0 };
      const { tenants, phoneProviders } = c.repos;
      const counting = <T extends object>(target: T, method: string, what: keyof typeof reads): T =>
        new Proxy(target, { get: (o, prop, receiver) => (prop === method && reads[what]++, Reflect.get(o, prop, receiver)) });
      c.repos.tenants = counting(tenants, 'findById', 'tenants');
      c.repos.phoneProviders = counting(phoneProviders, 'getForTenant', 'providers');
      try {
        await c.dispatcher.processClaimed(tenant, claimed, '135791', provider);
      } finally {
        c.repos.tenants = tenants;
        c.repos.phoneProviders = phoneProviders;
      }
      assert.deepEqual(reads, { tenants: 0, providers: 0 });
      assert.equal((await timeline(queued.id)).status, 'sent');
      assert.equal(gateway.received.at(-1)!.body.text, '135791 is your verification code for default');
    });
  },
  { PUBLIC_URL: PUBLIC },
);
