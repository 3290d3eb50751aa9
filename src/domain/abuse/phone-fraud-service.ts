import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { mergePatch } from './phone-send-policy.js';
import type { PhoneFraudRepository, QuarantineRecord, SafePrefixRecord } from './phone-fraud-ports.js';
import { isActive } from './phone-fraud-guard.js';
import { defaultFraudSettings, parseFraudSettings, parsePrefix, type FraudGuardMode, type PhoneFraudSettings } from './phone-fraud-settings.js';

/** The settings as the API shows them. */
export interface FraudSettingsView extends PhoneFraudSettings {
  updated_at: string | null;
}

/** A quarantine as the API shows it. */
export interface QuarantineView {
  id: string;
  prefix: string;
  country: string;
  mode: string;
  rule: string;
  evidence: Record<string, unknown>;
  blocked_sends: number;
  created_at: string;
  until: string;
  released_at: string | null;
  active: boolean;
}

export interface SafePrefixView {
  prefix: string;
  note: string;
  created_at: string;
}

const MAX_SAFE_PREFIXES = 1000;

/**
 * The fraud guard's operator side (`/api/v2/attack-protection/phone-fraud-guard`, `unifone fraud-guard`):
 * its settings, the quarantines (list, read, release) and the safe list; and the link back from a
 * verified code to its send (`verified`), which the rules read as conversion.
 */
export class PhoneFraudService {
  constructor(
    private readonly repo: PhoneFraudRepository,
    private readonly clock: Clock,
    private readonly defaultMode: FraudGuardMode = 'enforce',
  ) {}

  async getSettings(tenantId: string): Promise<FraudSettingsView> {
    const r = await this.repo.getSettings(tenantId);
    return r ? { ...r.settings, updated_at: r.updatedAt } : { ...defaultFraudSettings(this.defaultMode), updated_at: null };
  }

  /** A JSON merge patch over the current settings (`null` puts a part back to its default). */
  async updateSettings(tenantId: string, patch: unknown): Promise<FraudSettingsView> {
    const current = (await this.repo.getSettings(tenantId))?.settings ?? defaultFraudSettings(this.defaultMode);
    const settings = parseFraudSettings(mergePatch(current, patch), this.defaultMode);
    const at = this.clock.now().toISOString();
    await this.repo.putSettings(tenantId, settings, at);
    return { ...settings, updated_at: at };
  }

  /** A code was verified (once): its send counts as converted, if the guard counted it. */
  async verified(tenantId: string, code: { createdAt: string; fraud?: { prefix: string; country: string } }): Promise<void> {
    if (code.fraud) await this.repo.markVerified(tenantId, { ...code.fraud, sentAt: code.createdAt });
  }

  async listQuarantines(tenantId: string, o: { active?: boolean; prefix?: string; page: number; perPage: number }) {
    const now = this.clock.now();
    const prefix = o.prefix === undefined ? undefined : this.prefix(o.prefix);
    const page = await this.repo.listQuarantines(tenantId, { ...(o.active ? { activeAt: now.toISOString() } : {}), ...(prefix ? { prefix } : {}), page: o.page, perPage: o.perPage });
    return { quarantines: page.quarantines.map((q) => view(q, now)), total: page.total };
  }

  async getQuarantine(tenantId: string, id: string): Promise<QuarantineView> {
    const q = await this.repo.getQuarantine(tenantId, id);
    if (!q) throw new AppError('not_found', 'The quarantine does not exist');
    return view(q, this.clock.now());
  }

  /** Ends an active quarantine now; the prefix's windows start afresh. 404 when it is not active. */
  async release(tenantId: string, id: string): Promise<void> {
    if (!(await this.repo.release(tenantId, id, this.clock.now().toISOString()))) throw new AppError('not_found', 'The quarantine does not exist or is no longer active');
  }

  async listSafe(tenantId: string): Promise<SafePrefixView[]> {
    return (await this.repo.listSafe(tenantId)).map(safeView);
  }

  /** Safe-lists a prefix (any length: `+44` vouches for every UK number) and ends its active quarantines. */
  async addSafe(tenantId: string, input: { prefix: string; note?: string }): Promise<SafePrefixView> {
    const prefix = this.prefix(input.prefix);
    const list = await this.repo.listSafe(tenantId);
    if (list.length >= MAX_SAFE_PREFIXES && !list.some((s) => s.prefix === prefix)) throw new AppError('invalid_body', `Payload validation error: at most ${MAX_SAFE_PREFIXES} safe prefixes`);
    const now = this.clock.now().toISOString();
    const record: SafePrefixRecord = { prefix, note: input.note ?? '', createdAt: list.find((s) => s.prefix === prefix)?.createdAt ?? now };
    await this.repo.putSafe(tenantId, record);
    await this.repo.releaseUnder(tenantId, prefix, now);
    return safeView(record);
  }

  async removeSafe(tenantId: string, prefix: string): Promise<void> {
    if (!(await this.repo.deleteSafe(tenantId, this.prefix(prefix)))) throw new AppError('not_found', 'The prefix is not on the safe list');
  }

  private prefix(v: string): string {
    const p = parsePrefix(v);
    if (!p) throw new AppError('invalid_body', `Payload validation error: invalid prefix ${JSON.stringify(v)}; use + and 1 to 15 digits (+4479111)`);
    return p;
  }
}

function view(q: QuarantineRecord, now: Date): QuarantineView {
  return {
    id: q.id,
    prefix: q.prefix,
    country: q.country,
    mode: q.mode,
    rule: q.rule,
    evidence: q.evidence,
    blocked_sends: q.blockedSends,
    created_at: q.createdAt,
    until: q.until,
    released_at: q.releasedAt,
    active: isActive(q, now),
  };
}

const safeView = (s: SafePrefixRecord): SafePrefixView => ({ prefix: s.prefix, note: s.note, created_at: s.createdAt });
