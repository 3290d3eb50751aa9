import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bodyPerRequest, cpuSeconds, load, startProcess, table, type Measured } from './lib.js';
import { passwordlessTable, runPasswordless } from './passwordless.bench.js';

/**
 * `npm run bench`: the send path against its ceiling, measured in one run on this machine.
 *
 * Three processes besides this one (which runs the load generator): the Twilio-speaking server, a
 * bare Fastify JSON route (the ceiling), and unifone on the embedded SQLite database with its logger
 * at warn. The send path is `POST /api/v2/branding/phone/providers/{id}/try` with a distinct recipient
 * per request: token check, validation, the outbox write, then the real dispatch to the Twilio
 * server (render, HTTP call, attempt record) right after the response.
 *
 * Then, on the same processes, passwordless SMS (bench/passwordless.bench.ts): unifone's start and
 * login against better-auth's phone-number plugin (a fourth process) and a signing-only floor.
 *
 * Beside each target, its bound (bench/bounds-server.ts, a fifth process): the same measure for a
 * route that does only the work nothing can skip (one Twilio call for a send; the two signatures of a
 * login), so that every run shows whether a target is within reach of this machine at all.
 */
const SID = 'AC0000000000000000000000000000bench'.slice(0, 34);
const TOKEN = 'bench-auth-token';
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);

const betterAuthVersion = () => (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../node_modules/better-auth/package.json'), 'utf8')) as { version: string }).version;
const children: Array<{ child: import('node:child_process').ChildProcess }> = [];
/** Stops the servers (SIGTERM, so a profiled one writes its profile) and ends the run. */
async function stopAll(): Promise<never> {
  for (const c of children) c.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  process.exit(0);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-bench-'));
process.on('exit', () => {
  for (const c of children) c.child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const mock = await startProcess('bench/twilio-mock-server.ts', { MOCK_SID: SID, MOCK_TOKEN: TOKEN }, true);
children.push(mock);
const bare = await startProcess('bench/bare-server.ts', {});
children.push(bare);
const server = await startProcess('src/main.ts', {
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  TWILIO_API_BASE_URL: mock.url,
  DEFAULT_TENANT_DOMAINS: 'localhost',
});
children.push(server);
// What a route that does only the unavoidable work achieves here (bench/bounds-server.ts).
const bounds = await startProcess('bench/bounds-server.ts', { TWILIO_URL: mock.url, MOCK_SID: SID, MOCK_TOKEN: TOKEN });
children.push(bounds);
await new Promise((r) => setTimeout(r, 300));
const out = server.output();
const clientId = /client_id:\s+(\S+)/.exec(out)![1]!;
const clientSecret = /client_secret:\s+(\S+)/.exec(out)![1]!;

const tokenRes = await fetch(`${server.url}/oauth/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', host: 'localhost' },
  body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: 'https://localhost/api/v2/' }),
});
const { access_token: token } = (await tokenRes.json()) as { access_token: string };
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const provider = (await (
  await fetch(`${server.url}/api/v2/branding/phone/providers`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text', 'voice'] }, credentials: { auth_token: TOKEN } }),
  })
).json()) as { id: string };

const sentCount = () =>
  new Promise<number>((resolve) => {
    mock.child.once('message', (m: { sent: number }) => resolve(m.sent));
    mock.child.send('count');
  });

let n = 0;
// A distinct, valid recipient for every request.
const recipient = () => JSON.stringify({ to: `+1415${2_000_000 + n++}` });
const sendPath = bodyPerRequest(`${server.url}/api/v2/branding/phone/providers/${provider.id}/try`, auth, recipient, { connections: CONNECTIONS, duration: DURATION });
const sendBound = bodyPerRequest(`${bounds.url}/send`, { 'content-type': 'application/json' }, recipient, { connections: CONNECTIONS, duration: DURATION });

// Warm both servers (JIT, connection pools, caches) before measuring.
await load('warm-up', { url: `${bare.url}/json`, duration: 2, connections: CONNECTIONS });
await load('warm-up', { ...sendPath, duration: 2 });
await load('warm-up', { ...sendBound, duration: 2 });
await new Promise((r) => setTimeout(r, 1000));

const rows: Measured[] = [];
const ceiling = await load('bare Fastify JSON route (ceiling)', { url: `${bare.url}/json`, connections: CONNECTIONS, duration: DURATION });
rows.push(ceiling);
if (process.env['BENCH_READ']) {
  rows.push(await load('read: GET .../providers/{id}', { url: `${server.url}/api/v2/branding/phone/providers/${provider.id}`, headers: auth, connections: CONNECTIONS, duration: DURATION }));
}
const before = await sentCount();
const t0 = Date.now();
const cpu0 = { server: cpuSeconds(server.child.pid), serverMain: cpuSeconds(server.child.pid, true), mock: cpuSeconds(mock.child.pid), self: process.cpuUsage() };
const send = await load('send path: POST .../providers/{id}/try', sendPath);
const selfUsage = process.cpuUsage(cpu0.self);
const cpu = {
  server: cpuSeconds(server.child.pid) - cpu0.server,
  serverMain: cpuSeconds(server.child.pid, true) - cpu0.serverMain,
  mock: cpuSeconds(mock.child.pid) - cpu0.mock,
  loadgen: (selfUsage.user + selfUsage.system) / 1e6,
};
rows.push(send);
// The pipeline dispatches after each response; wait until everything accepted reached Twilio.
const expected = before + send.total - send.non2xx;
let delivered = await sentCount();
while (delivered < expected && Date.now() - t0 < (DURATION + 60) * 1000) {
  await new Promise((r) => setTimeout(r, 200));
  delivered = await sentCount();
}
const drainSeconds = (Date.now() - t0) / 1000;
// The bound runs once the send path's sends have all reached the Twilio server (nothing left in flight),
// and counts only if its own calls all reached it too.
const boundBefore = await sentCount();
const bound = await load('bound: route + the Twilio call only', sendBound);
rows.push(bound);
let boundDelivered = (await sentCount()) - boundBefore;
for (let i = 0; i < 50 && boundDelivered < bound.total - bound.non2xx; i++) {
  await new Promise((r) => setTimeout(r, 200));
  boundDelivered = (await sentCount()) - boundBefore;
}

process.stdout.write(`\nunifone benchmark — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s each, embedded SQLite\n\n`);
process.stdout.write(table(rows, ceiling) + '\n\n');
process.stdout.write(
  `send path: ${send.total - send.non2xx} test sends accepted, ${delivered - before} reached the Twilio server within ${drainSeconds.toFixed(1)} s ` +
    `(${((delivered - before) / drainSeconds).toFixed(0)} sends/s end to end)\n`,
);
process.stdout.write(
  `CPU during the send-path run (${DURATION} s): unifone ${cpu.server.toFixed(1)} s, Twilio server ${cpu.mock.toFixed(1)} s, load generator ${cpu.loadgen.toFixed(1)} s` +
    ` — unifone CPU per accepted send: ${((cpu.server / Math.max(1, send.total - send.non2xx)) * 1000).toFixed(2)} ms` +
    ` (its event loop ${((cpu.serverMain / Math.max(1, send.total - send.non2xx)) * 1000).toFixed(2)} ms)\n`,
);
const ratio = send.rps / ceiling.rps;
const meets = (r: Measured) => r.rps / ceiling.rps >= 0.15 && r.p99 < 20;
process.stdout.write(`target: send path ≥ 15% of the ceiling with p99 < 20 ms — ${meets(send) ? 'met' : 'NOT met'} (${(ratio * 100).toFixed(1)}%, p99 ${send.p99} ms)\n`);
process.stdout.write(
  `bound: a route that only answers 202 and makes the one Twilio call (unifone's Twilio client, no database, no token check, no rendering) — ` +
    `${((bound.rps / ceiling.rps) * 100).toFixed(1)}% of the ceiling, p99 ${bound.p99} ms: the target is ${meets(bound) ? 'within' : 'beyond'} what this machine allows any send path` +
    ` (the Twilio server accepted ${boundDelivered} of its calls, for ${bound.total - bound.non2xx} answered requests; requests still in flight at the end are not counted as answered)\n`,
);

// Passwordless SMS (bench/passwordless.bench.ts): the same unifone process and Twilio server, plus
// better-auth's phone-number plugin as the peer and a signing-only loop as the floor.
// BENCH_ONLY=send stops here (a quicker loop while working on the send path).
if (process.env['BENCH_ONLY'] === 'send') await stopAll();
const passwordless = await runPasswordless({ server, mock, bounds, sendBound: bound, mgmt: auth, twilio: { sid: SID, token: TOKEN }, dataDir, connections: CONNECTIONS, duration: DURATION, children });
process.stdout.write(`\npasswordless SMS — unifone vs better-auth ${betterAuthVersion()} phone-number plugin (better-sqlite3) vs the signing floor, ${CONNECTIONS} connections, ${DURATION} s each\n\n`);
process.stdout.write(passwordlessTable(passwordless) + '\n');
await stopAll();
