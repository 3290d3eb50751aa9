import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts a TypeScript entry in its own Node process and waits for its `listening on URL` line. */
export function startProcess(entry: string, env: Record<string, string>, ipc = false): Promise<Started> {
  // BENCH_PROFILE=dir writes a CPU profile of the server under test into dir (when it exits on SIGTERM).
  const profile = process.env['BENCH_PROFILE'] && entry === 'src/main.ts' ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
  const child = spawn(process.execPath, ['--no-node-snapshot', ...profile, '--import', 'tsx', entry], {
    cwd: ROOT,
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
}

export async function load(name: string, opts: autocannon.Options): Promise<Measured> {
  const t0 = process.hrtime.bigint();
  const r = await autocannon({ connections: 50, duration: 10, ...opts });
  // With BENCH_PROFILE, each run's window on the monotonic clock (µs, the clock of the .cpuprofile
  // timestamps), so a profile can be cut per scenario.
  if (process.env['BENCH_PROFILE']) process.stderr.write(`profile-window ${JSON.stringify(name)} ${t0 / 1000n} ${process.hrtime.bigint() / 1000n}\n`);
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
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
