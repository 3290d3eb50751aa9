import { z } from 'zod';
import { defineProviderSettings } from '../provider-settings.js';

/** The Twilio kind's configuration keys (part of `Config`). */
export interface TwilioSettings {
  /** `https://api.twilio.com`, or a local server that speaks Twilio's wire format (tests, benchmarks). */
  twilioApiBaseUrl: string;
  /** How long one REST call may take, ms. */
  twilioTimeoutMs: number;
}

/** `TWILIO_API_BASE_URL`, `TWILIO_TIMEOUT_MS`. */
export const twilioSettings = defineProviderSettings(
  {
    TWILIO_API_BASE_URL: z.string().url().default('https://api.twilio.com'),
    TWILIO_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  },
  (e): TwilioSettings => ({ twilioApiBaseUrl: e.TWILIO_API_BASE_URL.replace(/\/+$/, ''), twilioTimeoutMs: e.TWILIO_TIMEOUT_MS }),
  { variable: 'TWILIO_TIMEOUT_MS', ms: (s) => s.twilioTimeoutMs },
);
