import type { PhoneSendPolicyRepository } from './abuse/ports.js';
import type { PhoneFraudRepository } from './abuse/phone-fraud-ports.js';
import type { PhoneSpendRepository } from './abuse/phone-spend-ports.js';
import type { PhoneBotCheckRepository } from './abuse/phone-bot-check-ports.js';
import type { VelocityPolicyRepository } from './abuse/velocity-ports.js';
import type { ActionCacheRepository, ActionRepository } from './actions/ports.js';
import type { EnrollmentRepository, RecoveryCodeRepository, RefreshTokenRepository } from './auth/mfa-ports.js';
import type { ConnectionRepository, LoginFailureRepository, OtpRepository, UserRepository } from './auth/ports.js';
import type { PhoneMigrationRepository } from './migration/ports.js';
import type { LogRepository, NotificationRepository, TestNumberRepository } from './notifications/ports.js';
import type { NotificationStatsRepository } from './notifications/stats.js';
import type {
  ClientGrantRepository,
  ClientRepository,
  GuardianRepository,
  PhoneProviderRepository,
  PhoneTemplateRepository,
  ResourceServerRepository,
  ServerSecretRepository,
  SigningKeyRepository,
  TenantRepository,
} from './ports.js';

/**
 * Everything the domain persists, as one object the composition root builds over one database
 * handle. `transaction` hands the same bag bound to one transaction, so a unit of work can span any
 * of them (identity, authentication, notifications, actions). This file only gathers the port files;
 * none of them imports it back.
 */
export interface Repositories {
  tenants: TenantRepository;
  signingKeys: SigningKeyRepository;
  clients: ClientRepository;
  clientGrants: ClientGrantRepository;
  resourceServers: ResourceServerRepository;
  phoneProviders: PhoneProviderRepository;
  phoneTemplates: PhoneTemplateRepository;
  guardian: GuardianRepository;
  notifications: NotificationRepository;
  notificationStats: NotificationStatsRepository;
  logs: LogRepository;
  testNumbers: TestNumberRepository;
  serverSecrets: ServerSecretRepository;
  users: UserRepository;
  connections: ConnectionRepository;
  loginFailures: LoginFailureRepository;
  otps: OtpRepository;
  enrollments: EnrollmentRepository;
  recoveryCodes: RecoveryCodeRepository;
  refreshTokens: RefreshTokenRepository;
  actions: ActionRepository;
  actionCache: ActionCacheRepository;
  phoneMigrations: PhoneMigrationRepository;
  phoneSendPolicies: PhoneSendPolicyRepository;
  phoneFraud: PhoneFraudRepository;
  phoneSpend: PhoneSpendRepository;
  phoneBotCheck: PhoneBotCheckRepository;
  velocityPolicies: VelocityPolicyRepository;
  /** Runs `fn` in one transaction; the repositories passed to it write inside that transaction. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}
