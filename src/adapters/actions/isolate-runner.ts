import ivm from 'isolated-vm';
import type { ActionRunner, RunFailureKind, RunRequest, RunResult } from '../../domain/actions/runner.js';
import { MAX_ACTION_CODE_BYTES } from '../../domain/actions/runner.js';
import { bridgeFor, Execution, type SlotState } from './bridge.js';
import type { EgressLimits } from './egress.js';
import { BOOTSTRAP_SOURCE } from './sandbox/bootstrap.js';

export interface RunnerOptions {
  /** Per-tenant isolate heap limit, MB (default 64). */
  memoryLimitMb: number;
  /** Wall-clock limit of one execution, ms (Auth0: 20 s). */
  wallTimeMs: number;
  /** CPU time the tenant's isolate may burn during one execution, ms (concurrent runs of the tenant count together). */
  cpuTimeMs: number;
  /** Contexts kept per action version; each serves one execution at a time. */
  maxContextsPerScript: number;
  /** Action versions whose compiled code and contexts each tenant isolate keeps (least recently used are dropped). */
  maxScriptsPerTenant: number;
  /** Console output kept per execution, characters. */
  maxLogChars: number;
  /** How often the CPU watchdog looks, ms. */
  watchdogIntervalMs: number;
  egress: EgressLimits;
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

interface Slot extends SlotState {
  context: ivm.Context;
  run: ivm.Reference;
}

interface ScriptEntry {
  id: string;
  script: Promise<ivm.Script>;
  idle: Slot[];
  total: number;
  waiters: Array<() => void>;
}

type DeathReason = 'timeout' | 'cpu' | 'oom' | 'closed';

/**
 * An options object for isolated-vm. It reads options with ordinary property lookups, inherited
 * properties included: every options object has no prototype and is frozen, so nothing set on a
 * prototype can add `reference`, `copy`, `promise`... to a call.
 */
function ivmOptions<const T extends object>(o: T): Readonly<T> {
  return Object.freeze(Object.assign(Object.create(null) as T, o));
}

const AS_REFERENCE = ivmOptions({ reference: true });
const RESULT_AS_REFERENCE = ivmOptions({ result: AS_REFERENCE });
const ACTION_ORIGIN = ivmOptions({ filename: 'file:///action.js' });
const RUNTIME_ORIGIN = ivmOptions({ filename: 'file:///unifone-runtime.js' });

/** One tenant's isolate: never shared with another tenant; recreated after a limit disposed it. */
class TenantIsolate {
  readonly isolate: ivm.Isolate;
  readonly scripts = new Map<string, ScriptEntry>();
  readonly active = new Map<Execution, { cpuStart: bigint }>();
  death: { reason: DeathReason; culprit: Execution | undefined } | undefined;
  /** Set while no execution is active but the watchdog still looks (see enter). */
  private idleSince: { cpu: bigint; at: number } | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private bootstrap: Promise<ivm.Script> | undefined;
  private readonly cpuLimited: Readonly<{ timeout: number }>;
  private readonly referenceCpuLimited: Readonly<{ reference: true; timeout: number }>;

  constructor(
    readonly tenantId: string,
    private readonly opts: RunnerOptions,
    private readonly onDeath: (t: TenantIsolate) => void,
  ) {
    this.isolate = new ivm.Isolate(
      ivmOptions({
        memoryLimit: opts.memoryLimitMb,
        onCatastrophicError: (message: string) => opts.logger.error({ tenantId, message }, 'isolated-vm catastrophic error'),
      }),
    );
    this.cpuLimited = ivmOptions({ timeout: opts.cpuTimeMs });
    this.referenceCpuLimited = ivmOptions({ reference: true, timeout: opts.cpuTimeMs });
  }

  get alive(): boolean {
    return !this.death && !this.isolate.isDisposed;
  }

  kill(reason: DeathReason, culprit?: Execution): void {
    if (this.death) return;
    this.death = { reason: this.isolate.isDisposed && reason !== 'closed' ? 'oom' : reason, culprit };
    clearInterval(this.watchdog);
    if (!this.isolate.isDisposed) this.isolate.dispose();
    this.onDeath(this);
  }

  enter(exec: Execution): () => void {
    this.idleSince = undefined;
    this.active.set(exec, { cpuStart: this.isolate.cpuTime });
    const wall = setTimeout(() => this.kill('timeout', exec), this.opts.wallTimeMs);
    this.watchdog ??= setInterval(() => this.checkCpu(), this.opts.watchdogIntervalMs).unref();
    return () => {
      clearTimeout(wall);
      this.active.delete(exec);
      // The watchdog goes on after the last execution: code can still run in the isolate once a run
      // has answered (the callbacks of the requests and timers it left, cancelled by finish()).
      if (this.active.size === 0 && this.alive) this.idleSince = { cpu: this.isolate.cpuTime, at: Date.now() };
    };
  }

  private checkCpu(): void {
    if (this.isolate.isDisposed) return this.kill('oom');
    const now = this.isolate.cpuTime;
    const limit = BigInt(this.opts.cpuTimeMs) * 1_000_000n;
    for (const [exec, { cpuStart }] of this.active) if (now - cpuStart > limit) return this.kill('cpu', exec);
    const idle = this.idleSince;
    if (this.active.size > 0 || !idle) return;
    if (now - idle.cpu > limit) {
      this.opts.logger.warn({ tenantId: this.tenantId }, 'action code kept running after its execution ended: the tenant isolate is disposed');
      return this.kill('cpu');
    }
    // Quiet for a whole wall-clock limit with nothing running: whatever was left has settled.
    if (Date.now() - idle.at > this.opts.wallTimeMs) {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
      this.idleSince = undefined;
    }
  }

  entry(id: string, code: string): ScriptEntry {
    let e = this.scripts.get(id);
    if (e) {
      this.scripts.delete(id); // re-insert: Map order is the LRU order
      this.scripts.set(id, e);
      return e;
    }
    const script = this.isolate.compileScript(wrap(code), ACTION_ORIGIN);
    script.catch(() => this.scripts.delete(id));
    e = { id, script, idle: [], total: 0, waiters: [] };
    this.scripts.set(id, e);
    while (this.scripts.size > this.opts.maxScriptsPerTenant) {
      const [oldId, old] = this.scripts.entries().next().value as [string, ScriptEntry];
      this.scripts.delete(oldId);
      for (const s of old.idle) s.context.release();
    }
    return e;
  }

  /** A context of the script, serving `exec`: idle, new (module loaded), or the next one freed. */
  async acquire(e: ScriptEntry, exec: Execution): Promise<{ slot: Slot } | { failure: { status: string; message?: string; error?: ErrorInfo } }> {
    for (;;) {
      const idle = e.idle.pop();
      if (idle) {
        idle.exec = exec;
        return { slot: idle };
      }
      if (e.total < this.opts.maxContextsPerScript) break;
      await new Promise<void>((resolve) => e.waiters.push(resolve));
    }
    e.total++;
    try {
      const script = await e.script;
      const context = await this.isolate.createContext();
      const state: SlotState = { exec };
      const boot = await (this.bootstrap ??= this.isolate.compileScript(BOOTSTRAP_SOURCE, RUNTIME_ORIGIN));
      const init = (await boot.run(context, AS_REFERENCE)) as ivm.Reference;
      const entry = (await init.apply(undefined, bridgeFor(state, this.opts.wallTimeMs), RESULT_AS_REFERENCE)) as ivm.Reference;
      const [load, run] = await Promise.all([entry.get('load', AS_REFERENCE), entry.get('run', AS_REFERENCE)]);
      const wrapper = (await script.run(context, this.referenceCpuLimited)) as ivm.Reference;
      const loaded = JSON.parse(String(await (load as ivm.Reference).apply(undefined, [wrapper.derefInto()], this.cpuLimited))) as {
        status: string;
        message?: string;
        error?: ErrorInfo;
      };
      const slot: Slot = Object.assign(state, { context, run: run as ivm.Reference });
      if (loaded.status !== 'ok') {
        this.release(e, slot, true);
        return { failure: loaded };
      }
      return { slot };
    } catch (err) {
      e.total--;
      e.waiters.shift()?.();
      throw err;
    }
  }

  release(e: ScriptEntry, slot: Slot, discard: boolean): void {
    slot.exec = undefined;
    if (discard || !this.alive || this.scripts.get(e.id) !== e) {
      e.total--;
      if (!this.isolate.isDisposed) slot.context.release();
    } else e.idle.push(slot);
    e.waiters.shift()?.();
  }
}

interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
  denied: boolean;
}

/** CommonJS-style wrapper; the first line of the action stays line 1 in stack traces. */
const wrap = (code: string) => `(function (exports, require, module, __filename, __dirname) {${code}\n})`;

/**
 * Runs actions in V8 isolates (isolated-vm): one isolate per tenant, a context per concurrent
 * execution of an action version, compiled code cached per version. Limits end in values, never in
 * exceptions: a host watchdog disposes the tenant's isolate at the wall-clock deadline or when its CPU
 * time passes the limit (isolated-vm's own `timeout` only covers synchronous code, not code after an
 * `await`), and V8 disposes it at the memory limit. A disposed isolate is recreated on the next run.
 */
export class IsolateActionRunner implements ActionRunner {
  private readonly tenants = new Map<string, TenantIsolate>();
  private checker: ivm.Isolate | undefined;
  private readonly runCall: Readonly<{ result: Readonly<{ promise: true }>; timeout: number }>;

  constructor(private readonly opts: RunnerOptions) {
    this.runCall = ivmOptions({ result: ivmOptions({ promise: true }), timeout: opts.cpuTimeMs });
  }

  private tenant(id: string): TenantIsolate {
    let t = this.tenants.get(id);
    if (!t || !t.alive) {
      t = new TenantIsolate(id, this.opts, (dead) => {
        if (this.tenants.get(id) === dead) this.tenants.delete(id);
      });
      this.tenants.set(id, t);
    }
    return t;
  }

  async check(code: string) {
    if (Buffer.byteLength(code, 'utf8') > MAX_ACTION_CODE_BYTES) return { ok: false as const, kind: 'invalid' as const, message: 'the code exceeds 100 kB' };
    this.checker ??= new ivm.Isolate(ivmOptions({ memoryLimit: 32 }));
    try {
      (await this.checker.compileScript(wrap(code), ACTION_ORIGIN)).release();
      return { ok: true as const };
    } catch (e) {
      return { ok: false as const, kind: 'invalid' as const, message: String((e as Error).message ?? e) };
    }
  }

  async run(req: RunRequest): Promise<RunResult> {
    const exec = new Execution(req.tenantId, req.executionId, req.api.cache, this.opts.maxLogChars, this.opts.egress, (host, reason) =>
      this.opts.logger.warn({ tenantId: req.tenantId, executionId: req.executionId, host }, `action egress denied: ${reason}`),
    );
    const t = this.tenant(req.tenantId);
    const leave = t.enter(exec);
    let held: { e: ScriptEntry; slot: Slot } | undefined;
    try {
      const e = t.entry(req.script.id, req.script.code);
      const got = await t.acquire(e, exec);
      if ('failure' in got) return this.failed(got.failure, exec);
      held = { e, slot: got.slot };
      const flags = JSON.stringify({ notification: req.api.notification, logChars: this.opts.maxLogChars });
      const out = await got.slot.run.apply(undefined, [req.handler, JSON.stringify(req.event), flags], this.runCall);
      const r = JSON.parse(String(out)) as { status: string; returned?: unknown; notification?: unknown; message?: string; error?: ErrorInfo };
      const notification = commandOf(r.notification);
      if (r.status === 'ok') return { ok: true, value: { returned: r.returned, ...(notification ? { notification } : {}) }, logs: exec.text() };
      return { ...this.failed(r, exec), ...(notification ? { notification } : {}) };
    } catch (err) {
      return this.crashed(t, exec, err);
    } finally {
      exec.finish();
      leave();
      if (held) t.release(held.e, held.slot, false);
    }
  }

  private failed(r: { status: string; message?: string; error?: ErrorInfo }, exec: Execution): RunResult {
    if (r.status === 'invalid') return { ok: false, kind: 'invalid', message: r.message ?? 'invalid action', logs: exec.text() };
    const e = r.error ?? { name: 'Error', message: 'unknown error', stack: '', denied: false };
    // isolated-vm refuses ArrayBuffer memory past the limit with a RangeError instead of disposing.
    const oom = e.name === 'RangeError' && /allocation failed/i.test(e.message);
    const kind: RunFailureKind = e.denied ? 'denied' : oom ? 'oom' : 'runtime';
    return { ok: false, kind, message: `${e.name}: ${e.message}`.slice(0, 4000), logs: exec.text() };
  }

  private crashed(t: TenantIsolate, exec: Execution, err: unknown): RunResult {
    const msg = String((err as Error)?.message ?? err);
    if (!t.death && (t.isolate.isDisposed || /memory limit/i.test(msg))) t.kill('oom', exec);
    const logs = exec.text();
    if (t.death) {
      const own = t.death.culprit === exec || t.death.culprit === undefined;
      const why: Record<DeathReason, [RunFailureKind, string]> = {
        timeout: ['timeout', `the execution exceeded its ${this.opts.wallTimeMs} ms wall-clock limit`],
        cpu: ['timeout', `the execution exceeded its ${this.opts.cpuTimeMs} ms CPU-time limit`],
        oom: ['oom', `the action exceeded its ${this.opts.memoryLimitMb} MB memory limit`],
        closed: ['timeout', 'the action runner was shut down'],
      };
      const [kind, message] = why[t.death.reason];
      return { ok: false, kind, message: own ? message : `another execution of this tenant ended its isolate (${message})`, logs };
    }
    if (/timed out/i.test(msg)) return { ok: false, kind: 'timeout', message: `the execution exceeded its ${this.opts.cpuTimeMs} ms CPU-time limit`, logs };
    if (err instanceof SyntaxError || (err as Error)?.name === 'SyntaxError') return { ok: false, kind: 'invalid', message: msg, logs };
    return { ok: false, kind: 'runtime', message: msg, logs };
  }

  async close(): Promise<void> {
    for (const t of [...this.tenants.values()]) t.kill('closed');
    this.tenants.clear();
    if (this.checker && !this.checker.isDisposed) this.checker.dispose();
  }
}

function commandOf(v: unknown): { action: 'drop' | 'retry'; reason: string } | undefined {
  const n = v as { action?: unknown; reason?: unknown } | undefined;
  if (!n || (n.action !== 'drop' && n.action !== 'retry')) return undefined;
  return { action: n.action, reason: String(n.reason ?? '').slice(0, 1024) };
}
