import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { toE164 } from '../phone-number.js';
import type { TenantRecord } from '../ports.js';
import type { TestNumberRecord, TestNumberRepository } from './ports.js';

/**
 * The tenant's test phone numbers (our extension): numbers whose notifications are rendered and
 * recorded but never reach a provider, optionally with a fixed one-time code.
 */
export class TestNumberService {
  constructor(
    private readonly repo: TestNumberRepository,
    private readonly clock: Clock,
  ) {}

  list(tenant: TenantRecord): Promise<TestNumberRecord[]> {
    return this.repo.list(tenant.id);
  }

  /** Replaces the whole list; every number normalised to E.164, none twice. */
  async replaceAll(tenant: TenantRecord, input: Array<{ number: string; code?: string | null | undefined }>): Promise<TestNumberRecord[]> {
    const seen = new Set<string>();
    const numbers = input.map((n) => {
      const e164 = toE164(n.number);
      if (!e164) throw new AppError('invalid_body', `Payload validation error: invalid phone number ${JSON.stringify(n.number)}`);
      if (seen.has(e164)) throw new AppError('invalid_body', `Payload validation error: ${e164} is listed twice`);
      seen.add(e164);
      return { number: e164, code: n.code ?? null };
    });
    await this.repo.replaceAll(tenant.id, numbers, this.clock.now().toISOString());
    return numbers;
  }
}
