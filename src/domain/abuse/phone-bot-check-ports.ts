import type { PhoneBotCheckSettings } from './phone-bot-check.js';

/** A tenant's stored bot check: the settings, and the provider's secret key, sealed. */
export interface PhoneBotCheckRecord {
  settings: PhoneBotCheckSettings;
  secretSealed: string | null;
  updatedAt: string;
}

export interface PhoneBotCheckRepository {
  /** Read on every `/passwordless/start` and phone signup: served through the read cache. */
  get(tenantId: string): Promise<PhoneBotCheckRecord | undefined>;
  put(tenantId: string, record: PhoneBotCheckRecord): Promise<void>;
  /** Every stored secret (key rotation). */
  listSealed(): Promise<Array<{ tenantId: string; sealed: string }>>;
  /** Replaces a sealed secret if it is still `from` (compare-and-swap); false when it changed meanwhile. */
  updateSealed(tenantId: string, from: string, to: string): Promise<boolean>;
}

/** One verification, as every vendor's `siteverify` takes it (a form POST). */
export interface SiteverifyRequest {
  url: string;
  secret: string;
  response: string;
  remoteip: string | undefined;
}

/**
 * The verifier's answer: `answered` when it said yes or no (its `success` and `error-codes`), or
 * `unavailable` when it could not be asked (timeout, network error, a status other than 200, a body
 * that is not its JSON). Never throws.
 */
export type SiteverifyResult =
  | {
      kind: 'answered';
      success: boolean;
      errorCodes: string[];
      hostname: string | undefined;
      /** reCAPTCHA v3 (and hCaptcha Enterprise): how likely a person solved it, 0.0 to 1.0. */
      score?: number | undefined;
      /** The action name the widget was run with (reCAPTCHA v3, Turnstile). */
      action?: string | undefined;
    }
  | { kind: 'unavailable'; detail: string };

export interface SiteVerifier {
  /** Why this server would not call `url` (not https, an address it does not call), or undefined. */
  urlProblem(url: URL): string | undefined;
  verify(r: SiteverifyRequest): Promise<SiteverifyResult>;
}
