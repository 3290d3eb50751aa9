// Part of `npm run build`: tsc compiles the host's TypeScript but must not emit the in-isolate
// JavaScript (it would reformat it and append `export {}`), so the files are copied verbatim next to
// the compiled module that reads them (src/adapters/actions/sandbox/bootstrap.ts).
import { cpSync } from 'node:fs';

const from = new URL('../src/adapters/actions/sandbox/isolate/', import.meta.url);
const to = new URL('../dist/adapters/actions/sandbox/isolate/', import.meta.url);
cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.d.ts') });
