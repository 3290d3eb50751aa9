import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { operatorStorage } from '../adapters/storage/operator-repository.js';
import type { Clock } from '../domain/clock.js';
import { OperatorService } from '../domain/operators/operator-service.js';
import { TenantAccess } from '../domain/operators/tenant-access.js';
import type { TokenKeys } from '../domain/ports.js';
import type { Repositories } from '../domain/repositories.js';
import type { TenantService } from '../domain/tenants/tenant-service.js';
import type { DashboardRouteDeps } from '../http/dashboard/index.js';

export interface DashboardModule {
  operators: OperatorService;
  tenantAccess: TenantAccess;
  http: DashboardRouteDeps;
}

/**
 * The built single-page app: `dist/dashboard` of the package (Vite writes it there in `npm run build`),
 * found from this file whether it runs from `src/` (tsx) or from `dist/`.
 */
export function dashboardAssetsDir(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'dashboard');
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Operators, their sessions and the tenants they manage: the dashboard's services over the same storage. */
export function createDashboardModule<DB>(p: { db: Kysely<DB>; repos: Repositories; clock: Clock; tenants: TenantService; tokenKeys: TokenKeys }): DashboardModule {
  const store = operatorStorage(p.db);
  const operators = new OperatorService(store.operators, store.sessions, store.attempts, p.clock);
  const tenantAccess = new TenantAccess(p.repos.tenants, p.tenants, p.tokenKeys);
  return { operators, tenantAccess, http: { operators, tenantAccess, staticDir: dashboardAssetsDir() } };
}
