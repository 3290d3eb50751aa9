import { readFileSync } from 'node:fs';

/**
 * The in-isolate code lives in plain JavaScript files beside this module (isolate/*.js): it runs
 * inside the V8 isolate, never in the host, so it must not be transpiled or bundled with host
 * helpers, and it has no access to anything of the host but the callbacks it is given. The type
 * checker reads the files (`// @ts-check`, isolate/scope.d.ts); the build copies them verbatim
 * next to the compiled module, so this path resolves the same from src/ and from dist/.
 */
const read = (name: string): string => readFileSync(new URL(`./isolate/${name}`, import.meta.url), 'utf8');

/**
 * The whole in-isolate bootstrap, read once: a function of the host callbacks (in the order of
 * `bridgeFor`) that installs the globals and returns the `load`/`run` entry points.
 */
export const BOOTSTRAP_SOURCE = [
  '(function (hostLog, hostFetch, hostAbort, hostTimer, hostCrypto, hostUrl, hostCache) {',
  "'use strict';",
  read('globals.js'),
  read('runtime.js'),
  'return { load, run };',
  '})',
].join('\n');
