import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createPrometheusMetrics } from '../adapters/metrics/prometheus.js';
import { createProviderRegistry } from '../adapters/providers/registry.js';
import type { Config } from '../config.js';
import { PhoneFraudGuard } from '../domain/abuse/phone-fraud-guard.js';
import { PhoneSendPolicyGuard } from '../domain/abuse/phone-send-policy-guard.js';
import { PhoneSpendGuard } from '../domain/abuse/phone-spend-guard.js';
import type { RateCounters } from '../domain/abuse/rate-counters.js';
import { VelocityGuard } from '../domain/abuse/velocity-guard.js';
import { OtpSendLimitGuard } from '../domain/auth/send-limit-guard.js';
import type { Clock } from '../domain/clock.js';
import { Dispatcher } from '../domain/notifications/dispatcher.js';
import type { PipelineMetrics } from '../domain/notifications/metrics.js';
import { NotificationService } from '../domain/notifications/notification-service.js';
import { SendPolicy, type DecisionObserver, type SendGuard } from '../domain/notifications/send-policy.js';
import type { ProviderRegistry } from '../domain/phone-provider/provider-registry.js';
import type { Sealer } from '../domain/ports.js';
import type { Repositories } from '../domain/repositories.js';
import { OutboxWorker } from '../workers/outbox-worker.js';
import type { ActionsModule } from './actions-module.js';

export interface DeliveryModuleOptions {
  config: Config;
  logger: Logger;
  repos: Repositories;
  sealer: Sealer;
  clock: Clock;
  actions: ActionsModule;
  /** The counters every process shares (velocity limits). */
  counters: RateCounters;
  /** Guards after the built-in ones (tests). */
  extraGuards: SendGuard[];
  /** Send right after enqueue; false leaves everything to the outbox worker (tests). */
  dispatchInline: boolean;
}

/** The delivery pipeline: provider kinds, the send policy, the outbox, its dispatcher and metrics. */
export interface DeliveryModule {
  kinds: ProviderRegistry;
  sendPolicy: SendPolicy;
  notifications: NotificationService;
  dispatcher: Dispatcher;
  outbox: OutboxWorker;
  metrics: Registry;
  pipeline: PipelineMetrics;
  /** Counts decisions (`unifone_send_policy_decisions_total`): the guards', and the bot check's, which runs before them. */
  decisions: DecisionObserver;
}

/** Wires the delivery pipeline; the send policy's guards are listed here, in the order they decide. */
export function createDeliveryModule(o: DeliveryModuleOptions): DeliveryModule {
  const { repos, clock, config, logger } = o;
  const { registry, pipeline, decisions } = createPrometheusMetrics(() => repos.notifications.queueDepth());
  const kinds = createProviderRegistry({ config, actions: o.actions });
  const policy = config.delivery;
  const dispatcher = new Dispatcher(repos, o.sealer, clock, kinds, policy, pipeline, logger, o.actions.sendPhoneMessage);
  const outbox = new OutboxWorker(repos.notifications, dispatcher, clock, { pollMs: policy.pollMs, leaseMs: policy.leaseMs, batchSize: 50 }, logger);
  // The tenant's destination rules first: they read only the cached policy, and a send they deny must
  // not issue a code (which would replace the user's previous one) nor use the user's send budget.
  // The velocity limits next, for the same reason: a send they refuse issues no code. The fraud guard
  // after the send limit: it records only codes that are issued and sent. The spend cap last: a send
  // any other guard refuses costs nothing.
  const velocity = new VelocityGuard(repos.velocityPolicies, o.counters, clock, (err, tenantId) =>
    logger.warn({ tenantId, err: err.message }, 'velocity limits: the counter store failed; the send was allowed'),
  );
  const guards: SendGuard[] = [
    new PhoneSendPolicyGuard(repos.phoneSendPolicies),
    velocity,
    new OtpSendLimitGuard(repos.otps, clock),
    new PhoneFraudGuard(repos.phoneFraud, clock, config.fraudGuardDefaultMode),
    new PhoneSpendGuard(repos.phoneSpend, clock),
    ...o.extraGuards,
  ];
  const sendPolicy = new SendPolicy(guards, repos.logs, clock, pipeline, decisions);
  const notifications = new NotificationService(repos, o.sealer, clock, dispatcher, policy, sendPolicy, { dispatchInline: o.dispatchInline });
  return { kinds, sendPolicy, notifications, dispatcher, outbox, metrics: registry, pipeline, decisions };
}
