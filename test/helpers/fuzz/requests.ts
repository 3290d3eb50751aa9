import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { apiFamilyOf, wellFormedPath, type ApiFamily } from '../bad-input.js';
import { ODD_STRINGS, plausibleValueFor, valueFor, type Hints, type JsonSchema } from './schema-values.js';

/**
 * Malformed requests for every route of the app, as fast-check arbitraries: odd paths, query strings,
 * headers, credentials, content types and bodies (the body's properties derived from the route's own
 * schema, mostly well-typed so that handlers run, sometimes not).
 */

/** Percent-encodes any string, lone surrogates included (as U+FFFD: encodeURIComponent throws on them). */
export const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

export interface FuzzRoute {
  method: string;
  /** Fastify's spelling: `/api/v2/clients/:id`. */
  url: string;
  family: ApiFamily;
  body?: JsonSchema;
  query?: JsonSchema;
}

/** One request, ready for `app.inject`, with the names of the variations it carries (to group failures). */
export interface FuzzRequest {
  /** The route it was made for: `POST /api/v2/clients/:id`. */
  route: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  variations: string[];
}

/** What the requests are made of, beyond the routes: credentials and ids that exist. */
export interface FuzzContext {
  /** Authorization header values that are valid, with every scope (Management API). */
  goodAuthorization: string[];
  /** Authorization header values that are wrong in some way (bad signature, no scope, other tenant, garbage). */
  badAuthorization: string[];
  /** The hosts the tenant answers to, and others. */
  goodHosts: string[];
  /** Real ids, by the path segment before the parameter (`clients` → client ids). */
  ids: Record<string, string[]>;
  /** The cookie and CSRF header of a live dashboard session. */
  dashboardSession?: { cookie: string; csrf: string };
  /** Meaningful values by body property name (client ids, connections, grant types, phone numbers). */
  hints: Hints;
  /** Properties a route reads that its schema leaves open (`/passwordless/start` checks its body itself), by route url. */
  openProperties: Record<string, Record<string, JsonSchema>>;
}

/** The routes worth requesting: every method of every route the app registered. */
export function fuzzRoutes(routes: RouteOptions[]): FuzzRoute[] {
  const out: FuzzRoute[] = [];
  const seen = new Set<string>();
  for (const r of routes) {
    const schema = (r.schema ?? {}) as { body?: JsonSchema; querystring?: JsonSchema };
    for (const method of [r.method].flat()) {
      const key = `${method} ${r.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ method, url: r.url, family: apiFamilyOf(r.url), ...(schema.body ? { body: schema.body } : {}), ...(schema.querystring ? { query: schema.querystring } : {}) });
    }
  }
  return out.sort((a, b) => `${a.url} ${a.method}`.localeCompare(`${b.url} ${b.method}`));
}

/** Path segments that no id looks like: traversal, NUL, bad escapes, unicode, very long. */
const ODD_SEGMENTS: readonly string[] = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fhealthz',
  '%00',
  'a%00b',
  '%2F',
  '%2f..%2f',
  '%',
  '%zz',
  '%ff',
  '%c0%af',
  '%ed%a0%80',
  encodeURIComponent('😀'),
  encodeURIComponent('é'),
  'é',
  '😀',
  '%20',
  '+',
  '*',
  '%27%20OR%201%3D1--',
  '%0d%0aX-Injected:%201',
  'null',
  'undefined',
  '0',
  '-1',
  '1e999',
  '__proto__',
  'constructor',
  'auth0%7C',
  'sms%7Cx%7Cy',
  'phone%7C',
  '%7B%7B7*7%7D%7D',
  'x'.repeat(99),
  'x'.repeat(101),
  'y'.repeat(3000),
];

const oddSegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).map(encode) },
);

function pathFor(route: FuzzRoute, ctx: FuzzContext): fc.Arbitrary<{ path: string; variations: string[] }> {
  const segments = route.url.split('/');
  const known = wellFormedPath(route.url).split('/');
  const parts = segments.map((seg, i): fc.Arbitrary<{ text: string; tag?: string }> => {
    if (seg === '*') return fc.oneof(fc.constantFrom('index-abc123.js', 'app.css'), oddSegment).map((text) => ({ text, tag: 'path:wildcard' }));
    if (!seg.startsWith(':')) return fc.constant({ text: seg });
    const real = ctx.ids[segments[i - 1] ?? ''] ?? [];
    const wellFormed = known.length === segments.length && !known[i]!.startsWith('{') ? known[i]! : undefined;
    return fc.oneof(
      { weight: real.length ? 4 : 0, arbitrary: real.length ? fc.constantFrom(...real).map((id) => ({ text: encode(id), tag: 'path:real-id' })) : fc.constant({ text: 'x' }) },
      { weight: wellFormed ? 2 : 0, arbitrary: fc.constant({ text: wellFormed ?? 'x', tag: 'path:unknown-id' }) },
      { weight: 3, arbitrary: oddSegment.map((text) => ({ text, tag: 'path:odd-param' })) },
    );
  });
  const filled = fc.tuple(...parts).map((ps) => ({ path: ps.map((p) => p.text).join('/'), variations: ps.flatMap((p) => (p.tag ? [p.tag] : [])) }));
  // Now and then the whole path is spelled differently: the router decodes it, the checks must follow.
  const respell = fc.constantFrom<[string, (p: string) => string]>(
    ['path:trailing-slash', (p) => `${p}/`],
    ['path:double-slash', (p) => p.replace(/\/([^/]*)$/, '//$1')],
    ['path:upper-case', (p) => p.toUpperCase()],
    ['path:dot-segment', (p) => `${p}/..`],
    ['path:extra-segment', (p) => `${p}/extra`],
    ['path:matrix', (p) => `${p};a=b`],
    ['path:escaped-letters', (p) => p.replace(/\/([a-z])/g, (_, ch: string) => `/%${ch.charCodeAt(0).toString(16)}`)],
    ['path:escaped-slash', (p) => p.replace(/\/([^/]+)\/([^/]+)$/, '/$1%2F$2')],
  );
  return fc.oneof(
    { weight: 9, arbitrary: filled },
    { weight: 1, arbitrary: fc.tuple(filled, respell).map(([f, [tag, fn]]) => ({ path: fn(f.path), variations: [...f.variations, tag] })) },
  );
}

const enc = (v: unknown) => encode(typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');

/** Query strings: the schema's parameters with odd values, repeated, as arrays and objects, unknown ones, broken escapes. */
function queryFor(route: FuzzRoute): fc.Arbitrary<{ query: string; variations: string[] }> {
  const props = route.query?.properties ?? {};
  const names = Object.keys(props);
  const name = names.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom('zz_unknown', '__proto__', 'constructor', 'q', 'fields') }) : fc.constantFrom('zz_unknown', '__proto__', 'page', 'q');
  const pair: fc.Arbitrary<[string, string]> = fc.oneof(
    { weight: 4, arbitrary: name.chain((n) => valueFor(props[n], 1, 0.3).map((v): [string, string] => [`${n}=${enc(v)}`, 'query:typed'])) },
    { weight: 1, arbitrary: name.map((n): [string, string] => [`${n}=1&${n}=2`, 'query:repeated']) },
    { weight: 1, arbitrary: name.map((n): [string, string] => [`${n}[]=1&${n}[]=2`, 'query:array']) },
    { weight: 1, arbitrary: name.map((n): [string, string] => [`${n}[a][b]=c`, 'query:object']) },
    { weight: 1, arbitrary: fc.tuple(name, fc.constantFrom('1e308', '99999999999999999999999', '-1', '0x10', 'NaN', '-0', '1.5', '')).map(([n, v]): [string, string] => [`${n}=${v}`, 'query:number']) },
    { weight: 1, arbitrary: fc.tuple(name, fc.constantFrom('%00', '%', '%zz', '%ff', '=', '==', 'a=b=c', ';', '&&', '%26')).map(([n, v]): [string, string] => [`${n}=${v}`, 'query:escapes']) },
    { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['&&&', 'query:empty-pairs'], ['=1', 'query:no-name'], [`a=${'q'.repeat(20000)}`, 'query:long'], ['%zz=1', 'query:bad-name']) },
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({ query: '', variations: [] as string[] }) },
    { weight: 3, arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((ps) => ({ query: `?${ps.map((p) => p[0]).join('&')}`, variations: [...new Set(ps.map((p) => p[1]))] })) },
  );
}

const CONTENT_TYPES: readonly string[] = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json, text/plain',
  'application/jsonx',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/xml',
  '',
  ';',
  'application/',
];

/** A deeply nested JSON text of about `depth` levels (arrays or objects). */
const deep = (depth: number, object: boolean) => (object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`);

/**
 * Bodies: the route's schema with wrong types here and there, unknown properties, malformed JSON,
 * other top-level types, deep and large documents (within the body limit, and just past it), forms,
 * text, and none at all.
 */
type Body = { payload?: string; contentType?: string; variations: string[] };
function bodyFor(route: FuzzRoute, ctx: FuzzContext, bodyLimit: number): fc.Arbitrary<Body> {
  const open = ctx.openProperties[route.url];
  const schema: JsonSchema = open ? { ...route.body, type: 'object', properties: { ...route.body?.properties, ...open } } : (route.body ?? { type: 'object' });
  // Bodies entirely well-typed (the handler runs), with a rare mistake, or with many.
  const schemaValue = fc.oneof(valueFor(schema, 4, 0, ctx.hints), valueFor(schema, 4, 0.05, ctx.hints), valueFor(schema, 4, 0.3, ctx.hints));
  const named = Object.keys(schema.properties ?? {});
  const propertyNames = named.length ? named : ['name', 'value'];
  const json = (tag: string, a: fc.Arbitrary<unknown>) => a.map((v) => ({ payload: JSON.stringify(v) ?? 'null', contentType: 'application/json', variations: [tag] }));
  const raw = (tag: string, texts: readonly string[], contentType = 'application/json') => fc.constantFrom(...texts).map((payload) => ({ payload, contentType, variations: [tag] }));
  const withUnknown = fc
    .tuple(valueFor(schema, 3, 0, ctx.hints), fc.dictionary(fc.constantFrom('zz_unknown', 'constructor', 'prototype', '😀', '', 'a.b', '$where', 'toString', 'hasOwnProperty'), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 3 }))
    .map(([v, extra]) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as object), ...extra } : extra));
  return fc.oneof<fc.WeightedArbitrary<Body>[]>(
    { weight: 8, arbitrary: json('body:schema', schemaValue) },
    { weight: 6, arbitrary: json('body:plausible', plausibleValueFor(schema, ctx.hints)) },
    { weight: 2, arbitrary: json('body:unknown-properties', withUnknown) },
    { weight: 1, arbitrary: raw('body:proto', ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":{"__proto__":[]}}']) },
    { weight: 2, arbitrary: raw('body:malformed-json', ['{"a":', '{"a":1}}', "{'a':1}", '{a:1}', '{"a":1,}', '[1,]', '{"a":NaN}', '{"a":01}', '\ufeff{}', '{"a":"\\x"}', '{"a":"\\ud800"}', '{"a":1} // c', 'nul', '"unterminated', '{"a":1}\u0000']) },
    { weight: 2, arbitrary: raw('body:top-level', ['[]', '[{}]', '"text"', '12', '-1e309', 'null', 'true', '{}', ' ', '\n']) },
    { weight: 1, arbitrary: fc.constantFrom(10, 100, 1000, 5000).chain((d) => fc.boolean().map((o) => ({ payload: deep(d, o), contentType: 'application/json', variations: ['body:deep'] }))) },
    { weight: 1, arbitrary: fc.constantFrom(bodyLimit - 64, bodyLimit + 1).map((n) => ({ payload: JSON.stringify({ name: 'x'.repeat(Math.max(0, n - 11)) }), contentType: 'application/json', variations: [n > bodyLimit ? 'body:over-limit' : 'body:large'] })) },
    { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => ({ payload: JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))), contentType: 'application/json', variations: ['body:many-keys'] })) },
    { weight: 1, arbitrary: json('body:odd-strings', fc.dictionary(fc.constantFrom(...propertyNames), fc.constantFrom(...ODD_STRINGS), { minKeys: 1, maxKeys: 4 })) },
    { weight: 2, arbitrary: fc.tuple(schemaValue, fc.constantFrom('', 'a[b]=c&a[b]=d', '%zz=1', 'grant_type=&grant_type=x', '&&=&')).map(([v, extra]) => ({ payload: formOf(v) + (extra ? `&${extra}` : ''), contentType: 'application/x-www-form-urlencoded', variations: ['body:form'] })) },
    { weight: 1, arbitrary: fc.tuple(schemaValue, fc.constantFrom(...CONTENT_TYPES)).map(([v, ct]) => ({ payload: JSON.stringify(v) ?? 'null', contentType: ct, variations: ['body:content-type'] })) },
    { weight: 1, arbitrary: schemaValue.map((v) => ({ payload: JSON.stringify(v) ?? 'null', variations: ['body:no-content-type'] })) },
    { weight: 1, arbitrary: fc.constantFrom<{ payload?: string; contentType?: string; variations: string[] }>({ variations: ['body:none'] }, { payload: '', contentType: 'application/json', variations: ['body:empty-json'] }) },
  );
}

/** A flat form of an object's top-level values (objects and arrays as JSON text). */
function formOf(v: unknown): string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `value=${enc(v)}`;
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${encode(k)}=${enc(x)}`)
    .join('&');
}

const ODD_HOSTS: readonly string[] = ['LOCALHOST', 'localhost.', 'localhost:99999', 'localhost:abc', '[::1]', 'unknown.example', '', 'x'.repeat(300), 'localhost, evil.example', 'localhost\t', 'xn--80ak6aa92e.com', 'localhost:3000:1', '127.0.0.1', '%6cocalhost'];

const ODD_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['accept', 'text/html'],
  ['accept', '*/*;q=abc'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-language', 'zz-ZZ,*;q=0'],
  ['x-forwarded-for', 'not-an-ip, 1.2.3.4'],
  ['x-forwarded-host', 'evil.example'],
  ['x-forwarded-proto', 'gopher'],
  ['x-http-method-override', 'DELETE'],
  ['content-encoding', 'gzip'],
  ['expect', '100-continue'],
  ['user-agent', 'u'.repeat(8000)],
  ['cookie', 'unifone_session=; unifone_session=AAAA; =; ;;'],
  ['cookie', `unifone_session=${'s'.repeat(5000)}`],
  ['x-csrf-token', 'not-the-token'],
  ['x-twilio-signature', 'AAAA'],
  ['origin', 'https://evil.example'],
  ['range', 'bytes=0-0,-1'],
  ['if-none-match', '"x", W/"y", *'],
];

/** Every request, for one route. */
export function requestFor(route: FuzzRoute, ctx: FuzzContext, bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  const hasBody = !['GET', 'HEAD'].includes(route.method);
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ctx.goodAuthorization).map((v) => ({ value: v as string | undefined, tag: 'auth:valid' })) },
    { weight: 2, arbitrary: fc.constant({ value: undefined as string | undefined, tag: 'auth:none' }) },
    { weight: 3, arbitrary: fc.constantFrom(...ctx.badAuthorization).map((v) => ({ value: v as string | undefined, tag: 'auth:bad' })) },
  );
  const host = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...ctx.goodHosts).map((h) => ({ value: h, tag: undefined as string | undefined })) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_HOSTS).map((h) => ({ value: h, tag: 'header:host' as string | undefined })) });
  const session = ctx.dashboardSession;
  const dashboard = route.url.startsWith('/dashboard')
    ? fc.oneof(
        { weight: session ? 3 : 0, arbitrary: fc.constant(session ? { cookie: `unifone_session=${session.cookie}`, 'x-csrf-token': session.csrf } : {}) },
        { weight: session ? 1 : 0, arbitrary: fc.constant(session ? { cookie: `unifone_session=${session.cookie}` } : {}) },
        { weight: 1, arbitrary: fc.constant({}) },
      )
    : fc.constant({});
  const extra = fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_HEADERS) });
  const body = hasBody ? bodyFor(route, ctx, bodyLimit) : fc.oneof({ weight: 9, arbitrary: fc.constant({ variations: [] as string[] } as { payload?: string; contentType?: string; variations: string[] }) }, { weight: 1, arbitrary: bodyFor(route, ctx, bodyLimit) });
  return fc.record({ path: pathFor(route, ctx), query: queryFor(route), body, authorization, host, dashboard, extra }).map(({ path, query, body: b, authorization: a, host: h, dashboard: d, extra: x }) => {
    const headers: Record<string, string> = { host: h.value, ...d };
    if (a.value !== undefined) headers['authorization'] = a.value;
    if (b.contentType !== undefined) headers['content-type'] = b.contentType;
    if (x) headers[x[0]] = x[1];
    return {
      route: `${route.method} ${route.url}`,
      method: route.method,
      url: path.path + query.query,
      headers,
      ...(b.payload !== undefined ? { payload: b.payload } : {}),
      variations: [...path.variations, ...query.variations, ...b.variations, a.tag, ...(h.tag ? [h.tag] : []), ...(x ? [`header:${x[0]}`] : [])],
    };
  });
}

/**
 * How often a route is requested, relative to the others: a route that takes a body has more to get
 * wrong than one that does not, and the Authentication API's flows (client, user, codes) the most.
 */
function weightOf(route: FuzzRoute): number {
  // Each dashboard sign-in runs scrypt (a dummy hash for unknown emails): at the weight of other POSTs, a tenth of the run's time.
  if (route.url === '/dashboard/api/session' && route.method === 'POST') return 1;
  if (route.method === 'HEAD') return 2;
  if (route.method === 'GET') return 4;
  return route.family === 'authentication' && !route.url.startsWith('/dashboard') ? 16 : 6;
}

/** Requests across all routes, weighted by `weightOf`. */
export function requestsFor(routes: FuzzRoute[], ctx: FuzzContext, bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...routes.map((r) => ({ weight: weightOf(r), arbitrary: requestFor(r, ctx, bodyLimit) })));
}
