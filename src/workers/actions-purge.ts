import type { DispatchLogger } from '../domain/notifications/dispatcher.js';
import { PeriodicTask } from './periodic-task.js';

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
  private readonly task: PeriodicTask;

  constructor(actions: Purgeable, log: DispatchLogger, intervalMs = ACTIONS_PURGE_INTERVAL_MS) {
    this.task = new PeriodicTask(
      async () => void (await actions.purge()),
      intervalMs,
      (err) => log.error({ err }, 'actions purge failed'),
    );
  }

  /** Starts the schedule, with one pass at once: a node restarted more often than the interval still purges. */
  start(): void {
    this.task.start(true);
  }

  tick(): Promise<void> {
    return this.task.tick();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
