import { AppError } from '../errors.js';

/**
 * A tenant's velocity limits: how many sends each key may make in a window, and how the wait grows
 * for a key that keeps going over (`velocity-guard.ts`, `/api/v2/attack-protection/phone-velocity-limits`,
 * docs/abuse.md "Velocity limits"). The shape is the API's (snake_case), stored as one JSON value.
 */

/** What a rule counts by. */
export const VELOCITY_KEYS = ['recipient', 'user', 'ip', 'client', 'tenant', 'prefix', 'country'] as const;
export type VelocityKey = (typeof VELOCITY_KEYS)[number];

/** `enforce`: over the limit is denied; `monitor`: it is sent and recorded; `off`: not counted. */
export const VELOCITY_MODES = ['enforce', 'monitor', 'off'] as const;
export type VelocityMode = (typeof VELOCITY_MODES)[number];

export interface VelocityRule {
  mode: VelocityMode;
  /** Sends allowed per window. */
  limit: number;
  window_seconds: number;
}

/** Auth0's phone provider protection `type`: `exponential` makes each new breach of a rule wait twice as long. */
export const BACKOFF_TYPES = ['exponential', 'none'] as const;
export type BackoffType = (typeof BACKOFF_TYPES)[number];

export interface VelocityPolicy {
  backoff: {
    type: BackoffType;
    /** The longest block a breach can earn. */
    max_seconds: number;
  };
  rules: Record<VelocityKey, VelocityRule>;
}

/** How long the breaches of a key are remembered (the exponent's memory), from the first one. */
export const BREACH_MEMORY_SECONDS = 86_400;
export const MAX_WINDOW_SECONDS = 7 * 86_400;
export const MAX_LIMIT = 1_000_000;

const HOUR = 3600;
const rule = (limit: number): VelocityRule => ({ mode: 'enforce', limit, window_seconds: HOUR });

/**
 * The defaults (docs/abuse.md explains each): far above what a legitimate flow sends (a handful of
 * codes per number per hour), low enough that an attack stops at the first key it saturates.
 */
export function defaultVelocityPolicy(): VelocityPolicy {
  return {
    backoff: { type: 'exponential', max_seconds: 86_400 },
    rules: {
      recipient: rule(30),
      user: rule(30),
      ip: rule(300),
      client: rule(3_000),
      tenant: rule(10_000),
      prefix: rule(500),
      country: rule(5_000),
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string) => new AppError('invalid_body', `Payload validation error: ${message}`);

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`${where} must be an integer from ${min} to ${max}`);
  return v;
}

function oneOf<T extends string>(v: unknown, where: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw bad(`${where} must be one of ${values.join(', ')}`);
  return v as T;
}

function only(o: Record<string, unknown>, where: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw bad(`Additional properties not allowed: ${k}${where ? ` in ${where}` : ''}`);
}

/** Validates a whole policy; what it leaves out is its default. Throws 400 `invalid_body` naming the part. */
export function parseVelocityPolicy(input: unknown): VelocityPolicy {
  const d = defaultVelocityPolicy();
  if (!isObject(input)) throw bad('the velocity policy must be an object');
  only(input, '', ['backoff', 'rules']);
  const b = input['backoff'] ?? {};
  if (!isObject(b)) throw bad('backoff must be an object');
  only(b, 'backoff', ['type', 'max_seconds']);
  const backoff = {
    type: b['type'] === undefined ? d.backoff.type : oneOf(b['type'], 'backoff.type', BACKOFF_TYPES),
    max_seconds: b['max_seconds'] === undefined ? d.backoff.max_seconds : int(b['max_seconds'], 'backoff.max_seconds', 1, BREACH_MEMORY_SECONDS),
  };
  const r = input['rules'] ?? {};
  if (!isObject(r)) throw bad('rules must be an object');
  only(r, 'rules', VELOCITY_KEYS);
  const rules = { ...d.rules };
  for (const key of VELOCITY_KEYS) {
    const v = r[key];
    if (v === undefined) continue;
    if (!isObject(v)) throw bad(`rules.${key} must be an object`);
    only(v, `rules.${key}`, ['mode', 'limit', 'window_seconds']);
    rules[key] = {
      mode: v['mode'] === undefined ? d.rules[key].mode : oneOf(v['mode'], `rules.${key}.mode`, VELOCITY_MODES),
      limit: v['limit'] === undefined ? d.rules[key].limit : int(v['limit'], `rules.${key}.limit`, 1, MAX_LIMIT),
      window_seconds: v['window_seconds'] === undefined ? d.rules[key].window_seconds : int(v['window_seconds'], `rules.${key}.window_seconds`, 1, MAX_WINDOW_SECONDS),
    };
  }
  return { backoff, rules };
}
