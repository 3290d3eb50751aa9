import Fastify from 'fastify';
import { createJwsSigner, type SigningKey } from '../src/adapters/crypto/jws-signer.js';
import { TwilioSender } from '../src/adapters/providers/twilio/twilio-sender.js';
import type { ProviderAccount } from '../src/domain/phone-provider/provider-kind.js';
import { newSigningKey, signLogin, type LoginClaims } from './login-tokens.js';

/**
 * The bounds: what this machine allows a route that does only the work no implementation can skip,
 * measured in the same run as the scenarios they bound. Same runtime, Fastify and logger level as the
 * server under test; nothing in them reads or writes a database, checks a token, renders or records.
 *
 * - `POST /send` `{ to }`: answers 202, then makes the one Twilio call of a send with unifone's own
 *   Twilio client (`TwilioSender`: undici keep-alive pool, basic auth, form body, timeout) against the
 *   same Twilio-speaking server. A send path, or a passwordless start, does at least this.
 * - `POST /login` `{ username, otp }`: reads the body, signs an access token and an id_token (RS256,
 *   a 2048-bit key, unifone's signer, the claims of a real login's tokens) and answers them as JSON.
 *   A login does at least this, with `signLogin`, as the floor. `POST /claims` sets the claims first
 *   (bench/login-tokens.ts, read off a real login) and `threads`, the signer: 0 for jose on the event
 *   loop, else that many signing threads (the benchmark passes the floor's faster variant).
 *
 * Environment: TWILIO_URL, MOCK_SID, MOCK_TOKEN.
 */
const [twilioUrl, sid, token] = [process.env['TWILIO_URL']!, process.env['MOCK_SID']!, process.env['MOCK_TOKEN']!];
type Claims = LoginClaims & { threads: number };
let claims: Claims | undefined;
let key: SigningKey | undefined;

const sender = new TwilioSender({ baseUrl: twilioUrl, publicUrl: undefined, timeoutMs: 10_000 });
// The dispatcher hands the sender opened credentials (it opens them once per sealed value, cached).
const account: ProviderAccount = { configuration: { sid, default_from: '+14155550100', delivery_methods: ['text'] }, credentials: { auth_token: token } };

let signer = createJwsSigner(0);

const app = Fastify({ logger: { level: 'warn' } });
let n = 0;
app.post('/send', async (req, reply) => {
  const to = (req.body as { to: string }).to;
  void reply.code(202).send({});
  const id = `ntf_bound${n++}`;
  const body = 'Your verification code is 123456';
  const result = await sender.send(
    {
      notificationId: id,
      attempt: 1,
      tenant: { internalId: 'ten_bound', name: 'bound', friendly_name: 'Bound' },
      type: 'otp_verify',
      deliveryMethod: 'text',
      recipient: to,
      from: '+14155550100',
      asText: body,
      asVoice: body,
      locale: 'en',
      context: {},
    },
    account,
  );
  if (result.status !== 'sent') app.log.warn({ result }, 'bound send failed');
  return reply;
});
app.post('/claims', async (req) => {
  claims = req.body as Claims;
  key = newSigningKey(claims.kid);
  await signer.close();
  signer = createJwsSigner(claims.threads);
  return {};
});
app.post('/login', async (req, reply) => {
  if (!claims || !key) return reply.code(409).send({ error: 'POST /claims first' });
  if (typeof (req.body as { username?: unknown }).username !== 'string') return reply.code(400).send({ error: 'username' });
  const [accessToken, idToken] = await signLogin(signer, key, claims);
  return { access_token: accessToken, id_token: idToken, scope: 'openid', expires_in: claims.accessTtl, token_type: 'Bearer' };
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
