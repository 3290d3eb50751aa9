import type { Clock } from '../clock.js';
import { mergePatch } from './phone-send-policy.js';
import type { PhoneSpendRepository } from './phone-spend-ports.js';
import { CURRENCY, DEFAULT_PRICES, defaultSpendSettings, fromMicro, parseSpendSettings, periodsOf, type PhoneSpendSettings, type Price } from './phone-spend.js';

/** The spend settings as the API shows them, with what was spent this UTC day and month. */
export interface SpendView extends PhoneSpendSettings {
  currency: string;
  /** The shipped prices, for reference (the tenant's `prices` override them). */
  default_prices: Record<string, Price>;
  spent: { day: { period: string; amount: number }; month: { period: string; amount: number } };
  updated_at: string | null;
}

/** Reads and changes a tenant's spend caps and prices (`/api/v2/attack-protection/phone-spend`). */
export class PhoneSpendService {
  constructor(
    private readonly repo: PhoneSpendRepository,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string): Promise<SpendView> {
    const r = await this.repo.getSettings(tenantId);
    return this.view(tenantId, r?.settings ?? defaultSpendSettings(), r?.updatedAt ?? null);
  }

  /** A JSON merge patch (`null` removes a cap or a price override). */
  async update(tenantId: string, patch: unknown): Promise<SpendView> {
    const current = (await this.repo.getSettings(tenantId))?.settings ?? defaultSpendSettings();
    const settings = parseSpendSettings(mergePatch(current, patch));
    const at = this.clock.now().toISOString();
    await this.repo.putSettings(tenantId, settings, at);
    return this.view(tenantId, settings, at);
  }

  private async view(tenantId: string, s: PhoneSpendSettings, updatedAt: string | null): Promise<SpendView> {
    const p = periodsOf(this.clock.now());
    const t = await this.repo.totals(tenantId, [p.day, p.month]);
    return {
      ...s,
      currency: CURRENCY,
      default_prices: { ...DEFAULT_PRICES },
      spent: { day: { period: p.day, amount: fromMicro(t[p.day]!) }, month: { period: p.month, amount: fromMicro(t[p.month]!) } },
      updated_at: updatedAt,
    };
  }
}
