import { createPublicKey, generateKeyPairSync, type KeyObject, createPrivateKey } from 'node:crypto';
import { jwtVerify, exportJWK, decodeProtectedHeader, type JWTPayload, calculateJwkThumbprint } from 'jose';
import type { Clock } from '../../domain/clock.js';
import type { SigningKeyRecord, SigningKeyRepository, TokenKeys } from '../../domain/ports.js';
import { joseSigner, type JwsSigner } from './jws-signer.js';
import type { SecretBox } from './secret-box.js';
import { SIGNING_KEY_PURPOSE } from '../../domain/purposes.js';

interface LoadedKey {
  kid: string;
  /** The sealed private key it was opened from: a reload reuses keys whose sealed text is unchanged. */
  sealed: string;
  status: SigningKeyRecord['status'];
  privateKey: KeyObject;
  pem: string;
  publicKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

/**
 * Per-tenant RS256 keys: creation (private key sealed at rest), signing, verification and the JWKS.
 * Decrypted keys are cached per tenant in memory; an unknown `kid` reloads from storage, so a key
 * created by another node is picked up without a restart.
 */
export class RsaTokenKeys implements TokenKeys {
  private readonly cache = new Map<string, LoadedKey[]>();
  /** When each tenant's keys were last re-read for an unknown kid (ms): at most one re-read per REFRESH_MS. */
  private readonly refreshedAt = new Map<string, number>();
  private static readonly REFRESH_MS = 5_000;
  /**
   * Tokens whose signature was already checked, by tenant and exact token text. A client reuses its
   * token for many calls; checking the signature once saves an RSA verification (and a thread-pool
   * round trip) per request. Expiry, issuer, audience and the key's presence are checked every time.
   */
  private readonly verified = new Map<string, { payload: JWTPayload; kid: string }>();
  private static readonly VERIFIED_MAX = 10_000;

  constructor(
    private readonly repo: SigningKeyRepository,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly signer: JwsSigner = joseSigner,
  ) {}

  /** Creates a new current RS256 key for the tenant (the first one at tenant creation). */
  async createKey(tenantId: string): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await this.repo.insert(tenantId, {
      kid,
      alg: 'RS256',
      privateKeySealed: this.box.seal(pem, SIGNING_KEY_PURPOSE),
      publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' },
      status: 'current',
      createdAt: this.clock.now().toISOString(),
    });
    this.cache.delete(tenantId);
    return kid;
  }

  private async load(tenantId: string, refresh = false): Promise<LoadedKey[]> {
    const cached = this.cache.get(tenantId);
    if (cached && !refresh) return cached;
    const rows = await this.repo.list(tenantId);
    const known = new Map((cached ?? []).map((k) => [k.sealed, k]));
    const keys = rows.map((r) => {
      const same = known.get(r.privateKeySealed);
      if (same && same.kid === r.kid) return { ...same, status: r.status };
      const pem = this.box.open(r.privateKeySealed, SIGNING_KEY_PURPOSE);
      const privateKey = createPrivateKey(pem);
      return { kid: r.kid, sealed: r.privateKeySealed, status: r.status, privateKey, pem, publicKey: createPublicKey(privateKey), publicJwk: r.publicJwk };
    });
    this.cache.set(tenantId, keys);
    return keys;
  }

  async jwks(tenantId: string): Promise<{ keys: Record<string, unknown>[] }> {
    const keys = await this.load(tenantId);
    return { keys: keys.map((k) => k.publicJwk) };
  }

  /** Signs `claims` with the tenant's current key; `ttlSeconds` sets `exp`. */
  async sign(tenantId: string, claims: JWTPayload, ttlSeconds: number): Promise<string> {
    const keys = await this.load(tenantId);
    const key = keys.find((k) => k.status === 'current') ?? keys[0];
    if (!key) throw new Error(`tenant ${tenantId} has no signing key`);
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return this.signer.sign(key, { ...claims, iat: now, exp: now + ttlSeconds });
  }

  /**
   * Verifies a token against the tenant's keys. Resolves to the payload, or undefined for any failure
   * (bad signature, another tenant's key, expired, wrong issuer or audience, malformed).
   */
  async verify(tenantId: string, token: string, expect: { issuers: string[]; audiences: string[] }): Promise<JWTPayload | undefined> {
    const cacheKey = `${tenantId}\0${token}`;
    const hit = this.verified.get(cacheKey);
    if (hit) {
      const now = Math.floor(this.clock.now().getTime() / 1000);
      const p = hit.payload;
      const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
      const keyStillThere = this.cache.get(tenantId)?.some((k) => k.kid === hit.kid) ?? false;
      if (keyStillThere && typeof p.exp === 'number' && p.exp > now && expect.issuers.includes(String(p.iss)) && aud.some((a) => a !== undefined && expect.audiences.includes(a))) {
        return p;
      }
      this.verified.delete(cacheKey);
    }
    const payload = await this.verifySignature(tenantId, token, expect);
    if (payload) {
      if (this.verified.size >= RsaTokenKeys.VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(cacheKey, { payload, kid: decodeProtectedHeader(token).kid! });
    }
    return payload;
  }

  private async verifySignature(tenantId: string, token: string, expect: { issuers: string[]; audiences: string[] }): Promise<JWTPayload | undefined> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'RS256') return undefined;
      kid = header.kid;
    } catch {
      return undefined;
    }
    let keys = await this.load(tenantId);
    if (!keys.some((k) => k.kid === kid)) {
      // A key made by another process since this one loaded them — or a made-up kid: anyone can send
      // one, so the re-read (a query and the keys' decryption) happens at most once per REFRESH_MS.
      const now = Date.now();
      if (now - (this.refreshedAt.get(tenantId) ?? 0) < RsaTokenKeys.REFRESH_MS) return undefined;
      this.refreshedAt.set(tenantId, now);
      keys = await this.load(tenantId, true);
    }
    const key = keys.find((k) => k.kid === kid);
    if (!key) return undefined;
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: ['RS256'],
        issuer: expect.issuers,
        audience: expect.audiences,
        currentDate: this.clock.now(),
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  /** Re-seals every private key of the tenant with the secret box's primary key. */
  async reseal(tenantId: string): Promise<number> {
    let n = 0;
    for (const r of await this.repo.list(tenantId)) {
      if (!this.box.needsRotation(r.privateKeySealed)) continue;
      await this.repo.updateSealed(tenantId, r.kid, this.box.seal(this.box.open(r.privateKeySealed, SIGNING_KEY_PURPOSE), SIGNING_KEY_PURPOSE));
      n++;
    }
    this.cache.delete(tenantId);
    this.verified.clear();
    return n;
  }
}
