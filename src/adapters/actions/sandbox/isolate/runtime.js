// @ts-check
/*
 * In-isolate code: console, timers, fetch (undici), crypto, `require`, the trigger `api`, and the
 * `load`/`run` entry points the host calls. Every capability ends in a host callback that re-checks
 * its arguments: nothing here is trusted by the host, this code only gives actions Node's shapes.
 * It runs after globals.js in the same function body (see globals.js and ../bootstrap.ts).
 */
const stringify = JSON.stringify, parse = JSON.parse;
/** What the action threw because a capability was refused (the run fails as 'denied'). @type {WeakSet<Isolate.Foreign>} */
const denied = new WeakSet();
/** @type {{ notification: { action: 'drop' | 'retry'; reason: string } | undefined; uncaught: unknown; logLeft: number }} */
let state = { notification: undefined, uncaught: undefined, logLeft: 0 };

// Transfer options of the calls into the host. isolated-vm reads options with ordinary property
// lookups, so an options object that inherits from Object.prototype takes whatever the action put
// there (Object.prototype.reference = true would hand it a Reference to a host value). These are
// made before any action code runs, have no prototype and are frozen.
const freeze = Object.freeze;
const TIMER_CALL = freeze({ __proto__: null, result: freeze({ __proto__: null, promise: true }) });
const FETCH_CALL = freeze({ __proto__: null, arguments: freeze({ __proto__: null, copy: true }), result: freeze({ __proto__: null, promise: true, copy: true }) });

/**
 * @param {unknown} v
 * @param {number} depth
 * @param {unknown[]} seen
 * @returns {string}
 */
function inspect(v, depth, seen) {
  if (typeof v === 'string') return depth === 0 ? v : stringify(v);
  if (typeof v === 'function') return '[Function: ' + (v.name || 'anonymous') + ']';
  if (typeof v === 'symbol' || typeof v === 'bigint') return String(v) + (typeof v === 'bigint' ? 'n' : '');
  if (v === null || typeof v !== 'object') return String(v);
  if (v instanceof Error) return v.stack || (v.name + ': ' + v.message);
  if (seen.includes(v)) return '[Circular]';
  if (depth > 2) return Array.isArray(v) ? '[Array]' : '[Object]';
  const next = seen.concat([v]);
  if (Array.isArray(v)) return '[ ' + v.slice(0, 100).map((x) => inspect(x, depth + 1, next)).join(', ') + (v.length > 100 ? ', ...' : '') + ' ]';
  if (v instanceof Uint8Array) return '<Buffer ' + Array.from(v.subarray(0, 50), (b) => (b < 16 ? '0' : '') + b.toString(16)).join(' ') + (v.length > 50 ? ' ...' : '') + '>';
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  return '{ ' + keys.slice(0, 100).map((k) => k + ': ' + inspect(/** @type {Record<string, unknown>} */ (v)[k], depth + 1, next)).join(', ') + ' }';
}
/**
 * @param {string} level
 * @param {unknown[]} args
 */
function emit(level, args) {
  if (state.logLeft <= 0) return;
  let line;
  try { line = args.map((a) => inspect(a, 0, [])).join(' '); } catch (e) { line = '[unprintable]'; }
  if (line.length > state.logLeft) line = line.slice(0, state.logLeft);
  state.logLeft -= line.length + 1;
  hostLog(level, line);
}
G.console = {
  log: (...a) => emit('log', a), info: (...a) => emit('info', a), debug: (...a) => emit('debug', a),
  warn: (...a) => emit('warn', a), error: (...a) => emit('error', a), trace: (...a) => emit('trace', a),
  dir: (v) => emit('log', [v]), table: (v) => emit('log', [v]),
};

let timerSeq = 0;
/** @type {Set<number>} */
const timers = new Set();
/**
 * @param {number} id
 * @param {number | undefined} ms
 * @param {() => void} fn
 */
function arm(id, ms, fn) {
  hostTimer.apply(undefined, [Number(ms) || 0], TIMER_CALL).then((fired) => {
    if (!fired || !timers.has(id)) return;
    try { fn(); } catch (e) { if (!state.uncaught) state.uncaught = e; }
  }, () => {});
}
G.setTimeout = (fn, ms, ...args) => {
  if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
  const id = ++timerSeq; timers.add(id);
  arm(id, ms, () => { timers.delete(id); fn(...args); });
  return id;
};
G.setInterval = (fn, ms, ...args) => {
  const id = ++timerSeq; timers.add(id);
  const tick = () => { arm(id, ms, tick); fn(...args); };
  arm(id, ms, tick);
  return id;
};
G.setImmediate = (fn, ...args) => G.setTimeout(fn, 0, ...args);
G.clearTimeout = G.clearInterval = G.clearImmediate = (id) => { timers.delete(id); };
G.queueMicrotask = (fn) => { Promise.resolve().then(fn); };

/** @typedef {(this: AbortSignal, event: { type: 'abort' }) => void} AbortListener */
class AbortSignal {
  constructor() {
    this.aborted = false;
    /** @type {unknown} */ this.reason = undefined;
    /** @type {AbortListener | null} */ this.onabort = null;
    /** @type {AbortListener[]} */ this._l = [];
  }
  /**
   * @param {string} type
   * @param {AbortListener} fn
   */
  addEventListener(type, fn) { if (type === 'abort') this._l.push(fn); }
  /**
   * @param {string} type
   * @param {AbortListener} fn
   */
  removeEventListener(type, fn) { this._l = this._l.filter((x) => x !== fn); }
  throwIfAborted() { if (this.aborted) throw this.reason; }
  /** @param {unknown} reason */
  _abort(reason) {
    if (this.aborted) return;
    this.aborted = true; this.reason = reason;
    for (const fn of [this.onabort].concat(this._l)) if (typeof fn === 'function') try { fn.call(this, { type: 'abort' }); } catch {}
  }
  /** @param {unknown} [reason] */
  static abort(reason) { const s = new AbortSignal(); s._abort(reason ?? abortError('This operation was aborted')); return s; }
  /** @param {number} ms */
  static timeout(ms) { const s = new AbortSignal(); G.setTimeout(() => s._abort(abortError('The operation was aborted due to timeout', 'TimeoutError')), ms); return s; }
}
class AbortController {
  constructor() { this.signal = new AbortSignal(); }
  /** @param {unknown} [reason] */
  abort(reason) { this.signal._abort(reason ?? abortError('This operation was aborted')); }
}
/**
 * @param {string} msg
 * @param {string} [name]
 */
function abortError(msg, name) { const e = new Error(msg); e.name = name || 'AbortError'; return e; }
G.AbortController = AbortController; G.AbortSignal = AbortSignal;

class Headers {
  /** @param {Isolate.Foreign} [init] another Headers, pairs or a record */
  constructor(init) {
    /** @type {Map<string, string[]>} */
    this._m = new Map();
    if (!init) return;
    if (init instanceof Headers) init.forEach((v, k) => this.append(k, v));
    else if (typeof init[Symbol.iterator] === 'function') for (const p of init) this.append(p[0], p[1]);
    else for (const k of Object.keys(init)) this.append(k, init[k]);
  }
  /**
   * @param {string} k
   * @param {string} v
   */
  append(k, v) { const n = String(k).toLowerCase(); const e = this._m.get(n); if (e) e.push(String(v)); else this._m.set(n, [String(v)]); }
  /**
   * @param {string} k
   * @param {string} v
   */
  set(k, v) { this._m.set(String(k).toLowerCase(), [String(v)]); }
  /** @param {string} k */
  get(k) { const e = this._m.get(String(k).toLowerCase()); return e ? e.join(', ') : null; }
  getSetCookie() { return (this._m.get('set-cookie') || []).slice(); }
  /** @param {string} k */
  has(k) { return this._m.has(String(k).toLowerCase()); }
  /** @param {string} k */
  delete(k) { this._m.delete(String(k).toLowerCase()); }
  /**
   * @param {(value: string, key: string, parent: Headers) => void} cb
   * @param {unknown} [thisArg]
   */
  forEach(cb, thisArg) { for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this); }
  entries() { return [...this._m.keys()].sort().map((k) => /** @type {[string, string]} */ ([k, this.get(k)]))[Symbol.iterator](); }
  keys() { return [...this._m.keys()].sort()[Symbol.iterator](); }
  values() { return [...this._m.keys()].sort().map((k) => this.get(k))[Symbol.iterator](); }
  [Symbol.iterator]() { return this.entries(); }
  _pairs() {
    /** @type {Array<[string, string]>} */
    const out = [];
    for (const [k, vs] of this._m) for (const v of vs) out.push([k, v]);
    return out;
  }
}

class Response {
  /**
   * @param {Isolate.Foreign} body a string, bytes, or nothing
   * @param {{ status?: number; statusText?: string; headers?: Isolate.Foreign; url?: string; redirected?: boolean }} [init]
   */
  constructor(body, init) {
    init = init || {};
    this._body = body === undefined || body === null ? new Uint8Array(0) : typeof body === 'string' ? utf8Encode(body) : new Uint8Array(body);
    this.status = init.status ?? 200; this.statusText = init.statusText ?? ''; this.ok = this.status >= 200 && this.status < 300;
    this.headers = new Headers(init.headers); this.url = init.url ?? ''; this.redirected = Boolean(init.redirected); this.type = 'basic';
    this.bodyUsed = false;
  }
  _take() { if (this.bodyUsed) return Promise.reject(new TypeError('Body is unusable: Body has already been read')); this.bodyUsed = true; return Promise.resolve(this._body); }
  text() { return this._take().then(utf8Decode); }
  json() { return this.text().then((t) => parse(t)); }
  arrayBuffer() { return this._take().then((b) => b.slice().buffer); }
  clone() { if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.'); const r = new Response(this._body, this); r.headers = new Headers(this.headers); return r; }
}

let fetchSeq = 0;
/**
 * @param {Isolate.Foreign} input a URL string, a URL or a request-like object
 * @param {Isolate.Foreign} [init] fetch options, as the action wrote them
 * @returns {Promise<Response>}
 */
async function fetch(input, init) {
  init = init || {};
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input && typeof input.url === 'string' ? input.url : String(input);
  const method = String(init.method || 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  let body = init.body === undefined || init.body === null ? null : init.body;
  if (body !== null && (method === 'GET' || method === 'HEAD')) throw new TypeError('Request with GET/HEAD method cannot have body.');
  if (typeof body === 'string') { if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8'); body = utf8Encode(body); }
  else if (body instanceof URLSearchParams) { if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8'); body = utf8Encode(body.toString()); }
  else if (body instanceof ArrayBuffer) body = new Uint8Array(body);
  else if (body !== null && ArrayBuffer.isView(body)) body = new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice();
  else if (body !== null) body = utf8Encode(String(body));
  const signal = init.signal;
  if (signal && signal.aborted) throw signal.reason ?? abortError('This operation was aborted');
  const id = ++fetchSeq;
  const onAbort = () => hostAbort(id);
  if (signal) signal.addEventListener('abort', onAbort);
  let res;
  try {
    res = await hostFetch.apply(undefined, [{ id, url, method, headers: headers._pairs(), body, redirect: String(init.redirect || 'follow') }], FETCH_CALL);
  } finally { if (signal) signal.removeEventListener('abort', onAbort); }
  if (!res.ok) {
    if (res.code === 'ABORTED' && signal && signal.aborted) throw signal.reason ?? abortError('This operation was aborted');
    /** @type {Error & { code?: string }} */ const cause = new Error(res.message); cause.code = res.code;
    const e = new TypeError('fetch failed', { cause });
    if (res.denied) { denied.add(e); denied.add(cause); }
    throw e;
  }
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers, url: res.url, redirected: res.redirected });
}
/**
 * @param {Isolate.Foreign} url
 * @param {Isolate.Foreign} [opts] undici's request options, as the action wrote them
 */
async function request(url, opts) {
  opts = opts || {};
  const res = await fetch(url, { method: opts.method, headers: opts.headers, body: opts.body, signal: opts.signal, redirect: 'manual' });
  /** @type {Record<string, string>} */
  const headers = {};
  res.headers.forEach((v, k) => { headers[k] = v; });
  return { statusCode: res.status, headers, trailers: {}, opaque: null, context: {},
    body: { text: () => res.text(), json: () => res.json(), arrayBuffer: () => res.arrayBuffer(), get bodyUsed() { return res.bodyUsed; } } };
}
G.fetch = fetch; G.Headers = Headers; G.Response = Response;

/**
 * @param {Isolate.Foreign} data
 * @param {string} [enc]
 * @returns {Uint8Array}
 */
function bytesOf(data, enc) {
  if (typeof data === 'string') return strToBytes(data, enc);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView');
}
class Hash {
  /**
   * @param {unknown} alg
   * @param {Uint8Array | null} key
   * @param {Uint8Array[]} [chunks]
   */
  constructor(alg, key, chunks) { hostCrypto('check', String(alg)); this._alg = String(alg); this._key = key; this._chunks = chunks || []; this._done = false; }
  /**
   * @param {Isolate.Foreign} data
   * @param {string} [enc]
   */
  update(data, enc) { if (this._done) throw new Error('Digest already called'); this._chunks.push(bytesOf(data, enc).slice()); return this; }
  /** @param {BufferEncoding | 'buffer'} [enc] */
  digest(enc) {
    if (this._done) throw new Error('Digest already called');
    this._done = true;
    const out = Buffer.from(hostCrypto(this._key ? 'hmac' : 'hash', this._alg, Buffer.concat(this._chunks), this._key || null));
    return enc === undefined || enc === 'buffer' ? out : out.toString(enc);
  }
  copy() { return new Hash(this._alg, this._key, this._chunks.slice()); }
}
const cryptoModule = {
  /** @param {string} alg */
  createHash: (alg) => new Hash(alg, null),
  /**
   * @param {string} alg
   * @param {Isolate.Foreign} key
   */
  createHmac: (alg, key) => new Hash(alg, Buffer.from(bytesOf(key))),
  /**
   * @param {number} n
   * @param {(err: null, buf: Buffer) => void} [cb]
   */
  randomBytes: (n, cb) => { const b = Buffer.from(hostCrypto('random', Number(n))); if (typeof cb === 'function') { G.setTimeout(() => cb(null, b), 0); return undefined; } return b; },
  randomUUID: () => hostCrypto('uuid'),
  /**
   * @param {number} min
   * @param {number} [max]
   */
  randomInt: (min, max) => { if (max === undefined) { max = min; min = 0; } return hostCrypto('int', Number(min), Number(max)); },
  /**
   * @param {Isolate.Foreign} a
   * @param {Isolate.Foreign} b
   */
  timingSafeEqual: (a, b) => {
    const x = bytesOf(a), y = bytesOf(b);
    if (x.length !== y.length) throw new RangeError('Input buffers must have the same byte length');
    let d = 0; for (let i = 0; i < x.length; i++) d |= /** @type {number} */ (x[i]) ^ /** @type {number} */ (y[i]);
    return d === 0;
  },
  getHashes: () => hostCrypto('hashes'),
  /** @param {ArrayBufferView} arr */
  getRandomValues: (arr) => { const b = hostCrypto('random', arr.byteLength); new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(b); return arr; },
};
G.crypto = { randomUUID: cryptoModule.randomUUID, getRandomValues: cryptoModule.getRandomValues };
G.global = G;
G.TextEncoder = TextEncoder; G.TextDecoder = TextDecoder; G.Buffer = Buffer; G.URL = URL; G.URLSearchParams = URLSearchParams;
G.atob = (s) => bytesToStr(b64Decode(s), 'latin1');
G.btoa = (s) => b64Encode(strToBytes(String(s), 'latin1'), false);

const undiciModule = { fetch, request, Headers, Response };
/** @type {Record<string, object>} */
const MODULES = { undici: undiciModule, crypto: cryptoModule, 'node:crypto': cryptoModule };
/** @param {unknown} name */
function require(name) {
  const m = MODULES[String(name)];
  if (m && Object.hasOwn(MODULES, String(name))) return m;
  /** @type {Error & { code?: string }} */
  const e = new Error("Cannot find module '" + String(name) + "': actions on this server can require only 'undici' (fetch, request) and 'crypto'");
  e.code = 'MODULE_NOT_FOUND';
  denied.add(e);
  throw e;
}

/**
 * @param {unknown} e what the action threw
 * @returns {{ name: string; message: string; stack: string; denied: boolean }}
 */
function describe(e) {
  try {
    const isErr = e instanceof Error;
    const cause = isErr && e.cause instanceof Error ? ' (' + String(e.cause.message) + ')' : '';
    return { name: isErr ? String(e.name) : typeof e, message: (isErr ? String(e.message) : String(e)) + cause, stack: isErr && typeof e.stack === 'string' ? e.stack.slice(0, 4000) : '', denied: denied.has(e) };
  } catch { return { name: 'Error', message: 'an unprintable value was thrown', stack: '', denied: false }; }
}

/** @param {{ notification?: boolean }} flags */
function makeApi(flags) {
  /**
   * @type {{
   *   notification?: Record<'drop' | 'retry', (reason?: unknown) => void>;
   *   cache?: { get(key: string): unknown; set(key: string, value: string, options?: unknown): unknown; delete(key: string): unknown };
   * }}
   */
  const api = {};
  const reason = (/** @type {unknown} */ r) => String(r === undefined ? '' : r).slice(0, 1024);
  if (flags.notification) api.notification = { drop: (r) => { state.notification = { action: 'drop', reason: reason(r) }; }, retry: (r) => { state.notification = { action: 'retry', reason: reason(r) }; } };
  /**
   * @param {'get' | 'set' | 'delete'} op
   * @param {string} key
   * @param {string} [value]
   * @param {unknown} [options]
   */
  const call = (op, key, value, options) => {
    if (typeof key !== 'string') throw new TypeError('The cache key must be a string');
    const out = hostCache.applySyncPromise(undefined, [op, key, value === undefined ? null : value, options === undefined ? null : stringify(options)]);
    return out === null || out === undefined ? undefined : parse(out);
  };
  api.cache = {
    get: (key) => call('get', key),
    set: (key, value, options) => { if (typeof value !== 'string') throw new TypeError('The cache value must be a string'); return call('set', key, value, options); },
    delete: (key) => call('delete', key),
  };
  return api;
}

/** The action's `module`: what it exports is its own. @type {{ exports: Isolate.Foreign }} */
const mod = { exports: {} };
/**
 * @param {unknown} wrapper the action's compiled CommonJS wrapper
 * @returns {string}
 */
function load(wrapper) {
  if (typeof wrapper !== 'function') return stringify({ status: 'invalid', message: 'The action code is not a script' });
  try {
    wrapper.call(mod.exports, mod.exports, require, mod, '/action.js', '/');
    return stringify({ status: 'ok' });
  } catch (e) { return stringify({ status: 'error', error: describe(e) }); }
}
/**
 * @param {string} handlerName
 * @param {string} eventJson
 * @param {string} flagsJson
 * @returns {Promise<string>}
 */
async function run(handlerName, eventJson, flagsJson) {
  const flags = parse(flagsJson);
  state = { notification: undefined, uncaught: undefined, logLeft: flags.logChars };
  try {
    const handler = mod.exports == null ? undefined : mod.exports[handlerName];
    if (typeof handler !== 'function') return stringify({ status: 'invalid', message: 'The action does not export ' + handlerName + ': write exports.' + handlerName + ' = async (event, api) => {}' });
    /** @type {{ status: string; returned?: unknown; error?: ReturnType<typeof describe>; notification?: unknown }} */
    let result;
    try {
      const ret = await handler(parse(eventJson), makeApi(flags));
      let returned;
      try { returned = ret === undefined ? undefined : parse(stringify(ret)); } catch { returned = undefined; }
      result = state.uncaught ? { status: 'error', error: describe(state.uncaught) } : { status: 'ok', returned };
    } catch (e) { result = { status: 'error', error: describe(e) }; }
    result.notification = state.notification;
    return stringify(result);
  } catch (e) { return '{"status":"error","error":{"name":"Error","message":"the action result could not be serialised","stack":"","denied":false}}'; }
}
