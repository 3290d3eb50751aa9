/**
 * What the in-isolate files (globals.js, runtime.js) find in scope, for the type checker only.
 *
 * Inside the isolate both files are the body of one function (see ../bootstrap.ts): its parameters
 * are the host callbacks of `bridgeFor` (../../bridge.ts), and runtime.js uses what globals.js
 * declares. The checker sees each file as a module of its own, so those names are declared here,
 * globally. Nothing of this exists in the host: no host module may use these names.
 *
 * runtime.js also uses globals.js's Buffer, URL, URLSearchParams, TextEncoder and TextDecoder: those
 * names are the host's too (Node and DOM typings), so there the checker holds runtime.js to the
 * Node/WHATWG shapes those classes imitate.
 */

import type { SandboxResponse } from '../../egress.js';

// A module (for the import above) that declares globals.
declare global {
  /** The types of the in-isolate code (JSDoc: `Isolate.Foreign`, ...). */
  namespace Isolate {
    /** A value that comes from action code: anything at all, checked before use. */
    type Foreign = any;

    /**
     * Bytes the codecs read by index, past the end included: such a read is `undefined`, which their
     * bit operations take as 0 on purpose (`undefined & 63` is 0). Typed reads would all be
     * `number | undefined` (noUncheckedIndexedAccess), which the checker refuses in `&`, `<<`...
     */
    interface ByteReads {
      readonly length: number;
      readonly [i: number]: Foreign;
    }

    /** The fields of a WHATWG URL, as the host parses them (`hostUrl`). */
    interface UrlFields {
      href: string;
      origin: string;
      protocol: string;
      username: string;
      password: string;
      host: string;
      hostname: string;
      port: string;
      pathname: string;
      search: string;
      hash: string;
    }

    type UrlPart = 'protocol' | 'username' | 'password' | 'host' | 'hostname' | 'port' | 'pathname' | 'search' | 'hash';

    /**
     * Transfer options of isolated-vm. It reads them with ordinary property lookups, inherited ones
     * included, so each must be a frozen object without a prototype, made before action code runs:
     * `Object.freeze({ __proto__: null, ... })`. The `__proto__: null` member makes the checker refuse
     * an ordinary object literal.
     */
    type NoProto<T> = Readonly<{ __proto__: null } & T>;
    type TransferOptions = NoProto<{ copy?: true; promise?: true }>;
    type CallOptions = NoProto<{ arguments?: TransferOptions; result?: TransferOptions }>;

    /** An isolated-vm Reference to a host function, as the isolate sees it. */
    interface HostReference<Args extends unknown[], Result> {
      apply(receiver: undefined, args: Args, options: CallOptions): Promise<Result>;
      applySyncPromise(receiver: undefined, args: Args): Result;
    }

    /** What runtime.js sends to `hostFetch` (checked again by the host's EgressSession). */
    interface FetchRequest {
      id: number;
      url: string;
      method: string;
      headers: Array<[string, string]>;
      body: Uint8Array | null;
      redirect: string;
    }

    /** A function an action hands to a timer. */
    type TimerCallback = (...args: Foreign[]) => void;

    /**
     * The isolate's global object, as runtime.js fills it. The classes and functions it installs for
     * actions are never read back here, hence `unknown`.
     */
    interface Global {
      console: Record<'log' | 'info' | 'debug' | 'warn' | 'error' | 'trace' | 'dir' | 'table', (...args: Foreign[]) => void>;
      setTimeout(fn: TimerCallback, ms?: number, ...args: Foreign[]): number;
      setInterval(fn: TimerCallback, ms?: number, ...args: Foreign[]): number;
      setImmediate(fn: TimerCallback, ...args: Foreign[]): number;
      clearTimeout(id: number): void;
      clearInterval(id: number): void;
      clearImmediate(id: number): void;
      queueMicrotask(fn: () => void): void;
      global: Global;
      crypto: unknown;
      fetch: unknown;
      Headers: unknown;
      Response: unknown;
      AbortController: unknown;
      AbortSignal: unknown;
      TextEncoder: unknown;
      TextDecoder: unknown;
      Buffer: unknown;
      URL: unknown;
      URLSearchParams: unknown;
      atob: (data: string) => string;
      btoa: (data: string) => string;
    }
  }

  // The parameters of the bootstrap function, in the order of `bridgeFor`.
  const hostLog: (level: string, text: string) => void;
  const hostFetch: Isolate.HostReference<[Isolate.FetchRequest], SandboxResponse>;
  const hostAbort: (id: number) => void;
  const hostTimer: Isolate.HostReference<[number], boolean>;
  const hostCrypto: {
    (op: 'check', alg: string): true;
    (op: 'hash' | 'hmac', alg: string, data: Uint8Array, key: Uint8Array | null): Uint8Array;
    (op: 'random', size: number): Uint8Array;
    (op: 'uuid'): string;
    (op: 'int', min: number, max: number): number;
    (op: 'hashes'): string[];
  };
  const hostUrl: {
    (op: 'parse', input: string, base?: string): Isolate.UrlFields | null;
    (op: 'set', href: string, part: Isolate.UrlPart, value: string): Isolate.UrlFields | null;
  };
  const hostCache: Isolate.HostReference<['get' | 'set' | 'delete', string, string | null, string | null], string | null>;

  // Declared by globals.js, used by runtime.js.
  const G: Isolate.Global;
  function utf8Encode(str: string): Uint8Array<ArrayBuffer>;
  function utf8Decode(bytes: Isolate.ByteReads): string;
  function b64Encode(bytes: Isolate.ByteReads, url: boolean): string;
  function b64Decode(str: string): Uint8Array<ArrayBuffer>;
  function strToBytes(str: string, enc?: string | null): Uint8Array<ArrayBuffer>;
  function bytesToStr(bytes: Uint8Array, enc?: string | null): string;
}
