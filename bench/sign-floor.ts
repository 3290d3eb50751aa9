import os from 'node:os';
import { ThreadSigner, joseSigner, type JwsSigner } from '../src/adapters/crypto/jws-signer.js';
import { newSigningKey, signLogin, type LoginClaims } from './login-tokens.js';

/**
 * The floor of the passwordless login, in its own process: a loop that only signs what unifone signs
 * for one login — an access token and an id_token, both at once as TokenIssuer signs them, RS256 with
 * a 2048-bit key loaded the way TokenKeys loads it, the same header (alg, typ, kid) and the claims
 * of a real login's tokens with fresh iat/exp — with FLOOR_CONCURRENCY logins in flight (the
 * benchmark's connection count) for FLOOR_DURATION s.
 *
 * Both ways unifone can sign are measured, each given the whole machine: jose on the event loop (RSA
 * on libuv's thread pool, `SIGNING_THREADS=0`) and unifone's signing threads, one per CPU. The faster
 * is the floor. FLOOR_VARIANT (`jose` or `threads`) measures only that one; FLOOR_WARMUP (s, default 2)
 * is each variant's unmeasured warm-up. Prints one JSON line: { variants: [{ key, name, logins,
 * seconds, p50, p99, cpu }] } (cpu: seconds of this process, all threads, during the measured run).
 */
const duration = Number(process.env['FLOOR_DURATION'] ?? 10);
const warmup = Number(process.env['FLOOR_WARMUP'] ?? 2);
const only = process.env['FLOOR_VARIANT'];
const concurrency = Number(process.env['FLOOR_CONCURRENCY'] ?? 50);
const claims = JSON.parse(process.env['FLOOR_CLAIMS']!) as LoginClaims;
const key = newSigningKey(claims.kid);

async function run(signer: JwsSigner, seconds: number): Promise<{ logins: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await signLogin(signer, key, claims);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { logins: latencies.length, seconds: (performance.now() - t0) / 1000, latencies };
}

const variants: Array<[string, string, () => JwsSigner]> = [
  ['jose', 'jose', () => joseSigner],
  ['threads', `${os.availableParallelism()} signing threads`, () => new ThreadSigner(os.availableParallelism())],
];
const out = [];
for (const [key, name, make] of variants) {
  if (only !== undefined && only !== key) continue;
  const signer = make();
  await run(signer, warmup); // warm-up, as the HTTP scenarios get
  const cpu0 = process.cpuUsage();
  const r = await run(signer, duration);
  const cpu = process.cpuUsage(cpu0);
  await signer.close();
  r.latencies.sort((a, b) => a - b);
  const pct = (p: number) => r.latencies[Math.min(r.latencies.length - 1, Math.floor((p / 100) * r.latencies.length))]!;
  out.push({ key, name, logins: r.logins, seconds: r.seconds, p50: pct(50), p99: pct(99), cpu: (cpu.user + cpu.system) / 1e6 });
}
process.stdout.write(JSON.stringify({ variants: out }) + '\n');
