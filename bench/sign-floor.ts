import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

/**
 * The floor of the passwordless login, in its own process: a loop that only signs what unifone signs
 * for one login — an access token and an id_token, RS256 with a 2048-bit key loaded the way
 * TokenKeys loads it (PKCS#8 PEM → KeyObject), the same header (alg, typ, kid), the same claims
 * (taken from a real login's tokens) with fresh iat/exp — one after the other as TokenIssuer does,
 * with FLOOR_CONCURRENCY logins in flight (the benchmark's connection count) for FLOOR_DURATION s.
 * Prints one JSON line: { logins, tokens, seconds, p50, p99, cpu } (cpu: seconds of this process,
 * thread pool included, during the measured run).
 */
const duration = Number(process.env['FLOOR_DURATION'] ?? 10);
const concurrency = Number(process.env['FLOOR_CONCURRENCY'] ?? 50);
const claims = JSON.parse(process.env['FLOOR_CLAIMS']!) as { access: JWTPayload; id: JWTPayload; accessTtl: number; idTtl: number; kid: string };

const { privateKey: generated } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = createPrivateKey(generated.export({ type: 'pkcs8', format: 'pem' }).toString());

const sign = (payload: JWTPayload, ttl: number) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: claims.kid }).setIssuedAt(now).setExpirationTime(now + ttl).sign(privateKey);
};
const login = async () => {
  await sign(claims.access, claims.accessTtl);
  await sign(claims.id, claims.idTtl);
};

async function run(seconds: number): Promise<{ logins: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await login();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { logins: latencies.length, seconds: (performance.now() - t0) / 1000, latencies };
}

await run(2); // warm-up, as the HTTP scenarios get
const cpu0 = process.cpuUsage();
const r = await run(duration);
const cpu = process.cpuUsage(cpu0);
r.latencies.sort((a, b) => a - b);
const pct = (p: number) => r.latencies[Math.min(r.latencies.length - 1, Math.floor((p / 100) * r.latencies.length))]!;
process.stdout.write(JSON.stringify({ logins: r.logins, tokens: r.logins * 2, seconds: r.seconds, p50: pct(50), p99: pct(99), cpu: (cpu.user + cpu.system) / 1e6 }) + '\n');
