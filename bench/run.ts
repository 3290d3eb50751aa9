import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROUNDS, bodyPerRequest, combine, cpuSeconds, inTurns, load, msPerOk, okCount, sendingLoad, SERVER, buildServer, startProcess, table, type Measured } from './lib.js';
import { passwordlessTable, runPasswordless } from './passwordless.bench.js';
import { prepareTenant, serverEnv, SID, TOKEN } from './tenant.js';

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

buildServer();
const mock = await startProcess('bench/twilio-mock-server.ts', { MOCK_SID: SID, MOCK_TOKEN: TOKEN }, true);
children.push(mock);
const bare = await startProcess('bench/bare-server.ts', {});
children.push(bare);
const server = await startProcess(SERVER, serverEnv(dataDir, mock.url));
children.push(server);
// What a route that does only the unavoidable work achieves here (bench/bounds-server.ts).
const bounds = await startProcess('bench/bounds-server.ts', { TWILIO_URL: mock.url, MOCK_SID: SID, MOCK_TOKEN: TOKEN });
children.push(bounds);
await new Promise((r) => setTimeout(r, 300));
const { auth, providerId } = await prepareTenant(server);

let n = 0;
// A distinct, valid recipient for every request.
const recipient = () => JSON.stringify({ to: `+1415${2_000_000 + n++}` });
const sendPath = bodyPerRequest(`${server.url}/api/v2/branding/phone/providers/${providerId}/try`, auth, recipient, { connections: CONNECTIONS, duration: DURATION });
const sendBound = bodyPerRequest(`${bounds.url}/send`, { 'content-type': 'application/json' }, recipient, { connections: CONNECTIONS, duration: DURATION });

// Warm both servers (JIT, connection pools, caches) before measuring.
await load('warm-up', { url: `${bare.url}/json`, duration: 2, connections: CONNECTIONS });
await load('warm-up', { ...sendPath, duration: 2 });
await load('warm-up', { ...sendBound, duration: 2 });
await new Promise((r) => setTimeout(r, 1000));

const rows: Measured[] = [];
const turn = DURATION / ROUNDS;
/**
 * A turn of a scenario that sends through the Twilio server (`sendingLoad`: the load, then a wait until
 * every accepted request's message reached it; the CPU of `pid` counted until then). Adds to `tally`
 * what was accepted, what arrived, how long that took, and the other processes' CPU.
 */
const sendingTurn = async (name: string, opts: typeof sendPath, pid: number | undefined, tally: { accepted: number; arrived: number; seconds: number; mockCpu: number; loadgenCpu: number }) => {
  const [mock0, self0] = [cpuSeconds(mock.child.pid), process.cpuUsage()];
  const m = await sendingLoad(name, { ...opts, duration: turn }, mock, pid);
  const self = process.cpuUsage(self0);
  tally.mockCpu += cpuSeconds(mock.child.pid) - mock0;
  tally.loadgenCpu += (self.user + self.system) / 1e6;
  tally.accepted += okCount(m);
  tally.arrived += m.arrived;
  tally.seconds += m.seconds;
  return m;
};
const sendTally = { accepted: 0, arrived: 0, seconds: 0, mockCpu: 0, loadgenCpu: 0 };
const boundTally = { ...sendTally };
const [ceilingRuns, sendRuns, boundRuns] = await inTurns(ROUNDS, [
  () => load('ceiling', { url: `${bare.url}/json`, connections: CONNECTIONS, duration: turn }),
  () => sendingTurn('send path', sendPath, server.child.pid, sendTally),
  () => sendingTurn('send bound', sendBound, undefined, boundTally),
]);
const ceiling = combine('bare Fastify JSON route (ceiling)', ceilingRuns);
const send = combine('send path: POST .../providers/{id}/try', sendRuns);
const bound = combine('bound: route + the Twilio call only', boundRuns);
rows.push(ceiling);
if (process.env['BENCH_READ']) {
  rows.push(await load('read: GET .../providers/{id}', { url: `${server.url}/api/v2/branding/phone/providers/${providerId}`, headers: auth, connections: CONNECTIONS, duration: DURATION }));
}
rows.push(send, bound);

process.stdout.write(
  `\nunifone benchmark — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, ${CONNECTIONS} connections, ` +
    `${DURATION} s each in ${ROUNDS} turns of ${turn.toFixed(1)} s (the scenarios take turns), embedded SQLite\n\n`,
);
process.stdout.write(table(rows, ceiling) + '\n\n');
process.stdout.write(
  `send path: ${sendTally.accepted} test sends accepted, ${sendTally.arrived} reached the Twilio server within ${sendTally.seconds.toFixed(1)} s ` +
    `(${(sendTally.arrived / sendTally.seconds).toFixed(0)} sends/s end to end)\n`,
);
process.stdout.write(
  `CPU during the send-path turns (${DURATION} s): unifone ${send.cpu!.toFixed(1)} s, Twilio server ${sendTally.mockCpu.toFixed(1)} s, load generator ${sendTally.loadgenCpu.toFixed(1)} s` +
    ` — unifone CPU per accepted send: ${msPerOk(send, send.cpu).toFixed(2)} ms (its event loop ${msPerOk(send, send.mainCpu).toFixed(2)} ms)\n`,
);
const ratio = send.rps / ceiling.rps;
const meets = (r: Measured) => r.rps / ceiling.rps >= 0.15 && r.p99 < 20;
process.stdout.write(`target: send path ≥ 15% of the ceiling with p99 < 20 ms — ${meets(send) ? 'met' : 'NOT met'} (${(ratio * 100).toFixed(1)}%, p99 ${send.p99} ms)\n`);
process.stdout.write(
  `bound: a route that only answers 202 and makes the one Twilio call (unifone's Twilio client, no database, no token check, no rendering) — ` +
    `${((bound.rps / ceiling.rps) * 100).toFixed(1)}% of the ceiling, p99 ${bound.p99} ms: the target is ${meets(bound) ? 'within' : 'beyond'} what this machine allows any send path` +
    ` (the Twilio server accepted ${boundTally.arrived} of its calls, for ${boundTally.accepted} answered requests; requests still in flight at the end of a turn are not counted as answered)\n`,
);

// Passwordless SMS (bench/passwordless.bench.ts): the same unifone process and Twilio server, plus
// better-auth's phone-number plugin as the peer and a signing-only loop as the floor.
// BENCH_ONLY=send stops here (a quicker loop while working on the send path).
if (process.env['BENCH_ONLY'] === 'send') await stopAll();
const passwordless = await runPasswordless({ server, mock, bounds, mgmt: auth, twilio: { sid: SID, token: TOKEN }, dataDir, connections: CONNECTIONS, duration: DURATION, children });
process.stdout.write(
  `\npasswordless SMS — unifone vs better-auth ${betterAuthVersion()} phone-number plugin (better-sqlite3) vs the signing floor, ${CONNECTIONS} connections, ` +
    `${DURATION} s each in ${ROUNDS} turns (start, send-otp and the send bound take turns; then login, verify, the floor and the login bound)\n\n`,
);
process.stdout.write(passwordlessTable(passwordless) + '\n');
await stopAll();
