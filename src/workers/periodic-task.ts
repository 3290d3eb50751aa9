/**
 * A task run every `intervalMs` in the background: a pass still running when the next is due is
 * joined, not doubled; the timer is unref'd (it never keeps the process alive); `stop()` waits for
 * the pass in progress. Errors are reported to `onError` and never stop the schedule.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(runNow = false): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    if (runNow) void this.tick();
  }

  /** One pass now (or the one already running). */
  tick(): Promise<void> {
    this.running ??= this.run()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
