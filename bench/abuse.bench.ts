import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContainer } from '../src/composition/container.js';
import { runBootstrap } from '../src/composition/startup.js';
import { loadConfig } from '../src/config.js';
import { prefixOf } from '../src/domain/abuse/phone-fraud-settings.js';
import { defaultSpendSettings, priceOf } from '../src/domain/abuse/phone-spend.js';
import { parseRecipient } from '../src/domain/phone-number.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { startTwilioMock } from '../test/helpers/twilio-mock.js';

/**
 * The pumping simulation (`npm run bench:abuse`, docs/abuse.md "The pumping simulation").
 *
 * The real server in-process (the real container, send policy and fraud guard, SQLite), a fake clock
 * that the simulation moves from event to event, `app.inject` for every request, and a local
 * Twilio-speaking server as the provider. Over two simulated hours:
 * - legitimate users sign in by passwordless SMS (`/passwordless/start`, then `/oauth/token` with the
 *   code read from the message the provider received): 60 % type the first code, 40 % ask for a
 *   second one (the first "did not arrive") and type that — 1.4 sends per success;
 * - a pumping bot asks for codes to random numbers in a few premium-like ranges (mobile ranges of
 *   high-cost destinations), from a new IP address each time, and never types a code; one more
 *   range is pumped slowly (a send every four minutes), below the burst rule.
 * It prints, per bot range, how many sends reached the provider before the guard stopped it and what
 * they cost, the legitimate success rate, and what the whole bot traffic would have cost unguarded.
 *
 * Options (environment): ABUSE_HOURS (2), ABUSE_USERS_PER_HOUR (360), ABUSE_BOT_INTERVAL_S (2),
 * ABUSE_SEED (1), ABUSE_FRAUD_MODE (enforce | monitor | off).
 */

const HOURS = Number(process.env['ABUSE_HOURS'] ?? 2);
const USERS_PER_HOUR = Number(process.env['ABUSE_USERS_PER_HOUR'] ?? 360);
const BOT_INTERVAL_S = Number(process.env['ABUSE_BOT_INTERVAL_S'] ?? 2);
const MODE = process.env['ABUSE_FRAUD_MODE'] ?? 'enforce';
let seed = Number(process.env['ABUSE_SEED'] ?? 1);

/** A small deterministic PRNG (mulberry32): the same seed, the same run. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

const SID = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_TOKEN = 'twilio-bench-token-1';
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const START = Date.parse('2026-12-01T09:00:00.000Z');

/** Legitimate users' numbers: mobile ranges of the tenant's usual markets, and a few users in a bot's country. */
const LEGIT_RANGES: Array<{ weight: number; make: () => string }> = [
  { weight: 40, make: () => `+1${pick(['415', '212', '312', '646', '303', '617', '206', '512'])}${2 + Math.floor(random() * 8)}${digits(6)}` },
  { weight: 25, make: () => `+447${pick(['400', '700', '800', '900', '500'])}${digits(6)}` },
  { weight: 20, make: () => `+49${pick(['151', '160', '170', '171', '176'])}${digits(8)}` },
  { weight: 12, make: () => `+33${pick(['6', '7'])}${digits(8)}` },
  // Real users in the country the bot pumps: the guard must not lock them out with the bot.
  { weight: 3, make: () => `+99890${digits(7)}` },
];

/** The pumped ranges: one prefix each (the number without its last four digits). */
const FAST_RANGES = ['+99890123', '+99893551', '+99450345', '+99455123', '+99655501'];
const SLOW_RANGE = '+6757012';

function legitNumber(): string {
  const total = LEGIT_RANGES.reduce((s, r) => s + r.weight, 0);
  for (;;) {
    let x = random() * total;
    const r = LEGIT_RANGES.find((l) => (x -= l.weight) < 0)!;
    const n = r.make();
    if (parseRecipient(n)?.e164 === n) return n;
  }
}

function rangeNumber(prefix: string): string {
  for (;;) {
    const n = `${prefix}${digits(4)}`;
    if (parseRecipient(n)?.e164 === n) return n;
  }
}

type Event = { at: number; run: () => Promise<void> };

const DEBUG = process.env["ABUSE_DEBUG"] === "1";
const debug = (s: string) => DEBUG && process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  for (const p of [...FAST_RANGES, SLOW_RANGE]) {
    const n = rangeNumber(p);
    if (prefixOf(n) !== p) throw new Error(`range ${p} is not one prefix`);
  }
  debug('ranges ok');
  const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-abuse-'));
  let now = START;
  const clock = { now: () => new Date(now) };
  // The velocity limits' counters (rate-limiter-flexible) read the process's wall clock, not the
  // container's clock: it follows the simulation too, so that their windows see two simulated hours
  // and not the few seconds of wall clock they take. (Timers still run in real time.)
  Date.now = () => now;
  const config = loadConfig({
    DATA_DIR: dataDir,
    UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    DEFAULT_TENANT: 'default',
    DEFAULT_TENANT_DOMAINS: 'localhost',
    TWILIO_API_BASE_URL: mock.url,
  });
  const c = await createContainer({ config, logger: createLogger('warn', { write: () => undefined }), clock });
  const boot = await runBootstrap(c);
  if (!boot?.created) throw new Error('bootstrap failed');
  const app = await buildApp(c.http);
  await app.ready();
  debug('app ready');

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, body: unknown, o: { token?: string; ip?: string } = {}) => {
    const res = await app.inject({
      method,
      url,
      remoteAddress: o.ip ?? '127.0.0.1',
      headers: { host: 'localhost', 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, json: res.json() as Record<string, unknown> };
  };

  // The tenant: a Twilio provider, an application on the sms connection, the guard's mode.
  const tok = await call('POST', '/oauth/token', {
    grant_type: 'client_credentials',
    client_id: boot.created.clientId,
    client_secret: boot.created.clientSecret,
    audience: boot.created.audience,
  });
  const mgmt = String(tok.json['access_token']);
  const must = (r: { status: number; json: Record<string, unknown> }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
    return r;
  };
  must(
    await call('POST', '/api/v2/branding/phone/providers', { name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text'] }, credentials: { auth_token: TWILIO_TOKEN } }, { token: mgmt }),
    'provider',
  );
  const client = must(await call('POST', '/api/v2/clients', { name: 'App', app_type: 'regular_web', grant_types: [OTP_GRANT] }, { token: mgmt }), 'client').json;
  const tenant = (await c.repos.tenants.findByName('default'))!;
  await c.identity.directory.connections.enableClient(tenant, String(client['client_id']));
  must(await call('PATCH', '/api/v2/attack-protection/phone-fraud-guard', { mode: MODE }, { token: mgmt }), 'fraud guard mode');
  const app1 = { client_id: String(client['client_id']), client_secret: String(client['client_secret']) };

  const startSend = (to: string, ip: string) => call('POST', '/passwordless/start', { ...app1, connection: 'sms', phone_number: to, send: 'code' }, { ip });
  /** The code of the newest message to `to` after `mark` (the inline send is in flight: wait for it, in real time). */
  const codeFor = async (to: string, mark: number): Promise<string | undefined> => {
    for (let i = 0; i < 400; i++) {
      const r = mock.requests
        .slice(mark)
        .reverse()
        .find((x) => x.form['To'] === to && x.answered === 201);
      if (r) return /\b(\d{6})\b/.exec(r.form['Body'] ?? '')?.[1];
      await new Promise((res) => setTimeout(res, 5));
    }
    return undefined;
  };

  // ---- the events -------------------------------------------------------------------------------
  const queue: Event[] = [];
  const schedule = (at: number, run: () => Promise<void>) => {
    let i = queue.length;
    while (i > 0 && queue[i - 1]!.at > at) i--;
    queue.splice(i, 0, { at, run });
  };
  const end = START + HOURS * 3_600_000;

  const legit = { users: 0, successes: 0, sends: 0, refused: new Map<string, number>(), cost: 0, failedNumbers: [] as string[] };
  const refuse = (why: string) => legit.refused.set(why, (legit.refused.get(why) ?? 0) + 1);
  const price = (to: string) => priceOf(defaultSpendSettings(), parseRecipient(to)?.country, 'text');

  const userIp = () => `10.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`;
  const legitUser = (to: string, resend: boolean) => async () => {
    legit.users++;
    const ip = userIp();
    const send = async (): Promise<string | undefined> => {
      const mark = mock.requests.length;
      const r = await startSend(to, ip);
      if (r.status !== 200) {
        refuse(String(r.json['error'] ?? r.status));
        return undefined;
      }
      legit.sends++;
      legit.cost += price(to);
      return codeFor(to, mark);
    };
    const verify = (code: string) => async () => {
      const r = await call('POST', '/oauth/token', { grant_type: OTP_GRANT, ...app1, username: to, otp: code, realm: 'sms' }, { ip });
      if (r.status === 200) legit.successes++;
      else {
        refuse(`verify: ${String(r.json['error'])}`);
        legit.failedNumbers.push(to);
      }
    };
    const first = await send();
    if (!first) return void legit.failedNumbers.push(to);
    if (!resend) return schedule(now + (15 + random() * 45) * 1000, verify(first));
    // The first code "did not arrive": a second one a minute later, and that one is typed.
    schedule(now + (45 + random() * 45) * 1000, async () => {
      const second = await send();
      if (!second) return void legit.failedNumbers.push(to);
      schedule(now + (15 + random() * 45) * 1000, verify(second));
    });
  };
  for (let t = START; t < end; t += (-Math.log(1 - random()) * 3_600_000) / USERS_PER_HOUR) {
    schedule(t, legitUser(legitNumber(), random() < 0.4));
  }

  interface Range {
    prefix: string;
    country: string;
    attempts: number;
    reached: number;
    cost: number;
    attemptCost: number;
    stoppedAt?: number;
    rule?: string;
  }
  const ranges = new Map<string, Range>();
  for (const p of [...FAST_RANGES, SLOW_RANGE]) ranges.set(p, { prefix: p, country: parseRecipient(rangeNumber(p))!.country!, attempts: 0, reached: 0, cost: 0, attemptCost: 0 });
  const botIp = () => `${100 + Math.floor(random() * 100)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  const botSend = (prefix: string) => async () => {
    const r = ranges.get(prefix)!;
    const to = rangeNumber(prefix);
    r.attempts++;
    r.attemptCost += price(to);
    const res = await startSend(to, botIp());
    if (res.status === 200) {
      r.reached++;
      r.cost += price(to);
    } else if (r.stoppedAt === undefined) {
      r.stoppedAt = now;
      r.rule = String(res.json['error']);
    }
  };
  // The bot starts ten minutes in, on one range after the other (round robin), and keeps trying.
  let k = 0;
  for (let t = START + 600_000; t < end; t += BOT_INTERVAL_S * 1000) schedule(t, botSend(FAST_RANGES[k++ % FAST_RANGES.length]!));
  for (let t = START + 600_000; t < end; t += 240_000) schedule(t, botSend(SLOW_RANGE));

  // ---- run ------------------------------------------------------------------------------------------
  const wall = performance.now();
  while (queue.length > 0) {
    const e = queue.shift()!;
    now = e.at;
    debug(`event at ${(now - START) / 1000}s`);
    await e.run();
  }
  const wallSeconds = (performance.now() - wall) / 1000;

  // What the provider really received, per range (the count the guard is judged on).
  const sentTo = (prefix: string) => mock.requests.filter((r) => r.answered === 201 && r.form['To']?.startsWith(prefix)).length;
  const quarantines = await c.services.phoneFraud.listQuarantines(tenant.id, { page: 0, perPage: 100 });
  const ruleOf = new Map(quarantines.quarantines.map((q) => [q.prefix, q]));
  const falsePositives = quarantines.quarantines.filter((q) => !ranges.has(q.prefix));

  const usd = (x: number) => `$${x.toFixed(2)}`;
  const mins = (t: number | undefined) => (t === undefined ? 'never' : `${((t - START) / 60_000).toFixed(1)} min`);
  const lines: string[] = [];
  lines.push(`Pumping simulation: ${HOURS} h simulated, fraud guard mode ${MODE}, seed ${process.env['ABUSE_SEED'] ?? 1}, ${wallSeconds.toFixed(1)} s wall clock`);
  lines.push('');
  lines.push('| bot range | country | bot requests | reached the provider | cost of those | stopped at | rule | cost unguarded |');
  lines.push('|---|---|---:|---:|---:|---|---|---:|');
  let botReached = 0;
  let botCost = 0;
  let botAttemptCost = 0;
  for (const r of ranges.values()) {
    const reached = sentTo(r.prefix);
    botReached += reached;
    botCost += r.cost;
    botAttemptCost += r.attemptCost;
    const q = ruleOf.get(r.prefix);
    lines.push(`| ${r.prefix}xxxx${r.prefix === SLOW_RANGE ? ' (slow)' : ''} | ${r.country} | ${r.attempts} | ${reached} | ${usd(r.cost)} | ${q ? mins(Date.parse(q.created_at)) : mins(r.stoppedAt)} | ${q?.rule ?? '—'} | ${usd(r.attemptCost)} |`);
  }
  lines.push(`| all | | ${[...ranges.values()].reduce((s, r) => s + r.attempts, 0)} | ${botReached} | ${usd(botCost)} | | | ${usd(botAttemptCost)} |`);
  lines.push('');
  const rate = legit.users === 0 ? 1 : legit.successes / legit.users;
  lines.push(`Legitimate users: ${legit.users}, signed in: ${legit.successes} (${(rate * 100).toFixed(2)} %), sends: ${legit.sends} (${(legit.sends / Math.max(1, legit.successes)).toFixed(2)} per success), cost ${usd(legit.cost)}`);
  if (legit.refused.size > 0) lines.push(`Legitimate requests refused: ${[...legit.refused].map(([k2, v]) => `${k2} ×${v}`).join(', ')}`);
  lines.push(`Quarantines of prefixes the bot never used (false positives): ${falsePositives.length}${falsePositives.length ? ` (${falsePositives.map((q) => `${q.prefix} ${q.rule}`).join(', ')})` : ''}`);
  const worst = Math.max(...[...ranges.values()].map((r) => sentTo(r.prefix)));
  lines.push('');
  lines.push(`Goal: fewer than 50 bot sends per prefix (worst: ${worst}) — ${worst < 50 ? 'met' : 'NOT met'}; legitimate success ≥ 99 % (${(rate * 100).toFixed(2)} %) — ${rate >= 0.99 ? 'met' : 'NOT met'}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  await app.close();
  await c.close();
  await mock.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
