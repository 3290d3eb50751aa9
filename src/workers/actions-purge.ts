import type { DispatchLogger } from '../domain/notifications/dispatcher.js';

export interface Purgeable {
  purge(): Promise<{ executions: number; cacheEntries: number }>;
}

/** Once an hour by default: executions are kept 10 days and cache entries live at most 24 h. */
export const ACTIONS_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Removes old action executions and expired `api.cache` entries in the background (every node may
 * run it: the deletes are idempotent). The timer is unref'd, so it never keeps the process alive.
 */
export class ActionsPurgeWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly actions: Purgeable,
    private readonly log: DispatchLogger,
    private readonly intervalMs = ACTIONS_PURGE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    // Once at start too: a node restarted more often than the interval still purges.
    void this.tick();
  }

  /** One pass; a pass already running is joined, not doubled. */
  tick(): Promise<void> {
    this.running ??= this.actions
      .purge()
      .then(
        () => undefined,
        (err: unknown) => this.log.error({ err }, 'actions purge failed'),
      )
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
