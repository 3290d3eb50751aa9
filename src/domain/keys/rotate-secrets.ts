import type { ActionRepository } from '../actions/ports.js';
import type { Sealer } from '../ports.js';
import type { Repositories } from '../repositories.js';
// The purposes come from the one catalogue the sealing services use too, so rotation cannot open a
// value with other additional data than it was sealed with.
import {
  ACTION_SECRET_PURPOSE,
  CLIENT_SECRET_PURPOSE,
  DERIVATION_ROOT_PURPOSE,
  GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE,
  LEGACY_SMS_GATEWAY_SECRET_PURPOSE,
  LEGACY_SMS_TWILIO_TOKEN_PURPOSE,
  PHONE_BOT_CHECK_SECRET_PURPOSE,
  PHONE_MIGRATION_SNAPSHOT_PURPOSE,
  PHONE_PROVIDER_CREDENTIALS_PURPOSE,
} from '../purposes.js';
import { DERIVATION_ROOT } from './derivation-root.js';

/** Re-seals a tenant's token signing keys (the adapter that owns them knows their purpose and cache). */
export interface SigningKeyResealer {
  reseal(tenantId: string): Promise<number>;
}

export interface KindReport {
  /** Values found. */
  total: number;
  /** Values re-sealed by this run (the rest already carried the primary key). */
  resealed: number;
  /** Values changed by someone else between read and write; left as they are (run again to be sure). */
  skipped: number;
}

export interface RotationReport {
  signingKeys: KindReport;
  clientSecrets: KindReport;
  phoneProviderCredentials: KindReport;
  guardianTwilioAuthTokens: KindReport;
  /** The legacy secrets of `sms` connections (`twilio_token`, `gateway_authentication.secret`), sealed in their options. */
  connectionSecrets: KindReport;
  /** Action secrets: each action's draft and each deployed version carry their own sealed blob. */
  actionSecrets: KindReport;
  /** Server-wide values: the derivation root of the hashing keys (re-sealed, never changed). */
  serverSecrets: KindReport;
  /** The legacy configuration each migrated tenant keeps for its rollback. */
  phoneMigrationSnapshots: KindReport;
  /** The CAPTCHA vendors' secret keys of the tenants' bot checks. */
  phoneBotCheckSecrets: KindReport;
}

/** A stored value cannot be opened with the configured keys (typically: the old key was dropped too early). */
export class RotationError extends Error {}

interface Item {
  kind: Exclude<keyof RotationReport, 'signingKeys'>;
  what: string;
  sealed: string;
  purpose: string;
  write(to: string): Promise<boolean>;
}

const empty = (): KindReport => ({ total: 0, resealed: 0, skipped: 0 });

/**
 * Re-seals every stored secret with the sealer's primary key. Idempotent: values that already carry
 * the primary key are left alone, so a second run changes nothing.
 *
 * Every value that needs re-sealing is opened before anything is written, so a value that no
 * configured key can open aborts the run with nothing changed (signing keys aside: their adapter
 * re-seals them tenant by tenant, and a rerun finishes the job). Writes are compare-and-swap, so a
 * secret replaced through the API while this runs is never overwritten with a stale one.
 */
export async function rotateSecrets(
  repos: Repositories,
  sealer: Sealer,
  signingKeys: SigningKeyResealer,
  actions?: Pick<ActionRepository, 'listSealed' | 'updateSealed'>,
): Promise<RotationReport> {
  const report: RotationReport = {
    signingKeys: empty(),
    clientSecrets: empty(),
    phoneProviderCredentials: empty(),
    guardianTwilioAuthTokens: empty(),
    connectionSecrets: empty(),
    actionSecrets: empty(),
    serverSecrets: empty(),
    phoneMigrationSnapshots: empty(),
    phoneBotCheckSecrets: empty(),
  };

  const items: Item[] = [
    ...(await repos.clients.listSealed()).map(
      (r): Item => ({
        kind: 'clientSecrets',
        what: `client secret of ${r.clientId} (tenant ${r.tenantId})`,
        sealed: r.secretSealed,
        purpose: CLIENT_SECRET_PURPOSE,
        write: (to) => repos.clients.updateSealed(r.tenantId, r.clientId, r.secretSealed, to),
      }),
    ),
    ...(await repos.phoneProviders.listSealed()).map(
      (r): Item => ({
        kind: 'phoneProviderCredentials',
        what: `phone provider credentials ${r.id} (tenant ${r.tenantId})`,
        sealed: r.credentialsSealed,
        purpose: PHONE_PROVIDER_CREDENTIALS_PURPOSE,
        write: (to) => repos.phoneProviders.updateSealed(r.tenantId, r.id, r.credentialsSealed, to),
      }),
    ),
    ...(await repos.guardian.listSealed()).map(
      (r): Item => ({
        kind: 'guardianTwilioAuthTokens',
        what: `Guardian Twilio auth token (tenant ${r.tenantId})`,
        sealed: r.sealed,
        purpose: GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE,
        write: (to) => repos.guardian.updateSealed(r.tenantId, r.sealed, to),
      }),
    ),
    ...(await repos.connections.listSealed()).map(
      (r): Item => ({
        kind: 'connectionSecrets',
        what: `${r.key === 'twilio_token_sealed' ? 'Twilio auth token' : 'SMS gateway secret'} of connection ${r.id} (tenant ${r.tenantId})`,
        sealed: r.sealed,
        purpose: r.key === 'twilio_token_sealed' ? LEGACY_SMS_TWILIO_TOKEN_PURPOSE : LEGACY_SMS_GATEWAY_SECRET_PURPOSE,
        write: (to) => repos.connections.updateSealed(r.tenantId, r.id, r.key, r.sealed, to),
      }),
    ),
    ...(actions ? await actions.listSealed() : []).map(
      (r): Item => ({
        kind: 'actionSecrets',
        what: `secrets of action ${r.table === 'action' ? '' : 'version '}${r.id} (tenant ${r.tenantId})`,
        sealed: r.sealed,
        purpose: ACTION_SECRET_PURPOSE,
        write: (to) => actions!.updateSealed(r.tenantId, r.table, r.id, r.sealed, to),
      }),
    ),
    ...(await repos.phoneMigrations.listSealed()).map(
      (r): Item => ({
        kind: 'phoneMigrationSnapshots',
        what: `phone migration snapshot (tenant ${r.tenantId})`,
        sealed: r.sealed,
        purpose: PHONE_MIGRATION_SNAPSHOT_PURPOSE,
        write: (to) => repos.phoneMigrations.updateSealed(r.tenantId, r.sealed, to),
      }),
    ),
    ...(await repos.phoneBotCheck.listSealed()).map(
      (r): Item => ({
        kind: 'phoneBotCheckSecrets',
        what: `bot check secret (tenant ${r.tenantId})`,
        sealed: r.sealed,
        purpose: PHONE_BOT_CHECK_SECRET_PURPOSE,
        write: (to) => repos.phoneBotCheck.updateSealed(r.tenantId, r.sealed, to),
      }),
    ),
    ...(await repos.serverSecrets.listSealed()).map(
      (r): Item => ({
        kind: 'serverSecrets',
        what: `server secret ${r.name}`,
        sealed: r.sealed,
        purpose: r.name === DERIVATION_ROOT ? DERIVATION_ROOT_PURPOSE : r.name,
        write: (to) => repos.serverSecrets.updateSealed(r.name, r.sealed, to),
      }),
    ),
  ];
  for (const item of items) report[item.kind].total++;

  // Phase 1: open everything that needs it; fail before the first write.
  const pending = items
    .filter((i) => sealer.needsRotation(i.sealed))
    .map((i) => {
      try {
        return { item: i, plaintext: sealer.open(i.sealed, i.purpose) };
      } catch (e) {
        throw new RotationError(`cannot open the ${i.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });

  // Phase 2: signing keys (their adapter opens and writes them), then the rest.
  for (const tenant of await repos.tenants.list()) {
    report.signingKeys.total += (await repos.signingKeys.list(tenant.id)).length;
    try {
      report.signingKeys.resealed += await signingKeys.reseal(tenant.id);
    } catch (e) {
      throw new RotationError(`cannot re-seal the signing keys of tenant ${tenant.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const { item, plaintext } of pending) {
    const written = await item.write(sealer.seal(plaintext, item.purpose));
    report[item.kind][written ? 'resealed' : 'skipped']++;
  }
  return report;
}
