// @ts-check
/*
 * In-isolate code (plain JavaScript, run inside the V8 isolate, never in the host): the web/Node
 * globals a bare V8 context lacks. Pure JavaScript except `URL`, whose parsing is delegated to the
 * host's WHATWG parser through `hostUrl` (a synchronous callback that only parses strings).
 *
 * This file is not a module: ../bootstrap.ts puts it, then runtime.js, in the body of one function
 * whose parameters are the host callbacks (`hostUrl`...), and runtime.js uses what it declares.
 * scope.d.ts declares those names for the checker. It is never transpiled, and it runs with no access
 * to anything of the host.
 */

/** The isolate's global object; runtime.js installs the globals on it (typed `Isolate.Global` there). */
const G = globalThis;
const fromCharCode = String.fromCharCode;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** @type {Map<string, number>} */
const B64_INDEX = new Map();
for (let i = 0; i < 64; i++) B64_INDEX.set(/** @type {string} */ (B64[i]), i);
B64_INDEX.set('-', 62); B64_INDEX.set('_', 63);

/** @type {typeof globalThis.utf8Encode} */
function utf8Encode(str) {
  str = String(str);
  const out = new Uint8Array(str.length * 3);
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) { out[n++] = 0xc0 | (c >> 6); out[n++] = 0x80 | (c & 63); }
    else if (c < 0x10000) { out[n++] = 0xe0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63); }
    else { out[n++] = 0xf0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 63); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63); }
  }
  return out.slice(0, n);
}

/**
 * Reads past the end give `undefined`, whose `& mask` is 0: a truncated sequence decodes as U+FFFD.
 * @type {typeof globalThis.utf8Decode}
 */
function utf8Decode(bytes) {
  let s = '';
  const parts = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let c = 0xfffd, len = 1;
    if (b < 0x80) c = b;
    else if (b >= 0xc2 && b < 0xe0 && (bytes[i + 1] & 0xc0) === 0x80) { c = ((b & 31) << 6) | (bytes[i + 1] & 63); len = 2; }
    else if (b >= 0xe0 && b < 0xf0 && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80) {
      const v = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) { c = v; len = 3; }
    } else if (b >= 0xf0 && b < 0xf5 && (bytes[i + 1] & 0xc0) === 0x80 && (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80) {
      const v = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      if (v >= 0x10000 && v <= 0x10ffff) { c = v; len = 4; }
    }
    i += len;
    if (c >= 0x10000) { c -= 0x10000; s += fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); } else s += fromCharCode(c);
    if (s.length > 8192) { parts.push(s); s = ''; }
  }
  parts.push(s);
  return parts.join('');
}

/** @type {typeof globalThis.b64Encode} */
function b64Encode(bytes, url) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i], b = bytes[i + 1], c = bytes[i + 2];
    s += /** @type {string} */ (B64[a >> 2]) + B64[((a & 3) << 4) | ((b ?? 0) >> 4)];
    s += i + 1 < bytes.length ? B64[((b & 15) << 2) | ((c ?? 0) >> 6)] : '=';
    s += i + 2 < bytes.length ? B64[c & 63] : '=';
  }
  return url ? s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : s;
}

/** @type {typeof globalThis.b64Decode} */
function b64Decode(str) {
  const out = [];
  let acc = 0, bits = 0;
  for (const ch of String(str)) {
    const v = B64_INDEX.get(ch);
    if (v === undefined) { if (ch === '=') break; continue; }
    acc = (acc << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 255); }
  }
  return new Uint8Array(out);
}

/** @type {string[]} */
const ENCODINGS = ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii'];
/**
 * @param {string | null | undefined} enc
 * @returns {string}
 */
function normEnc(enc) {
  const e = String(enc === undefined || enc === null ? 'utf8' : enc).toLowerCase();
  if (!ENCODINGS.includes(e)) throw new TypeError('Unknown encoding: ' + enc + ' (supported: utf8, hex, base64, base64url, latin1, ascii)');
  return e === 'utf-8' ? 'utf8' : e === 'binary' ? 'latin1' : e;
}

/** @type {typeof globalThis.strToBytes} */
function strToBytes(str, enc) {
  switch (normEnc(enc)) {
    case 'utf8': return utf8Encode(str);
    case 'hex': { const n = Math.floor(str.length / 2); const out = new Uint8Array(n); for (let i = 0; i < n; i++) { const v = parseInt(str.substr(i * 2, 2), 16); if (Number.isNaN(v)) return out.slice(0, i); out[i] = v; } return out; }
    case 'base64': case 'base64url': return b64Decode(str);
    default: { const out = new Uint8Array(str.length); for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 255; return out; }
  }
}

/** @type {typeof globalThis.bytesToStr} */
function bytesToStr(bytes, enc) {
  switch (normEnc(enc)) {
    case 'utf8': return utf8Decode(bytes);
    case 'hex': { let s = ''; for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16); return s; }
    case 'base64': return b64Encode(bytes, false);
    case 'base64url': return b64Encode(bytes, true);
    case 'ascii': { let s = ''; for (const b of bytes) s += fromCharCode(b & 127); return s; }
    default: { let s = ''; for (const b of bytes) s += fromCharCode(b); return s; }
  }
}

class TextEncoder {
  get encoding() { return 'utf-8'; }
  /** @param {string} [s] */
  encode(s = '') { return utf8Encode(s); }
}
class TextDecoder {
  /** @param {string} [label] */
  constructor(label = 'utf-8') { const l = String(label).toLowerCase(); if (l !== 'utf-8' && l !== 'utf8') throw new RangeError('TextDecoder supports utf-8 only'); }
  get encoding() { return 'utf-8'; }
  /** @param {ArrayBuffer | ArrayBufferView} [input] */
  decode(input) {
    if (input === undefined) return '';
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    return utf8Decode(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes);
  }
}

class Buffer extends Uint8Array {
  /**
   * @override
   * @param {Isolate.Foreign} v
   * @param {Isolate.Foreign} [encOrOffset] an encoding, or an offset when `v` is an ArrayBuffer
   * @param {number} [length]
   * @returns {Buffer}
   */
  static from(v, encOrOffset, length) {
    if (typeof v === 'string') return toBuffer(strToBytes(v, encOrOffset));
    if (v instanceof ArrayBuffer) return new Buffer(v, encOrOffset || 0, length === undefined ? v.byteLength - (encOrOffset || 0) : length);
    if (ArrayBuffer.isView(v)) return toBuffer(new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice());
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return toBuffer(Uint8Array.from(v.data));
    if (Array.isArray(v) || (v && typeof v.length === 'number')) return toBuffer(Uint8Array.from(v));
    throw new TypeError('The first argument must be a string, Buffer, ArrayBuffer, Array or array-like object');
  }
  /**
   * @param {number} n
   * @param {string | number} [fill]
   */
  static alloc(n, fill) { const b = new Buffer(n); if (fill !== undefined) b.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill); return b; }
  /** @param {number} n */
  static allocUnsafe(n) { return new Buffer(n); }
  /**
   * @param {string | ArrayBuffer | ArrayBufferView} v
   * @param {string} [enc]
   */
  static byteLength(v, enc) { return typeof v === 'string' ? strToBytes(v, enc).length : v.byteLength; }
  /** @param {unknown} b */
  static isBuffer(b) { return b instanceof Buffer; }
  /** @param {unknown} e */
  static isEncoding(e) { return ENCODINGS.includes(String(e).toLowerCase()); }
  /**
   * @param {Uint8Array[]} list
   * @param {number} [total]
   */
  static concat(list, total) {
    const len = total === undefined ? list.reduce((n, b) => n + b.length, 0) : total;
    const out = new Buffer(len);
    let off = 0;
    for (const b of list) { if (off >= len) break; out.set(b.subarray(0, len - off), off); off += b.length; }
    return out;
  }
  /**
   * @param {Uint8Array} a
   * @param {Uint8Array} b
   * @returns {-1 | 0 | 1}
   */
  static compare(a, b) { for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return /** @type {number} */ (a[i]) < /** @type {number} */ (b[i]) ? -1 : 1; return a.length === b.length ? 0 : a.length < b.length ? -1 : 1; }
  /**
   * @override
   * @param {string} [enc]
   * @param {number} [start]
   * @param {number} [end]
   */
  toString(enc, start = 0, end = this.length) { return bytesToStr(this.subarray(start, end), enc); }
  toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
  /** @param {Uint8Array} o */
  equals(o) { return Buffer.compare(this, o) === 0; }
  /** @param {Uint8Array} o */
  compare(o) { return Buffer.compare(this, o); }
  /**
   * @override
   * @param {number} [s]
   * @param {number} [e]
   */
  slice(s, e) { return this.subarray(s, e); }
  /**
   * @param {string} str
   * @param {number} [offset]
   * @param {string} [enc]
   */
  write(str, offset = 0, enc) { const b = strToBytes(str, enc).subarray(0, this.length - offset); this.set(b, offset); return b.length; }
}
/** @param {Uint8Array<ArrayBuffer>} u8 */
function toBuffer(u8) { return new Buffer(u8.buffer, u8.byteOffset, u8.byteLength); }

/** @param {string} s */
function formEncode(s) {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
/** @param {string} s */
function formDecode(s) {
  const t = s.replace(/\+/g, ' ');
  try { return decodeURIComponent(t); } catch { return t.replace(/%([0-9a-fA-F]{2})/g, (m, h) => fromCharCode(parseInt(h, 16))); }
}
/** The hook by which a URL learns that its searchParams changed (null while the URL writes them). */
const SP_UPDATE = Symbol('update');
/**
 * A URLSearchParams with its hook. The constructor sets it, but the checker cannot see a property
 * keyed by a symbol in a constructor: it is optional here.
 * @typedef {URLSearchParams & { [SP_UPDATE]?: ((query: string) => void) | null }} Hooked
 */
class URLSearchParams {
  /** @param {Isolate.Foreign} [init] a query string, another URLSearchParams, pairs or a record */
  constructor(init) {
    /** @type {Array<[string, string]>} */
    this._list = [];
    /** @type {Hooked} */ (this)[SP_UPDATE] = null;
    if (init === undefined || init === null) return;
    if (typeof init === 'string') this._parse(init);
    else if (init instanceof URLSearchParams) this._list = /** @type {{ _list: Array<[string, string]> }} */ (init)._list.map((p) => [p[0], p[1]]);
    else if (typeof init[Symbol.iterator] === 'function') for (const p of init) { if (p.length !== 2) throw new TypeError('Each pair must have exactly two items'); this._list.push([String(p[0]), String(p[1])]); }
    else for (const k of Object.keys(init)) this._list.push([k, String(init[k])]);
  }
  /** @param {string} s */
  _parse(s) {
    this._list = [];
    for (const part of String(s).replace(/^\?/, '').split('&')) {
      if (!part) continue;
      const i = part.indexOf('=');
      this._list.push(i < 0 ? [formDecode(part), ''] : [formDecode(part.slice(0, i)), formDecode(part.slice(i + 1))]);
    }
  }
  /** @this {Hooked} */
  _changed() { if (this[SP_UPDATE]) this[SP_UPDATE](this.toString()); }
  get size() { return this._list.length; }
  /**
   * @param {string} k
   * @param {string} v
   */
  append(k, v) { this._list.push([String(k), String(v)]); this._changed(); }
  /**
   * @param {string} k
   * @param {string} [v]
   */
  delete(k, v) { this._list = this._list.filter((p) => !(p[0] === String(k) && (v === undefined || p[1] === String(v)))); this._changed(); }
  /** @param {string} k */
  get(k) { const p = this._list.find((x) => x[0] === String(k)); return p ? p[1] : null; }
  /** @param {string} k */
  getAll(k) { return this._list.filter((x) => x[0] === String(k)).map((x) => x[1]); }
  /**
   * @param {string} k
   * @param {string} [v]
   */
  has(k, v) { return this._list.some((p) => p[0] === String(k) && (v === undefined || p[1] === String(v))); }
  /**
   * @param {string} k
   * @param {string} v
   */
  set(k, v) {
    k = String(k); v = String(v);
    const i = this._list.findIndex((p) => p[0] === k);
    if (i < 0) this._list.push([k, v]); else { this._list[i] = [k, v]; this._list = this._list.filter((p, j) => j <= i || p[0] !== k); }
    this._changed();
  }
  sort() { this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this._changed(); }
  /**
   * @param {(value: string, key: string, parent: URLSearchParams) => void} cb
   * @param {unknown} [thisArg]
   */
  forEach(cb, thisArg) { for (const [k, v] of this._list) cb.call(thisArg, v, k, this); }
  keys() { return this._list.map((p) => p[0])[Symbol.iterator](); }
  values() { return this._list.map((p) => p[1])[Symbol.iterator](); }
  entries() { return this._list.map((p) => [p[0], p[1]])[Symbol.iterator](); }
  [Symbol.iterator]() { return this.entries(); }
  toString() { return this._list.map((p) => formEncode(p[0]) + '=' + formEncode(p[1])).join('&'); }
}

class URL {
  /** @type {Isolate.UrlFields} */ #f;
  /** @type {Hooked | undefined} */ #sp;
  /**
   * @param {string | URL} input
   * @param {string | URL} [base]
   */
  constructor(input, base) {
    const f = hostUrl('parse', String(input), base === undefined ? undefined : String(base));
    if (!f) throw new TypeError('Invalid URL: ' + String(input));
    this.#f = f;
  }
  /**
   * @param {string | URL} input
   * @param {string | URL} [base]
   */
  static canParse(input, base) { return Boolean(hostUrl('parse', String(input), base === undefined ? undefined : String(base))); }
  /**
   * @param {Isolate.UrlPart} part
   * @param {string} value
   */
  #set(part, value) {
    const f = hostUrl('set', this.#f.href, part, String(value));
    if (!f) throw new TypeError('Invalid URL');
    this.#f = f;
    if (this.#sp && part !== 'search') this.#sp._parse(f.search);
    else if (this.#sp) { const u = this.#sp[SP_UPDATE]; this.#sp[SP_UPDATE] = null; this.#sp._parse(f.search); this.#sp[SP_UPDATE] = u; }
  }
  get href() { return this.#f.href; } set href(v) { const f = hostUrl('parse', String(v)); if (!f) throw new TypeError('Invalid URL: ' + String(v)); this.#f = f; if (this.#sp) this.#sp._parse(f.search); }
  get protocol() { return this.#f.protocol; } set protocol(v) { this.#set('protocol', v); }
  get username() { return this.#f.username; } set username(v) { this.#set('username', v); }
  get password() { return this.#f.password; } set password(v) { this.#set('password', v); }
  get host() { return this.#f.host; } set host(v) { this.#set('host', v); }
  get hostname() { return this.#f.hostname; } set hostname(v) { this.#set('hostname', v); }
  get port() { return this.#f.port; } set port(v) { this.#set('port', v); }
  get pathname() { return this.#f.pathname; } set pathname(v) { this.#set('pathname', v); }
  get search() { return this.#f.search; } set search(v) { this.#set('search', v); }
  get hash() { return this.#f.hash; } set hash(v) { this.#set('hash', v); }
  get origin() { return this.#f.origin; }
  get searchParams() {
    if (!this.#sp) {
      this.#sp = new URLSearchParams(this.#f.search);
      this.#sp[SP_UPDATE] = (q) => { this.#f = hostUrl('set', this.#f.href, 'search', q) || this.#f; };
    }
    return this.#sp;
  }
  toString() { return this.#f.href; }
  toJSON() { return this.#f.href; }
}
