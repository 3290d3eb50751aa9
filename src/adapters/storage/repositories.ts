import type { Kysely } from 'kysely';
import type { Repositories } from '../../domain/repositories.js';
import { actionCacheRepository, actionRepository } from './action-repository.js';
import { clientGrantRepository, clientRepository } from './client-repository.js';
import { connectionRepository } from './connection-repository.js';
import { enrollmentRepository } from './enrollment-repository.js';
import type { DialectFeatures } from './features.js';
import { guardianRepository } from './guardian-repository.js';
import { logRepository, testNumberRepository } from './log-repository.js';
import { loginFailureRepository } from './login-failure-repository.js';
import { notificationRepository } from './notification-repository.js';
import { notificationStatsRepository } from './notification-stats-repository.js';
import { otpRepository } from './otp-repository.js';
import { phoneProviderRepository, phoneTemplateRepository } from './phone-repository.js';
import { recoveryCodeRepository } from './recovery-code-repository.js';
import { refreshTokenRepository } from './refresh-token-repository.js';
import { resourceServerRepository } from './resource-server-repository.js';
import type { Database } from './schema.js';
import { serverSecretRepository } from './server-secret-repository.js';
import { signingKeyRepository } from './signing-key-repository.js';
import { tenantRepository } from './tenant-repository.js';
import { phoneMigrationRepository } from './phone-migration-repository.js';
import { phoneSendPolicyRepository } from './phone-send-policy-repository.js';
import { phoneFraudRepository } from './phone-fraud-repository.js';
import { phoneSpendRepository } from './phone-spend-repository.js';
import { phoneBotCheckRepository } from './phone-bot-check-repository.js';
import { velocityPolicyRepository } from './velocity-policy-repository.js';
import { userRepository } from './user-repository.js';

/** Builds every repository over one Kysely handle (the database, or a transaction). */
export function createRepositories(db: Kysely<Database>, features: DialectFeatures): Repositories {
  return {
    tenants: tenantRepository(db),
    signingKeys: signingKeyRepository(db),
    clients: clientRepository(db),
    clientGrants: clientGrantRepository(db),
    resourceServers: resourceServerRepository(db),
    phoneProviders: phoneProviderRepository(db),
    phoneTemplates: phoneTemplateRepository(db),
    guardian: guardianRepository(db),
    notifications: notificationRepository(db, features),
    notificationStats: notificationStatsRepository(db),
    logs: logRepository(db),
    testNumbers: testNumberRepository(db),
    serverSecrets: serverSecretRepository(db),
    users: userRepository(db),
    connections: connectionRepository(db),
    loginFailures: loginFailureRepository(db),
    otps: otpRepository(db),
    enrollments: enrollmentRepository(db),
    recoveryCodes: recoveryCodeRepository(db),
    refreshTokens: refreshTokenRepository(db),
    actions: actionRepository(db),
    actionCache: actionCacheRepository(db),
    phoneMigrations: phoneMigrationRepository(db),
    phoneSendPolicies: phoneSendPolicyRepository(db),
    phoneFraud: phoneFraudRepository(db),
    phoneSpend: phoneSpendRepository(db),
    phoneBotCheck: phoneBotCheckRepository(db),
    velocityPolicies: velocityPolicyRepository(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(createRepositories(trx, features))),
  };
}
