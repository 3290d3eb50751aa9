import { AppError } from '../errors.js';
import type { TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import type { AttemptRecord, LogFilter, LogRecord, NotificationEventRecord, NotificationRecord } from './ports.js';

/** A notification with everything that happened to it. */
export interface NotificationTimeline {
  notification: NotificationRecord;
  attempts: AttemptRecord[];
  events: NotificationEventRecord[];
}

/** What a tenant can read of its activity: the tenant log and each notification's timeline. */
export class ActivityService {
  constructor(private readonly repos: Pick<Repositories, 'logs' | 'notifications'>) {}

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
