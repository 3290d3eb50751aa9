/**
 * What a migration to the Unified Phone Experience keeps: the legacy configuration it replaced (sealed
 * as one value, secrets inside in plain text, so the rollback can restore them however the keys have
 * rotated since) and the objects it created, with what they looked like when it finished.
 */
export interface PhoneMigrationRecord {
  planHash: string;
  /** The snapshot (`MigrationSnapshot` as JSON), sealed under PHONE_MIGRATION_SNAPSHOT_PURPOSE. */
  snapshotSealed: string;
  created: CreatedObjects;
  appliedAt: string;
}

/** The objects apply wrote, and their version when it committed (a later change blocks the rollback without force). */
export interface CreatedObjects {
  provider: { id: string; updatedAt: string };
  templates: Array<{ id: string; type: string; version: number }>;
  action: { id: string; updatedAt: string } | null;
}

export interface PhoneMigrationRepository {
  get(tenantId: string): Promise<PhoneMigrationRecord | undefined>;
  /** Resolves false when the tenant has a migration row already. */
  insert(tenantId: string, record: PhoneMigrationRecord): Promise<boolean>;
  delete(tenantId: string): Promise<boolean>;
  listSealed(): Promise<Array<{ tenantId: string; sealed: string }>>;
  /** Compare-and-swap of the sealed snapshot (key rotation); resolves true when written. */
  updateSealed(tenantId: string, from: string, to: string): Promise<boolean>;
}
