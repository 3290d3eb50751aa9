import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { apiFamilyOf, errorShapeProblem } from '../bad-input.js';
import { requestsFor, type FuzzContext, type FuzzRequest, type FuzzRoute } from './requests.js';

/**
 * Sends generated malformed requests through `app.inject()` and checks every answer: no 5xx, every
 * 4xx in the error shape of its API family, no secret in any answer (body or headers) that may not
 * carry it. Failures are collected, not thrown one by one, so that a run reports every distinct
 * problem it found; each can be replayed from the seed and its index.
 */

/** A value no answer may contain, except the answers `allowed` says may (a client secret on GET /api/v2/clients, say). */
export interface Secret {
  name: string;
  value: string;
  allowed?: (req: FuzzRequest, res: LightMyRequestResponse) => boolean;
}

/** The path the server received (inject resolves dot segments, as URL parsing does), decoded as its router decodes it. */
export function receivedPath(req: FuzzRequest, res: LightMyRequestResponse): string {
  const path = (res.raw.req.url ?? req.url).split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Answers that are deliberately not API errors: the dashboard's static files (plain text, and 503 when the app is not built). */
export function isStaticDashboardAnswer(req: FuzzRequest, res: LightMyRequestResponse): boolean {
  const path = receivedPath(req, res);
  if (!path.startsWith('/dashboard') || path.startsWith('/dashboard/api/')) return false;
  return /^text\/plain/.test(String(res.headers['content-type'] ?? '')) && (res.statusCode === 404 || res.statusCode === 503);
}

export interface Failure {
  index: number;
  request: FuzzRequest;
  status: number;
  problem: string;
  body: string;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  byStatus: Record<number, number>;
  failures: Failure[];
  /** Requests `inject` itself refused to build (not sent). */
  unsendable: number;
  /** Milliseconds spent per route, to see where a run's time goes. */
  msByRoute: Record<string, number>;
}

/** What is wrong with one answer, or undefined. */
export function problemOf(req: FuzzRequest, res: LightMyRequestResponse, secrets: readonly Secret[]): string | undefined {
  if (res.statusCode >= 500 && !isStaticDashboardAnswer(req, res)) return `status ${res.statusCode}`;
  const text = `${res.body}\n${JSON.stringify(res.headers)}`;
  for (const s of secrets) if (text.includes(s.value) && !s.allowed?.(req, res)) return `reveals ${s.name}`;
  // Without a valid token, nothing of the Management API but its public document answers with success.
  const path = receivedPath(req, res);
  if (res.statusCode < 400 && apiFamilyOf(path) === 'management' && path !== '/api/v2/openapi.json' && req.variations.some((v) => v === 'auth:none' || v === 'auth:bad')) {
    return `answered ${res.statusCode} without a valid token`;
  }
  if (res.statusCode >= 400 && req.method !== 'HEAD' && !isStaticDashboardAnswer(req, res)) {
    const family = apiFamilyOf(res.raw.req.url ?? req.url);
    const shape = errorShapeProblem(family, res.statusCode, res.body, res.headers['content-type'] as string | undefined);
    if (shape) return `${family} error shape: ${shape}`;
  }
  return undefined;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  bodyLimit: number;
  /** Called with each answer before it is checked (to learn new secrets, to sign in again after a sign-out). */
  observe?: (req: FuzzRequest, res: LightMyRequestResponse) => void | Promise<void>;
  /** Print every answer's route, status and the start of its body. */
  trace?: boolean;
  /** Live values for the `{{name}}` placeholders of header values (a session the run may end, a secret it may rotate). */
  live?: Record<string, string>;
}

/** Header values with their `{{name}}` placeholders replaced by the live values. */
const fill = (headers: Record<string, string>, live: Record<string, string> | undefined) =>
  live ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace(/\{\{(\w+)\}\}/g, (m, n: string) => live[n] ?? m)])) : headers;

/** The requests of a run: `count` of them, the same for the same seed, routes and context. */
export function sampleRequests(routes: FuzzRoute[], ctx: FuzzContext, o: Pick<FuzzOptions, 'seed' | 'count' | 'bodyLimit'>): FuzzRequest[] {
  return fc.sample(requestsFor(routes, ctx, o.bodyLimit), { seed: o.seed, numRuns: o.count });
}

export async function runFuzz(app: FastifyInstance, requests: FuzzRequest[], secrets: () => readonly Secret[], o: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { seed: o.seed, sent: 0, byStatus: {}, failures: [], unsendable: 0, msByRoute: {} };
  for (const [index, req] of requests.entries()) {
    let res: LightMyRequestResponse;
    const t0 = performance.now();
    try {
      res = await app.inject({ method: req.method as 'GET', url: req.url, headers: fill(req.headers, o.live), ...(req.payload !== undefined ? { payload: req.payload } : {}) });
    } catch {
      report.unsendable++;
      continue;
    }
    report.sent++;
    report.msByRoute[req.route] = (report.msByRoute[req.route] ?? 0) + performance.now() - t0;
    report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
    await o.observe?.(req, res);
    if (o.trace) process.stdout.write(`# ${req.route} ${res.statusCode} ${res.body.slice(0, 120).replace(/\n/g, ' ')}\n`);
    const problem = problemOf(req, res, secrets());
    if (problem) report.failures.push({ index, request: req, status: res.statusCode, problem, body: res.body.slice(0, 300) });
  }
  return report;
}

/** Failures grouped by route and problem: one line each, with the first example. */
export function summarize(failures: Failure[]): string[] {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.request.route} → ${f.problem}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()].map(([key, fs]) => {
    const f = fs[0]!;
    const payload = f.request.payload === undefined ? '' : ` payload=${f.request.payload.slice(0, 200)}`;
    return `${key} ×${fs.length} (#${f.index} [${f.request.variations.join(' ')}] url=${f.request.url.slice(0, 200)} headers=${JSON.stringify(f.request.headers).slice(0, 300)}${payload} → ${f.status} ${f.body})`;
  });
}
