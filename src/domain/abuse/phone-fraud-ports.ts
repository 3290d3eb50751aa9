import type { CountryTraffic, PrefixTraffic } from './phone-fraud-rules.js';
import type { FraudGuardMode, PhoneFraudSettings } from './phone-fraud-settings.js';

/** One code sent through a provider, as the fraud guard records it (`createdAt`: the code's, so the send's minute is the code's). */
export interface FraudSendRecord {
  id: string;
  otpId: string;
  prefix: string;
  country: string;
  recipient: string;
  createdAt: string;
}

/** A verified code whose send the fraud guard counted: where it went, and when the code was issued (the send's minute). */
export interface FraudConversion {
  prefix: string;
  country: string;
  sentAt: string;
}

/** A quarantine of a prefix: active while `releasedAt` is null and `until` is ahead. */
export interface QuarantineRecord {
  id: string;
  prefix: string;
  country: string;
  /** The guard's mode when the rule fired (`monitor`: recorded only). */
  mode: Exclude<FraudGuardMode, 'off'>;
  rule: string;
  evidence: Record<string, unknown>;
  /** Sends refused (or, in monitor mode, that would have been) while it was active. */
  blockedSends: number;
  createdAt: string;
  until: string;
  releasedAt: string | null;
}

export interface SafePrefixRecord {
  prefix: string;
  note: string;
  createdAt: string;
}

/** The boundaries of the windows the guard reads, ISO timestamps. */
export interface TrafficWindows {
  burstSince: string;
  hourSince: string;
  windowSince: string;
  settledBefore: string;
  baselineSince: string;
  baselineUntil: string;
}

export interface QuarantinePage {
  quarantines: QuarantineRecord[];
  total: number;
}

export interface PhoneFraudRepository {
  getSettings(tenantId: string): Promise<{ settings: PhoneFraudSettings; updatedAt: string } | undefined>;
  putSettings(tenantId: string, settings: PhoneFraudSettings, updatedAt: string): Promise<void>;

  /**
   * Records a code sent, and counts it in its minute: a send, and a new number unless the same
   * recipient had a send at or after `repeatSince` (the burst window before it; absent: new).
   */
  /**
   * Records the send, counts it in its minute, and marks the code's row with the send's prefix and
   * country (what its verification is later counted from).
   */
  recordSend(tenantId: string, send: FraudSendRecord, repeatSince?: string): Promise<void>;
  /**
   * Counts a verified code's send as converted, in the send's minute. Called once per code: only the
   * caller whose consumption of the code succeeded calls it.
   */
  markVerified(tenantId: string, conversion: FraudConversion): Promise<void>;
  /**
   * The prefix's burst window and last hour, summed over their minutes (a window starts at the
   * minute its boundary falls in). Read on every send.
   */
  recentTraffic(tenantId: string, prefix: string, w: TrafficWindows): Promise<Pick<PrefixTraffic, 'burst' | 'hour'>>;
  /** The prefix's settled conversion window and its baseline, summed over their minutes (minutes before `settledBefore`'s). */
  settledTraffic(tenantId: string, prefix: string, w: TrafficWindows): Promise<Pick<PrefixTraffic, 'settled' | 'baselineSends'>>;
  countryTraffic(tenantId: string, country: string, since: string, settledBefore: string): Promise<CountryTraffic>;
  /** Deletes sends and minutes older than `before` (all tenants); returns how many sends. */
  pruneSends(before: string): Promise<number>;

  /** The newest quarantine of a prefix (active or not). */
  latestQuarantine(tenantId: string, prefix: string): Promise<QuarantineRecord | undefined>;
  /**
   * Inserts `q` unless the prefix has an active quarantine at `now` (two sends that judge the same
   * burst at once create one); returns the quarantine that is active after the call.
   */
  quarantine(tenantId: string, q: QuarantineRecord, now: string): Promise<QuarantineRecord>;
  countBlocked(tenantId: string, id: string): Promise<void>;
  getQuarantine(tenantId: string, id: string): Promise<QuarantineRecord | undefined>;
  listQuarantines(tenantId: string, o: { activeAt?: string; prefix?: string; page: number; perPage: number }): Promise<QuarantinePage>;
  /** Ends an active quarantine; false when it is not active (or not the tenant's). */
  release(tenantId: string, id: string, now: string): Promise<boolean>;
  /** Ends every active quarantine of the prefixes starting with `prefix`. */
  releaseUnder(tenantId: string, prefix: string, now: string): Promise<number>;

  listSafe(tenantId: string): Promise<SafePrefixRecord[]>;
  /** Adds or updates (its note) a safe prefix. */
  putSafe(tenantId: string, r: SafePrefixRecord): Promise<void>;
  deleteSafe(tenantId: string, prefix: string): Promise<boolean>;
}
