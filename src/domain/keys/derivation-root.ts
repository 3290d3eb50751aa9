import { createHash } from 'node:crypto';
import type { Sealer, ServerSecretRepository } from '../ports.js';
import { DERIVATION_ROOT_PURPOSE } from '../purposes.js';

export const DERIVATION_ROOT = 'derivation_root';

/** A 32-byte key for one use, derived from the root (domain-separated by `label`). */
export function deriveKey(root: Buffer, label: string): Buffer {
  return createHash('sha256').update('unifone-derive\0').update(label).update('\0').update(root).digest();
}

/**
 * The root of the keys that hash one-time codes, recovery codes and refresh tokens. Those hashes
 * cannot be re-computed, so their keys must not change when the secret key is rotated: the root is
 * fixed once per installation (the primary secret key of its first start, so installations that
 * derived from that key before keep their hashes), stored sealed in the database, and only
 * re-sealed by `keys rotate`. Every node reads the same root; the first to start writes it.
 */
export async function loadDerivationRoot(repo: ServerSecretRepository, box: Sealer & { sealPrimaryKey(purpose: string): string }): Promise<Buffer> {
  let sealed = await repo.get(DERIVATION_ROOT);
  if (sealed === undefined) {
    await repo.insertIfAbsent(DERIVATION_ROOT, box.sealPrimaryKey(DERIVATION_ROOT_PURPOSE));
    sealed = (await repo.get(DERIVATION_ROOT))!;
  }
  try {
    return Buffer.from(box.open(sealed, DERIVATION_ROOT_PURPOSE), 'hex');
  } catch (e) {
    // At start: a server (or CLI) without the key that sealed the root stops here, saying why (the
    // error keeps its class, which the CLI reports as one line).
    if (e instanceof Error) e.message = `cannot open the derivation root: ${e.message}`;
    throw e;
  }
}
