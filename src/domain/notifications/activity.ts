import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import type { AttemptRecord, LogFilter, LogRecord, NotificationEventRecord, NotificationRecord } from './ports.js';
import { deliveryRate, statsWindow, type PhoneStats } from './stats.js';

/** How many error codes the stats name. */
const TOP_ERRORS = 5;

/** A notification with everything that happened to it. */
export interface NotificationTimeline {
  notification: NotificationRecord;
  attempts: AttemptRecord[];
  events: NotificationEventRecord[];
}

/** What a tenant can read of its activity: the tenant log and each notification's timeline. */
export class ActivityService {
  constructor(
    private readonly repos: Pick<Repositories, 'logs' | 'notifications' | 'notificationStats'>,
    private readonly clock: Clock,
  ) {}

  /** Sends, deliveries and failures per hour and delivery method, the delivery rate and the top errors over a window. */
  async stats(tenant: TenantRecord, window: { from?: string | undefined; to?: string | undefined }): Promise<PhoneStats> {
    const { from, to } = statsWindow(this.clock.now(), window.from, window.to);
    const s = this.repos.notificationStats;
    const [hours, counts, topErrors] = await Promise.all([s.hourly(tenant.id, from, to), s.statusCounts(tenant.id, from, to), s.topErrors(tenant.id, from, to, TOP_ERRORS)]);
    const sends = Object.values(counts).reduce((a, b) => a + b, 0);
    return { from, to, hours, totals: { ...counts, sends }, deliveryRate: deliveryRate(counts), topErrors };
  }

  /** Newest first unless `ascending`. */
  listLogs(tenant: TenantRecord, filter: LogFilter, page: { offset: number; limit: number; ascending: boolean }): Promise<{ items: LogRecord[]; total: number }> {
    return this.repos.logs.list(tenant.id, filter, page);
  }

  async getLog(tenant: TenantRecord, logId: string): Promise<LogRecord> {
    const log = await this.repos.logs.get(tenant.id, logId);
    if (!log) throw new AppError('inexistent_log');
    return log;
  }

  async timeline(tenant: TenantRecord, notificationId: string): Promise<NotificationTimeline> {
    const notification = await this.repos.notifications.get(tenant.id, notificationId);
    if (!notification) throw new AppError('inexistent_notification');
    const [attempts, events] = await Promise.all([this.repos.notifications.attempts(tenant.id, notificationId), this.repos.notifications.events(tenant.id, notificationId)]);
    return { notification, attempts, events };
  }
}
