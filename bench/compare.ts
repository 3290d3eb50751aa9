import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, ROUNDS, bodyPerRequest, combine, formatTable, inTurns, load, msPerOk, sendingLoad, SERVER, buildServer, startProcess, type Measured, type Started } from './lib.js';
import { CodePool, NO_PAIR, type Pair } from './code-pool.js';
import { OTP_GRANT, passwordlessApp, prepareTenant, serverEnv, SID, TOKEN } from './tenant.js';

/**
 * `npm run bench:compare -- DIR`: this checkout's send path, passwordless start and passwordless login
 * against another checkout's (DIR, another revision with its node_modules), in one process tree,
 * taking turns: each round runs `/try` on this one, `/try` on the other, then the start on each; then,
 * on codes each side issued beforehand, the login on each, so that a machine whose speed drifts (a
 * busy neighbour) slows both alike. Both servers run on embedded SQLite with the same
 * abuse-engine settings (bench/tenant.ts) and send to one Twilio-speaking server; each turn lasts until
 * every accepted send reached it (`sendingLoad`). Prints the CPU per request of each (all threads,
 * dispatch included; in brackets, the event loop's), their ratio, and the spread of the per-turn
 * figures, which is what "within the machine's spread" is judged against. BENCH_PAIRS=N runs it all
 * on N pairs of fresh servers, one pair after the other, and prints each pair's ratios too.
 */
const other = path.resolve(process.argv[2] ?? process.env['BENCH_BASE'] ?? '');
if (!fs.existsSync(path.join(other, 'src/main.ts'))) throw new Error('usage: npm run bench:compare -- DIR (a checkout of another revision, npm ci done)');
const DURATION = Number(process.env['BENCH_DURATION'] ?? 20);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const rounds = Math.max(ROUNDS, 6);
const SCATTER = process.env['BENCH_SCATTER'] === '1';
const turn = DURATION / rounds;

const children: Started[] = [];
const dirs: string[] = [];
process.on('exit', () => {
  for (const c of children) c.child.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
// Both run built, as production runs them.
buildServer(ROOT);
buildServer(other);
const mock = await startProcess('bench/twilio-mock-server.ts', { MOCK_SID: SID, MOCK_TOKEN: TOKEN }, true);
children.push(mock);

/**
 * One side: its server, its tenant set up, and its two loads. Both sides send to the same numbers,
 * each from the start of the range: what a number costs depends on its range (a checkout compared
 * with itself, one side on +1415200…, the other on +1415500…, came out 4 to 9 % apart, the sign
 * following the range), and each side has a database of its own.
 */
async function side(name: string, cwd: string) {
  const base = 2_000_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-compare-'));
  dirs.push(dataDir);
  const server = await startProcess(SERVER, serverEnv(dataDir, mock.url), false, cwd);
  children.push(server);
  await new Promise((r) => setTimeout(r, 300));
  const { auth, providerId } = await prepareTenant(server);
  const { clientId, clientSecret } = await passwordlessApp(server, auth);
  let n = 0;
  // BENCH_SCATTER=1: the numbers in a scattered order (n × 7919 mod 10⁶, each still used once), as real
  // traffic comes, instead of one after the other (which keeps every index by number appending).
  const phone = SCATTER ? () => `+1415${base + ((n++ * 7919) % 1_000_000)}` : () => `+1415${base + n++}`;
  const opts = { connections: CONNECTIONS, duration: turn };
  const json = { 'content-type': 'application/json' };
  const startBody = (to: string) => JSON.stringify({ client_id: clientId, client_secret: clientSecret, connection: 'sms', phone_number: to, send: 'code' });
  // The login's codes: issued to numbers of their own range (the same on both sides), read back from
  // the Twilio server, each spent once by a passwordless/otp grant (verify, signup, two tokens).
  const pool = new CodePool(`+1415${LOGIN_BASE}`.slice(0, 6));
  let nLogin = 0;
  return {
    name,
    pid: server.child.pid,
    /** Stops the server (SIGTERM: a profiled one writes its profile as it exits). */
    stop: () => server.child.kill('SIGTERM'),
    pool,
    /** Issues `amount` codes to the next numbers of the login range and waits until they are all read back. */
    async issueCodes(amount: number) {
      const { duration: _timed, ...untimed } = bodyPerRequest(`${server.url}/passwordless/start`, json, () => startBody(`+1415${LOGIN_BASE + nLogin++}`), opts);
      // autocannon needs at least one request per connection.
      await pool.issue(mock, 'issue', { ...untimed, amount: Math.max(CONNECTIONS, amount) });
      const missing = await pool.collect(mock);
      if (missing) throw new Error(`${name}: ${missing} codes never reached the Twilio server`);
    },
    login: bodyPerRequest(`${server.url}/oauth/token`, json, () => loginBody(clientId, clientSecret, pool.next() ?? NO_PAIR), opts),
    send: bodyPerRequest(`${server.url}/api/v2/branding/phone/providers/${providerId}/try`, auth, () => JSON.stringify({ to: phone() }), opts),
    start: bodyPerRequest(`${server.url}/passwordless/start`, json, () => startBody(phone()), opts),
  };
}
const LOGIN_BASE = 7_000_000;
const loginBody = (clientId: string, clientSecret: string, p: Pair) =>
  JSON.stringify({ grant_type: OTP_GRANT, client_id: clientId, client_secret: clientSecret, username: p.phone, otp: p.code, realm: 'sms', scope: 'openid' });
const cpu = (m: Measured) => msPerOk(m, m.cpu);

// Each pair of servers, started afresh, runs every scenario in turns. A process pair carries an
// offset of its own (where its heap and code landed: the same code in two processes came out up to
// 8 % apart, steady over a run's rounds), so BENCH_PAIRS > 1 averages over several pairs.
const PAIRS = Math.max(1, Number(process.env['BENCH_PAIRS'] ?? 1));
const names = { self: `this checkout (${path.basename(ROOT)})`, base: `the other (${path.basename(other)})` };
const sendSelf: Measured[] = [];
const sendBase: Measured[] = [];
const startSelf: Measured[] = [];
const startBase: Measured[] = [];
const loginSelf: Measured[] = [];
const loginBase: Measured[] = [];
const perPair: Array<{ send: number; start: number; login: number }> = [];

async function pair(): Promise<void> {
  const from = { send: sendSelf.length, start: startSelf.length, login: loginSelf.length };
  const self = await side(names.self, ROOT);
  const base = await side(names.base, other);

  for (const s of [self, base]) {
    await load('warm-up', { ...s.send, duration: 2 });
    await load('warm-up', { ...s.start, duration: 2 });
  }
  // Each round runs the four, in an order that alternates (this, other / other, this) so that neither
  // side always follows the same one.
  const runs = { sendSelf, sendBase, startSelf, startBase };
  let round = 0;
  await inTurns(rounds, [
    async () => {
      const order: Array<[keyof typeof runs, string, typeof self]> =
        round++ % 2 === 0
          ? [['sendSelf', 'send: this', self], ['sendBase', 'send: other', base], ['startSelf', 'start: this', self], ['startBase', 'start: other', base]]
          : [['sendBase', 'send: other', base], ['sendSelf', 'send: this', self], ['startBase', 'start: other', base], ['startSelf', 'start: this', self]];
      for (const [k, label, s] of order) runs[k].push(await sendingLoad(label, k.startsWith('send') ? s.send : s.start, mock, s.pid));
    },
  ]);

  // The login. Each side issues its codes in a phase of its own (both sides send to the same numbers,
  // and the Twilio server keeps each number's last code): first enough to warm up on, then, from the
  // faster side's warm-up rate, enough for its turns twice over (a side may go faster in its turns
  // than in its warm-up). Codes live 180 s; the oldest is spent within about two minutes.
  for (const s of [self, base]) await s.issueCodes(40 * CONNECTIONS);
  let warmRps = 0;
  for (const s of [self, base]) warmRps = Math.max(warmRps, (await load('warm-up', { ...s.login, duration: 2 })).rps);
  const loginNeed = Math.ceil(warmRps * DURATION * 2) + 20 * CONNECTIONS;
  for (const s of [self, base]) if (s.pool.left < loginNeed) await s.issueCodes(loginNeed - s.pool.left);
  await new Promise((r) => setTimeout(r, 1000));
  round = 0;
  await inTurns(rounds, [
    async () => {
      const order: Array<[Measured[], string, typeof self]> = round++ % 2 === 0 ? [[loginSelf, 'login: this', self], [loginBase, 'login: other', base]] : [[loginBase, 'login: other', base], [loginSelf, 'login: this', self]];
      for (const [into, label, s] of order) into.push(await load(label, s.login, s.pid));
    },
  ]);
  const ratioOf = (a: Measured[], b: Measured[], i: number) => cpu(combine('', a.slice(i))) / cpu(combine('', b.slice(i))) - 1;
  perPair.push({ send: ratioOf(sendSelf, sendBase, from.send), start: ratioOf(startSelf, startBase, from.start), login: ratioOf(loginSelf, loginBase, from.login) });
  for (const s of [self, base]) s.stop();
}

for (let i = 0; i < PAIRS; i++) await pair();

const range = (runs: Measured[]) => {
  const v = runs.map(cpu).sort((a, b) => a - b);
  return `${v[0]!.toFixed(2)}–${v[v.length - 1]!.toFixed(2)}`;
};
const row = (label: string, runs: Measured[]) => {
  const c = combine(label, runs);
  return { c, line: [label, c.rps.toFixed(0), c.p50.toFixed(2), c.p99.toFixed(2), String(c.errors + c.non2xx), `${cpu(c).toFixed(3)} (${msPerOk(c, c.mainCpu).toFixed(3)})`, range(runs)] };
};
const rows = [
  row(`send path /try — ${names.self}`, sendSelf),
  row(`send path /try — ${names.base}`, sendBase),
  row(`passwordless start — ${names.self}`, startSelf),
  row(`passwordless start — ${names.base}`, startBase),
  row(`passwordless login — ${names.self}`, loginSelf),
  row(`passwordless login — ${names.base}`, loginBase),
];
process.stdout.write(
  `\nunifone, two checkouts in turns — ${os.cpus().length} cores, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s each in ${rounds} turns of ${turn.toFixed(1)} s` +
    `${PAIRS > 1 ? `, ${PAIRS} pairs of servers one after the other (each figure over all)` : ''}, embedded SQLite` +
    `, recipients ${SCATTER ? 'in a scattered order' : 'one after the other'}\n\n`,
);
process.stdout.write(formatTable(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'CPU ms/req (event loop)', 'per turn'], rows.map((r) => r.line)).join('\n') + '\n\n');
const ratio = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)} %`;
process.stdout.write(
  `CPU per request, this ÷ the other: send path ${ratio(cpu(rows[0]!.c), cpu(rows[1]!.c))}, start ${ratio(cpu(rows[2]!.c), cpu(rows[3]!.c))}, login ${ratio(cpu(rows[4]!.c), cpu(rows[5]!.c))}\n`,
);
// The two turns of a round ran next to each other: their ratio cancels what drifts between rounds
// (a busy neighbour). The spread of these ratios is the machine's, to judge a difference against;
// a checkout compared with itself shows how wide it is when there is no difference.
const paired = (a: Measured[], b: Measured[]) => {
  const v = a.map((m, i) => cpu(m) / cpu(b[i]!) - 1).sort((x, y) => x - y);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return `median ${pct(v[Math.floor(v.length / 2)]!)}, from ${pct(v[0]!)} to ${pct(v[v.length - 1]!)}`;
};
if (PAIRS > 1) {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  process.stdout.write(`per pair of servers (this ÷ the other): ${perPair.map((p, i) => `${i + 1}: send path ${pct(p.send)}, start ${pct(p.start)}, login ${pct(p.login)}`).join('; ')}\n`);
}
process.stdout.write(
  `per round (this ÷ the other, the two turns side by side): send path ${paired(sendSelf, sendBase)}; start ${paired(startSelf, startBase)}; login ${paired(loginSelf, loginBase)}\n`,
);
for (const c of children) c.child.kill('SIGTERM');
// A profiled server writes its profile as it exits: give it time.
await new Promise((r) => setTimeout(r, process.env['BENCH_PROFILE'] ? 5000 : 500));
process.exit(0);
