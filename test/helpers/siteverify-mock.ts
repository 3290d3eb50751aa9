import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks the CAPTCHA vendors' `siteverify` wire format (Turnstile, hCaptcha
 * and reCAPTCHA share it): a form-encoded POST of `secret`, `response` and `remoteip`, answered
 * `200 {"success", "error-codes", "hostname", "challenge_ts"}`. A token passes when it was issued
 * with `issue()` and the secret is the one the server knows; each token passes once, as at the vendors
 * (`timeout-or-duplicate` afterwards). `state` makes it fail as a verifier does when it is down.
 */
export interface SiteverifyRequest {
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface SiteverifyMock {
  url: string;
  requests: SiteverifyRequest[];
  /** A fresh token the widget would have given a person who solved it (with reCAPTCHA v3's `score` and `action`, when given). */
  issue(extra?: { score?: number; action?: string }): string;
  /** `up`: answers; `down`: 503; `garbage`: 200 with a body that is not JSON; `hang`: never answers. */
  state: 'up' | 'down' | 'garbage' | 'hang';
  close(): Promise<void>;
}

export async function startSiteverifyMock(secret: string, hostname = 'app.example.com'): Promise<SiteverifyMock> {
  const issued = new Map<string, { score?: number; action?: string }>();
  const used = new Set<string>();
  const requests: SiteverifyRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  let n = 0;
  const mock: SiteverifyMock = {
    url: '',
    requests,
    state: 'up',
    issue(extra = {}) {
      const t = `XXXX.DUMMY.TOKEN.${++n}.${Math.random().toString(36).slice(2)}`;
      issued.set(t, extra);
      return t;
    },
    async close() {
      for (const r of hanging) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ contentType: req.headers['content-type'], form });
      if (mock.state === 'hang') return void hanging.add(res);
      if (mock.state === 'down') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      if (mock.state === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      const answer = (success: boolean, codes: string[], extra: { score?: number; action?: string } = {}) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ success, 'error-codes': codes, ...(success ? { hostname, challenge_ts: new Date().toISOString(), ...extra } : {}) }),
        );
      if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return answer(false, ['bad-request']);
      if (!form['secret']) return answer(false, ['missing-input-secret']);
      if (form['secret'] !== secret) return answer(false, ['invalid-input-secret']);
      const token = form['response'];
      if (!token) return answer(false, ['missing-input-response']);
      if (used.has(token)) return answer(false, ['timeout-or-duplicate']);
      if (!issued.has(token)) return answer(false, ['invalid-input-response']);
      used.add(token);
      return answer(true, [], issued.get(token));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/turnstile/v0/siteverify`;
  return mock;
}
