import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytesPooled } from '../../domain/ids.js';

/**
 * Authenticated encryption of secrets at rest (AES-256-GCM).
 *
 * A sealed value is `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url parts). `kid` names the key that
 * sealed it, so several keys can be loaded at once: the first encrypts, every one decrypts. Rotation
 * is: put the new key first, keep the old one after it, run `unifone keys rotate` (re-seals every
 * stored secret with the first key), then drop the old key.
 *
 * `purpose` is bound as additional authenticated data: a value sealed for one purpose (say a provider's
 * auth token) cannot be opened as another (say a signing key), even by someone who can move rows.
 */
export interface SecretBox {
  seal(plaintext: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
  /** True when `sealed` was made with a key other than the current primary one. */
  needsRotation(sealed: string): boolean;
  /**
   * The primary key, sealed for `purpose`: the seed of the derivation root (domain/keys/derivation-root.ts),
   * made once per installation so that the keys derived from it outlive a rotation of the secret key.
   */
  sealPrimaryKey(purpose: string): string;
  readonly primaryKid: string;
}

export class SecretBoxError extends Error {}

function kidOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Accepts 64 hex characters or base64/base64url of exactly 32 bytes. */
export function decodeKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new SecretBoxError('a secret key must be 32 bytes (64 hex characters or base64)');
  return key;
}

export function createSecretBox(keys: readonly Buffer[]): SecretBox {
  if (keys.length === 0) throw new SecretBoxError('at least one secret key is required');
  const byKid = new Map(keys.map((k) => [kidOf(k), k] as const));
  const primary = keys[0]!;
  const primaryKid = kidOf(primary);

  const seal = (plaintext: string, purpose: string): string => {
    const iv = randomBytesPooled(12);
    const cipher = createCipheriv('aes-256-gcm', primary, iv);
    cipher.setAAD(Buffer.from(purpose));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', primaryKid, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  };

  return {
    primaryKid,
    seal,
    open(sealed, purpose) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretBoxError('not a sealed value');
      const key = byKid.get(parts[1]!);
      if (!key) throw new SecretBoxError(`sealed with an unknown key (${parts[1]}); is the old key still configured?`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2]!, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(parts[4]!, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('sealed value failed authentication');
      }
    },
    needsRotation(sealed) {
      return sealed.split('.')[1] !== primaryKid;
    },
    sealPrimaryKey(purpose) {
      return seal(primary.toString('hex'), purpose);
    },
  };
}

/**
 * The keys from configuration or, when none is configured, one generated into `dataDir/secret.key`
 * (mode 0600) on first start and read from there afterwards.
 */
export function loadSecretKeys(configured: readonly string[], dataDir: string): { keys: Buffer[]; generated: boolean } {
  if (configured.length > 0) return { keys: configured.map(decodeKey), generated: false };
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) return { keys: [decodeKey(fs.readFileSync(file, 'utf8'))], generated: false };
  // The folder also holds the embedded database: the owner's alone (storage/db.ts tightens an older one).
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { keys: [key], generated: true };
}
