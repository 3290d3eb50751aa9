import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { RsaTokenKeys } from '../adapters/crypto/token-keys.js';
import type { Repositories } from '../domain/repositories.js';
import type { AppDeps } from '../http/app.js';
import type { ActionsModule } from './actions-module.js';
import type { IdentityModule } from './identity-module.js';
import type { AuthDeps } from '../domain/auth/flows/common.js';
import type { Services } from './services.js';

interface Parts {
  config: Config;
  logger: Logger;
  services: Services;
  repos: Repositories;
  tokenKeys: RsaTokenKeys;
  metrics: Registry;
  actions: ActionsModule;
  identity: IdentityModule;
  auth: AuthDeps;
}

/** The HTTP layer's dependencies: each route group gets the services it calls, nothing else. */
export function httpDeps(p: Parts): AppDeps {
  const { services: s, identity, auth } = p;
  return {
    logger: p.logger,
    bodyLimit: p.config.bodyLimit,
    tls: p.config.tls,
    context: { tenants: s.tenants, tokenKeys: p.tokenKeys },
    management: {
      clients: s.clients,
      resourceServers: s.resourceServers,
      connections: identity.directory.connections,
      phoneProviders: s.phoneProviders,
      templates: s.templates,
      guardian: s.guardian,
      tenants: s.tenants,
      testSends: s.testSends,
      testNumbers: s.testNumbers,
      activity: s.activity,
      directory: identity.directory,
      tokens: auth.tokens,
      enrollments: s.enrollments,
      actions: { service: p.actions.service },
      phoneMigration: s.phoneMigration,
      phoneSendPolicy: s.phoneSendPolicy,
      phoneFraud: s.phoneFraud,
      phoneSpend: s.phoneSpend,
      velocityPolicy: s.velocityPolicy,
      phoneBotCheck: s.phoneBotCheck,
    },
    authentication: { auth, tenants: s.tenants, resourceServers: s.resourceServers, tokenKeys: p.tokenKeys, accessTokenTtl: p.config.accessTokenTtl, bodyLimit: p.config.bodyLimit },
    receipts: { receipts: s.receipts, publicUrl: p.config.publicUrl },
    metrics: p.metrics,
    metricsToken: p.config.metricsToken,
    trustProxy: p.config.trustProxy,
  };
}
