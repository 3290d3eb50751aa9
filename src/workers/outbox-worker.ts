import type { Clock } from '../domain/clock.js';
import type { Dispatcher, DispatchLogger } from '../domain/notifications/dispatcher.js';
import type { NotificationRepository } from '../domain/notifications/ports.js';

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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly repo: NotificationRepository,
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock,
    private readonly opts: OutboxWorkerOptions,
    private readonly log: DispatchLogger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.pollMs);
    this.timer.unref();
  }

  /** One pass: claim due notifications and send them; resolves when this pass's sends are done. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        for (;;) {
          const now = this.clock.now();
          const batch = await this.repo.claimDue(now.toISOString(), new Date(now.getTime() + this.opts.leaseMs).toISOString(), this.opts.batchSize);
          if (batch.length === 0) break;
          await Promise.all(batch.map((n) => this.dispatcher.processClaimed(n.tenantId, n)));
          if (batch.length < this.opts.batchSize) break;
        }
      } catch (err) {
        this.log.error({ err }, 'outbox pass failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
