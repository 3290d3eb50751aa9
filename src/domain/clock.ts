/** Time source for the domain; tests may pass a fixed clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** ISO-8601 UTC with milliseconds, the timestamp format of every API response. */
export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
