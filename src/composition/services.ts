import type { PhoneFraudService } from '../domain/abuse/phone-fraud-service.js';
import type { PhoneSendPolicyService } from '../domain/abuse/phone-send-policy-service.js';
import type { PhoneSpendService } from '../domain/abuse/phone-spend-service.js';
import type { PhoneBotCheckService } from '../domain/abuse/phone-bot-check-service.js';
import type { VelocityPolicyService } from '../domain/abuse/velocity-policy-service.js';
import type { EnrollmentAdmin } from '../domain/auth/enrollment-admin.js';
import type { PhoneMigrationService } from '../domain/migration/migration-service.js';
import type { ClientService } from '../domain/clients/client-service.js';
import type { GuardianService } from '../domain/mfa/guardian-service.js';
import type { ActivityService } from '../domain/notifications/activity.js';
import type { NotificationService } from '../domain/notifications/notification-service.js';
import type { ReceiptService } from '../domain/notifications/receipts.js';
import type { TestNumberService } from '../domain/notifications/test-numbers.js';
import type { TestSends } from '../domain/notifications/test-sends.js';
import type { PhoneProviderService } from '../domain/phone-provider/phone-provider-service.js';
import type { PhoneTemplateService } from '../domain/templates/phone-template-service.js';
import type { ResourceServerService } from '../domain/resource-servers/resource-server-service.js';
import type { TenantService } from '../domain/tenants/tenant-service.js';

/** The domain services of one process, as the composition root builds them. */
export interface Services {
  tenants: TenantService;
  clients: ClientService;
  resourceServers: ResourceServerService;
  phoneProviders: PhoneProviderService;
  templates: PhoneTemplateService;
  guardian: GuardianService;
  notifications: NotificationService;
  receipts: ReceiptService;
  testSends: TestSends;
  testNumbers: TestNumberService;
  activity: ActivityService;
  enrollments: EnrollmentAdmin;
  phoneMigration: PhoneMigrationService;
  phoneSendPolicy: PhoneSendPolicyService;
  phoneFraud: PhoneFraudService;
  phoneSpend: PhoneSpendService;
  velocityPolicy: VelocityPolicyService;
  phoneBotCheck: PhoneBotCheckService;
}
