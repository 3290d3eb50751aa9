import { Worker } from 'node:worker_threads';
import { SignJWT, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';

/** A private key as TokenKeys holds it: the KeyObject for in-process signing, the PEM for a signing thread. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  pem: string;
}

/** Produces compact RS256 JWS tokens with header `{alg: RS256, typ: JWT, kid}`. */
export interface JwsSigner {
  sign(key: SigningKey, payload: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

/** Signs on the calling thread with jose (RSA itself runs on libuv's thread pool through WebCrypto). */
export const joseSigner: JwsSigner = {
  sign: (key, payload) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey),
  close: async () => {},
};

/**
 * The source of a signing thread (CommonJS, kept as text: a compiled function's text may carry
 * helpers of the build that the thread does not have). Messages: `{ kid, pem }` registers a key;
 * `{ id, kid, payload }` answers `{ id, token }` or `{ id, error }`. Compact JWS of RFC 7515 with
 * RS256 (RSASSA-PKCS1-v1_5 with SHA-256), header `{alg, typ, kid}` as jose writes it.
 */
const SIGNING_THREAD = `
const { parentPort } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const keys = new Map();
const b64 = (s) => Buffer.from(s).toString('base64url');
parentPort.on('message', (m) => {
  if (m.pem !== undefined) {
    keys.set(m.kid, { key: createPrivateKey(m.pem), header: b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: m.kid })) });
    return;
  }
  try {
    const k = keys.get(m.kid);
    if (!k) throw new Error('unknown kid ' + m.kid);
    const input = k.header + '.' + b64(JSON.stringify(m.payload));
    parentPort.postMessage({ id: m.id, token: input + '.' + sign('sha256', Buffer.from(input), k.key).toString('base64url') });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message) });
  }
});
`;

interface Thread {
  worker: Worker;
  kids: Set<string>;
}

/**
 * Signs on dedicated threads, so the RSA work and the JWS encoding leave the event loop entirely.
 * Measured on a 2-core machine (docs/performance.md): jose's WebCrypto path costs the event loop about
 * 0.2 ms per token under load (job hand-off to the thread pool and the JS around it), a signing
 * thread about 0.04 ms (one message each way). Requests are spread round-robin; each thread gets a
 * key's PEM once, before its first use. A thread that dies fails its pending tokens and is replaced
 * on the next call. Threads are unref'd: they never keep the process alive.
 */
export class ThreadSigner implements JwsSigner {
  private readonly threads: Array<Thread | undefined>;
  private readonly pending = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void; thread: Thread }>();
  private seq = 0;
  private next = 0;

  constructor(size: number) {
    this.threads = new Array<Thread | undefined>(Math.max(1, size)).fill(undefined);
  }

  private thread(i: number): Thread {
    const existing = this.threads[i];
    if (existing) return existing;
    const worker = new Worker(SIGNING_THREAD, { eval: true });
    worker.unref();
    const t: Thread = { worker, kids: new Set() };
    worker.on('message', (m: { id: number; token?: string; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.token !== undefined) p.resolve(m.token);
      else p.reject(new Error(`signing failed: ${m.error}`));
    });
    const fail = (why: string) => {
      if (this.threads[i] === t) this.threads[i] = undefined;
      for (const [id, p] of this.pending) {
        if (p.thread !== t) continue;
        this.pending.delete(id);
        p.reject(new Error(`signing thread ${why}`));
      }
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => fail(`exited (${code})`));
    this.threads[i] = t;
    return t;
  }

  sign(key: SigningKey, payload: JWTPayload): Promise<string> {
    const i = this.next++ % this.threads.length;
    const t = this.thread(i);
    if (!t.kids.has(key.kid)) {
      t.worker.postMessage({ kid: key.kid, pem: key.pem });
      t.kids.add(key.kid);
    }
    const id = this.seq++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, thread: t });
      t.worker.postMessage({ id, kid: key.kid, payload });
    });
  }

  async close(): Promise<void> {
    const running = this.threads.filter((t): t is Thread => t !== undefined);
    this.threads.fill(undefined);
    await Promise.all(running.map((t) => t.worker.terminate()));
  }
}

/** `SIGNING_THREADS`: 0 signs on the event loop with jose; otherwise that many signing threads. */
export function createJwsSigner(threads: number): JwsSigner {
  return threads > 0 ? new ThreadSigner(threads) : joseSigner;
}
