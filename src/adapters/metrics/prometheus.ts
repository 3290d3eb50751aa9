import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration } from 'prom-client';
import type { PipelineMetrics } from '../../domain/notifications/metrics.js';
import type { DecisionObserver } from '../../domain/notifications/send-policy.js';

/**
 * A counter counted on every send: its increments are kept per series in a map and added to the
 * counter when it is collected (at a scrape), so that prom-client validates and hashes the labels
 * once per series and scrape instead of once per event.
 */
function tallied<L extends string>(config: CounterConfiguration<L> & { labelNames: readonly [L, L, L, L] }): (a: string, b: string, c: string, d: string) => void {
  // Nested by label value, in the order of labelNames: no key string to build per count.
  type Level = Map<string, Level | number>;
  const pending: Level = new Map();
  const labelNames = config.labelNames;
  new Counter<L>({
    ...config,
    collect() {
      const walk = (level: Level, values: string[]) => {
        for (const [value, next] of level) {
          const all = [...values, value];
          if (typeof next === 'number') this.inc(Object.fromEntries(labelNames.map((l, i) => [l, all[i]])) as Record<L, string>, next);
          else walk(next, all);
        }
      };
      walk(pending, []);
      pending.clear();
    },
  });
  const child = (level: Level, value: string): Level => {
    let next = level.get(value) as Level | undefined;
    if (!next) level.set(value, (next = new Map()));
    return next;
  };
  return (a, b, c, d) => {
    const last = child(child(child(pending, a), b), c);
    last.set(d, ((last.get(d) as number | undefined) ?? 0) + 1);
  };
}

/** The process's Prometheus registry and the delivery pipeline's metrics in it. */
export function createPrometheusMetrics(queueDepth: () => Promise<number>): { registry: Registry; pipeline: PipelineMetrics; decisions: DecisionObserver } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'unifone_process_' });
  const notifications = tallied({
    name: 'unifone_notifications_total',
    help: 'Notifications that reached a status after an attempt or a receipt, by tenant, type, provider and status',
    labelNames: ['tenant', 'type', 'provider', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'unifone_provider_latency_seconds',
    help: 'Time of one provider attempt (request to the provider, or the custom action run)',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'unifone_notification_retries_total',
    help: 'Attempts that failed and were scheduled again',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const denied = new Counter({
    name: 'unifone_phone_sends_denied_total',
    help: 'Sends refused by a guard of the send policy, by guard and reason (spend caps: guard phone_spend_cap)',
    labelNames: ['guard', 'reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'unifone_notification_queue_depth',
    help: 'Notifications queued or being sent, all tenants (read from the database at scrape time)',
    registers: [registry],
    async collect() {
      this.set(await queueDepth());
    },
  });
  const decisions = tallied({
    name: 'unifone_send_policy_decisions_total',
    help: 'Decisions of the send policy guards, by tenant, guard, verdict and reason (a plain allow has reason "none")',
    labelNames: ['tenant', 'guard', 'verdict', 'reason'] as const,
    registers: [registry],
  });
  return {
    registry,
    decisions: (tenant, guard, verdict, reason) => decisions(tenant, guard, verdict, reason ?? 'none'),
    pipeline: {
      attempt: (provider, seconds, outcome) => latency.observe({ provider, outcome }, seconds),
      status: (tenant, type, provider, status) => notifications(tenant, type, provider, status),
      retry: (provider) => retries.inc({ provider }),
      denied: (guard, reason) => denied.inc({ guard, reason }),
    },
  };
}
