import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { JwsSigner, SigningKey } from '../src/adapters/crypto/jws-signer.js';

/**
 * What one passwordless login signs, as the benchmark reads it off a real login: the access token's
 * and the id_token's claims without iat/exp, their lifetimes, and the key id of the header. The floor
 * (bench/sign-floor.ts) and the login bound (bench/bounds-server.ts) both sign it with `signLogin`.
 */
export interface LoginClaims {
  access: JWTPayload;
  id: JWTPayload;
  accessTtl: number;
  idTtl: number;
  kid: string;
}

/** A 2048-bit RSA key named `kid`, loaded the way TokenKeys loads a tenant's key (PEM, then a KeyObject). */
export function newSigningKey(kid: string): SigningKey {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { kid, pem, privateKey: createPrivateKey(pem) };
}

/** The two tokens of a login, signed at once as TokenIssuer signs them, with fresh iat/exp. */
export function signLogin(signer: JwsSigner, key: SigningKey, claims: LoginClaims): Promise<[string, string]> {
  const iat = Math.floor(Date.now() / 1000);
  return Promise.all([signer.sign(key, { ...claims.access, iat, exp: iat + claims.accessTtl }), signer.sign(key, { ...claims.id, iat, exp: iat + claims.idTtl })]);
}
