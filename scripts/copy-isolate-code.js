// Part of `npm run build`: tsc compiles the host's TypeScript but must not emit the in-isolate
// JavaScript (it would reformat it and append `export {}`), so the files are copied verbatim next to
// the compiled module that reads them (src/adapters/actions/sandbox/bootstrap.ts). The output folder
// is dist/, or the folder given as the argument (the tests' build, test/helpers/processes.ts).
import { cpSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const out = process.argv[2] ? pathToFileURL(`${process.argv[2].replace(/\/$/, '')}/`) : new URL('../dist/', import.meta.url);
const from = new URL('../src/adapters/actions/sandbox/isolate/', import.meta.url);
const to = new URL('adapters/actions/sandbox/isolate/', out);
cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
