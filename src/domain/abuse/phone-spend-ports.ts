import type { PhoneSpendSettings } from './phone-spend.js';

/** One send's cost against the tenant's totals of its UTC day and month (micro-units). */
export interface SpendCharge {
  day: string;
  month: string;
  cost: number;
  /** Caps in micro-units; null: none. */
  dailyCap: number | null;
  monthlyCap: number | null;
}

export interface PhoneSpendRepository {
  getSettings(tenantId: string): Promise<{ settings: PhoneSpendSettings; updatedAt: string } | undefined>;
  putSettings(tenantId: string, settings: PhoneSpendSettings, updatedAt: string): Promise<void>;
  /**
   * Adds the cost to the day's and the month's totals unless that would pass a cap: then nothing is
   * added and it answers which cap. Charges of one tenant are serialised while a cap is set, so
   * concurrent sends cannot pass a cap together.
   */
  charge(tenantId: string, c: SpendCharge): Promise<'ok' | 'daily' | 'monthly'>;
  /** The totals of these periods (0 for a period with none). */
  totals(tenantId: string, periods: string[]): Promise<Record<string, number>>;
}
