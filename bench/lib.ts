import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** The server under test: the built one (`buildServer`), the code `npm start` runs. */
export const SERVER = 'dist/main.js';

/**
 * Builds the server of a checkout (`cwd`) as `npm run build` does, without the dashboard, which no
 * benchmark of the API serves: TypeScript run through a loader is not the code production runs (the
 * loader's transform adds work to every function it names).
 */
export function buildServer(cwd = ROOT): void {
  execFileSync(process.execPath, [path.join(cwd, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/copy-isolate-code.js'], { cwd, stdio: 'inherit' });
}

/**
 * Starts a TypeScript entry in its own Node process and waits for its `listening on URL` line; `cwd`
 * is the checkout it runs from (another revision's, for bench/compare.ts).
 */
export function startProcess(entry: string, env: Record<string, string>, ipc = false, cwd = ROOT): Promise<Started> {
  // BENCH_PROFILE=dir writes a CPU profile of the server under test into dir (when it exits on SIGTERM).
  const profile = process.env['BENCH_PROFILE'] && entry === SERVER ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
  // TypeScript runs through tsx; the server runs built, as `npm start` runs it.
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, ['--no-node-snapshot', ...profile, ...loader, entry], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += String(d);
      const m = /listening on (https?:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1]!.replace('0.0.0.0', '127.0.0.1').replace('localhost', '127.0.0.1'), output: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += String(d)));
    child.on('exit', (code) => reject(new Error(`${entry} exited (${code}):\n${out}`)));
  });
}

export interface Measured {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** CPU seconds of the process under test during the run (all its threads), when one was named. */
  cpu?: number;
  /** The same, of its event-loop thread only. */
  mainCpu?: number;
  /** autocannon's own results behind this one (latency histograms included), so that runs combine exactly. */
  raw?: RawResult[];
}

/** autocannon's result before aggregation (`skipAggregateResult`): counts, and the latency histogram encoded. */
interface RawResult {
  totalCompletedRequests: number;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
const aggregate = (raw: RawResult[]): autocannon.Result =>
  (autocannon as unknown as { aggregateResult(r: RawResult[], o: { url: string }): autocannon.Result }).aggregateResult(raw, { url: 'http://127.0.0.1' });

/** The figures of one or more autocannon runs: percentiles from their merged latency histograms. */
function summarize(name: string, raw: RawResult[]): Measured {
  const r = aggregate(raw);
  const total = raw.reduce((a, x) => a + x.totalCompletedRequests, 0);
  const seconds = raw.reduce((a, x) => a + x.duration, 0);
  return { name, rps: total / seconds, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total, raw };
}

/** A load run; with `pid`, the CPU the process under test used during it. */
export async function load(name: string, opts: autocannon.Options, pid?: number): Promise<Measured> {
  const t0 = process.hrtime.bigint();
  const cpu0 = pid === undefined ? undefined : [cpuSeconds(pid), cpuSeconds(pid, true)];
  const raw = (await autocannon({ connections: 50, duration: 10, ...opts, skipAggregateResult: true })) as unknown as RawResult;
  const cpu = cpu0 === undefined ? {} : { cpu: cpuSeconds(pid) - cpu0[0]!, mainCpu: cpuSeconds(pid, true) - cpu0[1]! };
  // With BENCH_PROFILE, each run's window on the monotonic clock (µs, the clock of the .cpuprofile
  // timestamps), so a profile can be cut per scenario.
  if (process.env['BENCH_PROFILE']) process.stderr.write(`profile-window ${JSON.stringify(name)} ${t0 / 1000n} ${process.hrtime.bigint() / 1000n}\n`);
  return { ...summarize(name, [raw]), ...cpu };
}

/** Successful requests of a run. */
export const okCount = (m: Measured): number => Math.max(0, m.total - m.non2xx - m.errors);

/** CPU milliseconds of the process under test per successful request (`seconds`: the run's `cpu` or `mainCpu`). */
export const msPerOk = (m: Measured, seconds: number | undefined): number => (seconds === undefined ? Number.NaN : (seconds / Math.max(1, okCount(m))) * 1000);

/** How many rounds the compared runs take turns in (BENCH_ROUNDS): see `inTurns`. */
export const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 5));

/**
 * Compared scenarios in turns: `rounds` rounds, each running every scenario once, in order, so that
 * a machine whose speed drifts during the benchmark (a busy neighbour: this machine kind's ceiling
 * has measured anywhere from 18 000 to 35 000 req/s between runs minutes apart) slows them alike,
 * and their ratios hold. Returns each scenario's runs, in round order (combine them with `combine`).
 */
export async function inTurns<S extends Array<() => Promise<unknown>>>(rounds: number, scenarios: [...S]): Promise<{ [K in keyof S]: Array<Awaited<ReturnType<S[K]>>> }> {
  const out = scenarios.map(() => [] as unknown[]);
  for (let r = 0; r < rounds; r++) for (const [i, scenario] of scenarios.entries()) out[i]!.push(await scenario());
  return out as { [K in keyof S]: Array<Awaited<ReturnType<S[K]>>> };
}

/**
 * A scenario's runs as one: requests per second over them all; requests, errors, non-2xx and CPU
 * summed; p50 and p99 from the runs' merged latency histograms (for runs measured elsewhere, such as
 * the signing floor's, the median of their p50s and the highest of their p99s).
 */
export function combine(name: string, runs: Measured[]): Measured {
  const sum = (f: (m: Measured) => number) => runs.reduce((a, m) => a + f(m), 0);
  const cpu = runs.every((m) => m.cpu !== undefined) ? { cpu: sum((m) => m.cpu!), mainCpu: sum((m) => m.mainCpu ?? Number.NaN) } : {};
  if (runs.every((m) => m.raw !== undefined)) return { ...summarize(name, runs.flatMap((m) => m.raw!)), ...cpu };
  const p50s = runs.map((m) => m.p50).sort((a, b) => a - b);
  return {
    name,
    rps: sum((m) => m.rps) / runs.length,
    p50: p50s[Math.floor(p50s.length / 2)]!,
    p99: Math.max(...runs.map((m) => m.p99)),
    errors: sum((m) => m.errors),
    non2xx: sum((m) => m.non2xx),
    total: sum((m) => m.total),
    ...cpu,
  };
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(head: string[], lines: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)];
}

/** One table row of a measured run; `last` is the table's own last column. */
export function measuredRow(r: Measured, last: string): string[] {
  return [r.name, r.rps.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), String(r.errors), String(r.non2xx), last];
}

export function table(rows: Measured[], ceiling: Measured): string {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'vs ceiling'];
  return formatTable(head, rows.map((r) => measuredRow(r, `${((r.rps / ceiling.rps) * 100).toFixed(1)}%`))).join('\n');
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux): all its threads, or with
 * `mainThread` only the thread that runs its event loop (the one whose id is the process id).
 */
export function cpuSeconds(pid: number | undefined, mainThread = false): number {
  try {
    const stat = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = fs.readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * A POST load whose every request carries a fresh body from `body()` (a distinct recipient, a
 * one-time code that can be spent once): the body is replaced after each response.
 */
export function bodyPerRequest(
  url: string,
  headers: Record<string, string>,
  body: () => string,
  opts: { connections: number; duration: number },
): autocannon.Options {
  return {
    url,
    method: 'POST',
    headers,
    ...opts,
    setupClient: (client: autocannon.Client) => {
      const next = () => client.setBody(body());
      next();
      client.on('response', next);
    },
  };
}

/** How many messages the Twilio-speaking server (bench/twilio-mock-server.ts, started with IPC) has accepted so far. */
export function sentCount(mock: Started): Promise<number> {
  return new Promise<number>((resolve) => {
    mock.child.once('message', (m: { sent: number }) => resolve(m.sent));
    mock.child.send('count');
  });
}

/** Waits (at most 60 s) until the Twilio-speaking server has accepted `expected` messages in all; returns how many it has. */
export async function drained(mock: Started, expected: number): Promise<number> {
  const t = Date.now();
  let sent = await sentCount(mock);
  while (sent < expected && Date.now() - t < 60_000) {
    await new Promise((r) => setTimeout(r, 50));
    sent = await sentCount(mock);
  }
  return sent;
}

/**
 * A load whose every accepted request sends one message through the Twilio-speaking server: the load,
 * then a wait until every accepted request's message has reached it (a send is dispatched after the
 * response), so that no run leaves work in flight for the next one. With `pid`, that process's CPU is
 * counted until the last message arrived: a send's dispatch is in its figure however far it lags
 * behind the answer. Adds `arrived` (messages) and `seconds` (load and wait).
 */
export async function sendingLoad(name: string, opts: autocannon.Options, mock: Started, pid?: number): Promise<Measured & { arrived: number; seconds: number }> {
  const before = await sentCount(mock);
  const t = Date.now();
  const cpu0 = pid === undefined ? undefined : [cpuSeconds(pid), cpuSeconds(pid, true)];
  const m = await load(name, opts);
  const arrived = (await drained(mock, before + okCount(m))) - before;
  const cpu = cpu0 === undefined ? {} : { cpu: cpuSeconds(pid) - cpu0[0]!, mainCpu: cpuSeconds(pid, true) - cpu0[1]! };
  return { ...m, ...cpu, arrived, seconds: (Date.now() - t) / 1000 };
}
