import type { Clock } from '../domain/clock.js';
import { abandonedTrace, type Dispatcher, type DispatchLogger } from '../domain/notifications/dispatcher.js';
import type { NotificationRepository } from '../domain/notifications/ports.js';
import { PeriodicTask } from './periodic-task.js';

export interface OutboxWorkerOptions {
  pollMs: number;
  leaseMs: number;
  batchSize: number;
}

/**
 * The background dispatcher: picks up notifications that are due (retries whose time has come,
 * anything left queued by a process that stopped before sending, anything stuck in `sending` after
 * its lease ran out) and sends them. Several processes can run it over one PostgreSQL database:
 * claims are atomic (and skip rows another process is claiming), so each attempt is made once.
 */
export class OutboxWorker {
  private readonly task: PeriodicTask;

  constructor(
    private readonly repo: NotificationRepository,
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock,
    private readonly opts: OutboxWorkerOptions,
    private readonly log: DispatchLogger,
  ) {
    this.task = new PeriodicTask(() => this.pass(), opts.pollMs, (err) => this.log.error({ err }, 'outbox pass failed'));
  }

  start(): void {
    this.task.start();
  }

  /** One pass: claim due notifications and send them; resolves when this pass's sends are done. */
  tick(): Promise<void> {
    return this.task.tick();
  }

  private async pass(): Promise<void> {
    const abandoned = await this.repo.failAbandoned(this.clock.now(), abandonedTrace);
    if (abandoned > 0) this.log.warn({ count: abandoned }, 'notifications failed: their last attempt never finished (the sending process stopped)');
    for (;;) {
      const now = this.clock.now();
      const batch = await this.repo.claimDue(now.toISOString(), new Date(now.getTime() + this.opts.leaseMs).toISOString(), this.opts.batchSize);
      if (batch.length === 0) return;
      await Promise.all(batch.map((n) => this.dispatcher.processClaimed(n.tenantId, n)));
      if (batch.length < this.opts.batchSize) return;
    }
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
