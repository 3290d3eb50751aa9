import type { z } from 'zod';

/**
 * A provider kind's own settings: the environment variables it reads (a zod shape, validated with
 * the rest of the configuration by `config.ts`) and the configuration keys they become. By
 * convention both carry the kind's name (`{KIND}_TIMEOUT_MS` → `{kind}TimeoutMs`), so config.ts
 * itself names no kind.
 */
export interface ProviderSettingsSection<T extends object = object> {
  /** The environment variables, as zod schemas (with their defaults). */
  readonly env: z.ZodRawShape;
  /** The configuration keys, from the parsed variables. */
  read(env: Readonly<Record<string, unknown>>): T;
  /**
   * The longest a send may take, and the variable that sets it: a dispatcher lease shorter than twice
   * the slowest provider would let another dispatcher take a slow send over and send it twice.
   */
  readonly timeout?: { variable: string; ms(settings: T): number };
}

/** Declares a section, typing `read` by the shape's parsed values. */
export function defineProviderSettings<S extends z.ZodRawShape, T extends object>(
  env: S,
  read: (e: z.infer<z.ZodObject<S>>) => T,
  timeout?: { variable: Extract<keyof S, string>; ms(settings: T): number },
): ProviderSettingsSection<T> {
  return { env, read: read as (e: Readonly<Record<string, unknown>>) => T, ...(timeout ? { timeout } : {}) };
}
