import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ROOT, ROUNDS, bodyPerRequest, combine, formatTable, inTurns, load, measuredRow, msPerOk, okCount, startProcess, type Measured, type Started } from './lib.js';
import { CodePool, mockCodes, NO_PAIR, type Pair } from './code-pool.js';
import type { LoginClaims } from './login-tokens.js';
import { OTP_GRANT, passwordlessApp } from './tenant.js';

/**
 * Passwordless SMS against its peer and its floor, called by `bench/run.ts` in the same run, on the
 * same unifone process and the same Twilio-speaking server as the send path.
 *
 * - unifone `POST /passwordless/start` (connection sms, send code), a distinct phone per request;
 * - unifone login: `POST /oauth/token` with the passwordless/otp grant (verify + signup on first
 *   login + access token and id_token), each request a different (phone, code) pair issued by start
 *   before the run and read from the Twilio server's messages, never from a database;
 * - the peer, better-auth's phone-number plugin on better-sqlite3 (bench/better-auth-peer.ts): the
 *   same two operations, `/api/auth/phone-number/send-otp` and `/api/auth/phone-number/verify`
 *   (signs up and signs in: a session), codes read the same way;
 * - the floor (bench/sign-floor.ts): a loop that only signs the two RS256 tokens of a login;
 * - the bounds (bench/bounds-server.ts): a route that only makes the Twilio call of a start, and one
 *   that only signs the two tokens of a login.
 *
 * The compared runs take turns (`inTurns`, BENCH_ROUNDS): start, send-otp and the send bound; then
 * login, verify, the floor and the login bound.
 */
export interface PasswordlessInput {
  server: Started;
  mock: Started;
  /** bench/bounds-server.ts. */
  bounds: Started;
  /** Management API headers (bearer token, JSON). */
  mgmt: Record<string, string>;
  twilio: { sid: string; token: string };
  dataDir: string;
  connections: number;
  duration: number;
  /** Processes to stop at exit (the peer is added). */
  children: Array<{ child: import('node:child_process').ChildProcess }>;
}

export interface PasswordlessResult {
  /** Each with the CPU of its process under test (`cpu`: all threads; `mainCpu`: the event loop's). */
  rows: { start: Measured; login: Measured; peerSend: Measured; peerVerify: Measured; floor: Measured; sendBound: Measured; loginBound: Measured };
  floorTokensPerSecond: number;
  notes: string[];
}

/** Number ranges (valid NANP numbers, 415-50x/60x/70x exchanges): unifone's, the peer's and the bound's never meet. */
const UNIFONE_BASE = 5_000_000;
const PEER_BASE = 6_000_000;
const BOUND_BASE = 7_000_000;
const phoneOf = (base: number, n: number) => `+1415${base + n}`;
const UNIFONE_PREFIX = '+14155';
const PEER_PREFIX = '+14156';
const WARM_SECONDS = 2;

export async function runPasswordless(inp: PasswordlessInput): Promise<PasswordlessResult> {
  const { server, mock, mgmt, connections, duration } = inp;
  const notes: string[] = [];
  const codes = () => mockCodes(mock);

  // --- Set-up through the Management API: an application with the passwordless grant, enabled on the sms connection.
  const { clientId, clientSecret } = await passwordlessApp(server, mgmt);

  // --- The peer, in its own process, against the same Twilio-speaking server.
  const peer = await startProcess('bench/better-auth-peer.ts', {
    PEER_DB: path.join(inp.dataDir, 'better-auth.sqlite'),
    TWILIO_URL: mock.url,
    MOCK_SID: inp.twilio.sid,
    MOCK_TOKEN: inp.twilio.token,
  });
  inp.children.push(peer);

  const json = { 'content-type': 'application/json' };
  let nUnifone = 0;
  let nPeer = 0;
  const startBody = (n: number) => JSON.stringify({ client_id: clientId, client_secret: clientSecret, connection: 'sms', phone_number: phoneOf(UNIFONE_BASE, n), send: 'code' });
  const loginBody = (p: Pair) => JSON.stringify({ grant_type: OTP_GRANT, client_id: clientId, client_secret: clientSecret, username: p.phone, otp: p.code, realm: 'sms', scope: 'openid' });
  const peerSendBody = (n: number) => JSON.stringify({ phoneNumber: phoneOf(PEER_BASE, n) });
  const peerVerifyBody = (p: Pair) => JSON.stringify({ phoneNumber: p.phone, code: p.code });

  const issuing = (url: string, body: () => string) => bodyPerRequest(url, json, body, { connections, duration });
  const spending = (url: string, pool: CodePool, body: (p: Pair) => string) => issuing(url, () => body(pool.next() ?? NO_PAIR));

  const unifoneStart = issuing(`${server.url}/passwordless/start`, () => startBody(nUnifone++));
  const peerSend = issuing(`${peer.url}/api/auth/phone-number/send-otp`, () => peerSendBody(nPeer++));

  const collect = async (pool: CodePool) => {
    const missing = await pool.collect(mock);
    if (missing) notes.push(`${pool.prefix}…: ${missing} accepted sends never reached the Twilio server`);
  };
  const issue = (pool: CodePool, name: string, opts: autocannon.Options, pid?: number) => pool.issue(mock, name, opts, pid);
  const turn = duration / ROUNDS;

  /**
   * Warms a login scenario on the pool, then tops the pool up (unmeasured, through `issuer`) so that
   * the measured run cannot run out: 1.5× what the warm-up rate would use, plus a margin.
   */
  const prepareLogins = async (pool: CodePool, login: autocannon.Options, issuer: autocannon.Options) => {
    const warm = await load('warm-up', { ...login, duration: WARM_SECONDS });
    const need = Math.ceil(warm.rps * duration * 1.5) + 20 * connections;
    if (pool.left < need) {
      const { duration: _timed, ...untimed } = issuer;
      // autocannon needs at least one request per connection.
      await issue(pool, 'issue', { ...untimed, amount: Math.max(connections, need - pool.left) });
      await collect(pool);
    }
  };

  // --- Sanity: one full flow on each side, and the claims the floor signs.
  const first = { n: nUnifone++, phone: phoneOf(UNIFONE_BASE, 0), peer: phoneOf(PEER_BASE, nPeer++) };
  const post = async (url: string, body: string) => {
    const res = await fetch(url, { method: 'POST', headers: json, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${url} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Record<string, string>;
  };
  await post(`${server.url}/passwordless/start`, startBody(first.n));
  await post(`${peer.url}/api/auth/phone-number/send-otp`, JSON.stringify({ phoneNumber: first.peer }));
  const firstCodes: Record<string, string> = {};
  for (let i = 0; i < 100 && !(firstCodes[first.phone] && firstCodes[first.peer]); i++) {
    Object.assign(firstCodes, await codes());
    await new Promise((r) => setTimeout(r, 50));
  }
  const tokens = await post(`${server.url}/oauth/token`, loginBody({ phone: first.phone, code: firstCodes[first.phone]! }));
  const peerLogin = await post(`${peer.url}/api/auth/phone-number/verify`, peerVerifyBody({ phone: first.peer, code: firstCodes[first.peer]! }));
  if (!peerLogin['token']) throw new Error(`the peer's verify did not sign in: ${JSON.stringify(peerLogin)}`);
  const strip = (t: string) => {
    const { iat, exp, ...rest } = decodeJwt(t);
    return { claims: rest, ttl: exp! - iat! };
  };
  const access = strip(tokens['access_token']!);
  const id = strip(tokens['id_token']!);
  const floorClaims: LoginClaims = { access: access.claims, id: id.claims, accessTtl: access.ttl, idTtl: id.ttl, kid: decodeProtectedHeader(tokens['access_token']!).kid! };

  const settle = () => new Promise((r) => setTimeout(r, 1000));

  // --- Issuing: unifone's start, the peer's send-otp and the send bound (a route that only makes the
  // Twilio call a start makes), taking turns (bench/lib.ts, inTurns).
  const unifonePool = new CodePool(UNIFONE_PREFIX);
  unifonePool.exclude(first.phone);
  const peerPool = new CodePool(PEER_PREFIX);
  peerPool.exclude(first.peer);
  await issue(unifonePool, 'warm-up', { ...unifoneStart, duration: WARM_SECONDS });
  await issue(peerPool, 'warm-up', { ...peerSend, duration: WARM_SECONDS });
  let nSendBound = 0;
  const sendBound = issuing(`${inp.bounds.url}/send`, () => JSON.stringify({ to: phoneOf(BOUND_BASE, nSendBound++) }));
  await settle();
  const [startRuns, peerSendRuns, sendBoundRuns] = await inTurns(ROUNDS, [
    () => issue(unifonePool, 'unifone start', { ...unifoneStart, duration: turn }, server.child.pid),
    () => issue(peerPool, 'peer send-otp', { ...peerSend, duration: turn }, peer.child.pid),
    () => load('send bound', { ...sendBound, duration: turn }, inp.bounds.child.pid),
  ]);
  await collect(unifonePool);
  await collect(peerPool);

  // --- Spending the codes: unifone's login and the peer's verify (each warmed, its pool topped up so
  // the measured turns cannot run out; codes live 180 s at unifone, 300 s at the peer).
  const unifoneLogin = spending(`${server.url}/oauth/token`, unifonePool, loginBody);
  await prepareLogins(unifonePool, unifoneLogin, unifoneStart);
  const peerVerify = spending(`${peer.url}/api/auth/phone-number/verify`, peerPool, peerVerifyBody);
  await prepareLogins(peerPool, peerVerify, peerSend);

  // --- The floor, in its own process with nothing else under load: first both ways of signing, to
  // pick the faster, then that one in the turns.
  type Variant = { key: string; name: string; logins: number; seconds: number; p50: number; p99: number; cpu: number };
  const floorRun = (seconds: number, warmup: number, variant?: string) =>
    new Promise<Variant[]>((resolve, reject) => {
      const env = { ...process.env, FLOOR_DURATION: String(seconds), FLOOR_WARMUP: String(warmup), FLOOR_CONCURRENCY: String(connections), FLOOR_CLAIMS: JSON.stringify(floorClaims) };
      const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'bench/sign-floor.ts'], {
        cwd: ROOT,
        env: variant === undefined ? env : { ...env, FLOOR_VARIANT: variant },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += String(d)));
      child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out) as { variants: Variant[] }).variants) : reject(new Error(`sign-floor exited ${code}`))));
    });
  const rate = (v: Variant) => v.logins / v.seconds;
  const choice = await floorRun(Math.max(2, turn), WARM_SECONDS);
  const f = choice.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  for (const v of choice) notes.push(`floor with ${v.name}: ${rate(v).toFixed(0)} logins/s, ${((v.cpu / Math.max(1, v.logins)) * 1000).toFixed(2)} ms CPU per login${v === f ? ' (the faster: the floor)' : ''}`);
  const floorTurn = async (): Promise<Measured> => {
    const [v] = await floorRun(turn, 1, f.key);
    return { name: 'floor', rps: rate(v!), p50: v!.p50, p99: v!.p99, errors: 0, non2xx: 0, total: v!.logins, cpu: v!.cpu };
  };

  // --- The login's bound: a route that reads the body and signs the same two tokens, nothing else,
  // with the floor's way of signing.
  await post(`${inp.bounds.url}/claims`, JSON.stringify({ ...floorClaims, threads: f.key === 'jose' ? 0 : os.availableParallelism() }));
  let nBound = 0;
  const loginBound = issuing(`${inp.bounds.url}/login`, () => loginBody({ phone: phoneOf(UNIFONE_BASE, nBound++), code: '000000' }));
  await load('warm-up', { ...loginBound, duration: WARM_SECONDS });
  await settle();

  const [loginRuns, peerVerifyRuns, floorRuns, loginBoundRuns] = await inTurns(ROUNDS, [
    () => load('unifone login', { ...unifoneLogin, duration: turn }, server.child.pid),
    () => load('peer verify', { ...peerVerify, duration: turn }, peer.child.pid),
    floorTurn,
    () => load('login bound', { ...loginBound, duration: turn }, inp.bounds.child.pid),
  ]);
  const floor = combine(`floor: sign access + id token (RS256, ${f.name})`, floorRuns);
  return {
    rows: {
      start: combine('unifone passwordless start', startRuns),
      login: combine('unifone passwordless login (verify + token)', loginRuns),
      peerSend: combine('better-auth phone-number send-otp (peer)', peerSendRuns),
      peerVerify: combine('better-auth phone-number verify (peer)', peerVerifyRuns),
      floor,
      sendBound: combine('bound: route + the Twilio call only', sendBoundRuns),
      loginBound: combine(`bound: route that only signs the two tokens (${f.name})`, loginBoundRuns),
    },
    floorTokensPerSecond: 2 * floor.rps,
    notes,
  };
}

export function passwordlessTable(r: PasswordlessResult): string {
  const { start, login, peerSend, peerVerify, floor, sendBound, loginBound } = r.rows;
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'CPU ms/req'];
  const lines = [start, peerSend, sendBound, login, peerVerify, floor, loginBound].map((x) => measuredRow(x, x.cpu !== undefined ? msPerOk(x, x.cpu).toFixed(2) : '-'));
  const okRps = (x: Measured) => (x.total > 0 ? (x.rps * okCount(x)) / x.total : 0);
  const cpuMs = (x: Measured) => msPerOk(x, x.cpu);
  const mainMs = (x: Measured) => msPerOk(x, x.mainCpu);
  const ratios: Array<[string, number, number]> = [
    ['unifone start ÷ peer send-otp', okRps(start) / okRps(peerSend), 10],
    ['unifone login ÷ peer verify', okRps(login) / okRps(peerVerify), 3],
    ['unifone login ÷ floor', okRps(login) / floor.rps, 0.8],
  ];
  const show = (v: number, target: number) => (target < 1 ? `${(v * 100).toFixed(1)}%` : `${v.toFixed(2)}×`);
  const ratioLines = ratios.map(([name, v, target]) => `${name}: ${show(v, target)} — target ≥ ${show(target, target)}: ${v >= target ? 'met' : 'NOT met'}`);
  // The same ratios for the bounds (bench/bounds-server.ts): a start sends at least what the send
  // bound sends (one Twilio call), a login signs at least what the login bound signs.
  const bounds: Array<[string, number, number]> = [
    ['send bound (route + the Twilio call only) ÷ peer send-otp', okRps(sendBound) / okRps(peerSend), 10],
    ['login bound (route that only signs) ÷ floor', okRps(loginBound) / floor.rps, 0.8],
  ];
  const boundLines = bounds.map(([name, v, target]) => `${name}: ${show(v, target)} — what a route doing only that reaches here, against the target's ${show(target, target)}`);
  // CPU per successful request of the process under test: less sensitive than req/s to whatever
  // else the machine is running, so printed beside the throughput ratios (which decide the targets).
  const cpuLines = [
    `CPU per request: unifone start ${cpuMs(start).toFixed(2)} ms vs peer send-otp ${cpuMs(peerSend).toFixed(2)} ms (${(cpuMs(peerSend) / cpuMs(start)).toFixed(2)}×); ` +
      `unifone login ${cpuMs(login).toFixed(2)} ms vs peer verify ${cpuMs(peerVerify).toFixed(2)} ms (${(cpuMs(peerVerify) / cpuMs(login)).toFixed(2)}×) ` +
      `vs floor ${cpuMs(floor).toFixed(2)} ms (${((cpuMs(floor) / cpuMs(login)) * 100).toFixed(1)}%)`,
    `of which on the event loop: unifone start ${mainMs(start).toFixed(2)} ms, login ${mainMs(login).toFixed(2)} ms; ` +
      `peer send-otp ${mainMs(peerSend).toFixed(2)} ms, verify ${mainMs(peerVerify).toFixed(2)} ms`,
  ];
  return [
    ...formatTable(head, lines),
    '',
    `floor: ${r.floorTokensPerSecond.toFixed(0)} tokens/s (${floor.rps.toFixed(0)} logins/s, two tokens each)`,
    'ratios use successful requests per second only',
    ...ratioLines,
    ...boundLines,
    ...cpuLines,
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
