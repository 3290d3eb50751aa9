import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import swc from '@swc/core';

// The layer rules in .dependency-cruiser.cjs, run exactly as `npm run lint:layers` runs them
// (the dependency-cruiser CLI, in its own process), against small source trees written for the
// purpose: one that breaks each rule once, one that keeps them all.

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

interface CruiseResult {
  /** The exit code of the command as `npm run lint:layers` runs it (its default reporter): the number of errors. */
  code: number;
  /** That command's output. */
  output: string;
  /** The violations, from a second run with the JSON reporter (which always exits 0). */
  violations: Violation[];
}

function depcruise(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DEPCRUISE, 'src', '--config', CONFIG, ...args],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** Cruises dir/src with the project's config. */
async function cruise(dir: string): Promise<CruiseResult> {
  const [plain, json] = await Promise.all([depcruise(dir, []), depcruise(dir, ['--output-type', 'json'])]);
  let report: { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  try {
    report = JSON.parse(json.stdout);
  } catch {
    throw new Error(`dependency-cruiser exited ${json.code} without a report:\n${json.stderr}`);
  }
  // A package resolves to node_modules/<name>/... below the fixture's node_modules symlink, which
  // dependency-cruiser follows to the real folder: keep the path from node_modules/ on.
  const local = (p: string) => p.replace(/^.*?(?=node_modules\/)/, '');
  const violations = report.summary.violations.map((v) => ({ rule: v.rule.name, from: local(v.from), to: local(v.to) }));
  return { code: plain.code, output: plain.stdout + plain.stderr, violations };
}

/** Writes files (path → source) under a new temp dir, with the project's node_modules linked in. */
function writeTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-layers-'));
  for (const [file, source] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
  }
  // So that package imports resolve into node_modules/<name>/..., as they do for the real src/.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const key = (v: Violation) => `${v.rule}: ${v.from} → ${v.to}`;

describe('layer rules: a tree that breaks each rule', () => {
  let dir: string;
  let result: CruiseResult;

  before(async () => {
    dir = writeTree({
      // The composition root: may import anything.
      'src/composition/container.ts': [
        "import { Repo } from '../adapters/repo.js';",
        "import { Service } from '../domain/service.js';",
        'export class Container { service = new Service(new Repo()); }',
      ].join('\n'),
      'src/domain/service.ts': 'export interface Port { get(): string }\nexport class Service { constructor(readonly port: Port) {} }\n',
      'src/adapters/repo.ts': "import type { Port } from '../domain/service.js';\nexport class Repo implements Port { get() { return 'x'; } }\n",

      // domain → adapter
      'src/domain/x.ts': "import { Repo } from '../adapters/repo.js';\nexport const x = new Repo();\n",
      // domain → infrastructure packages: a type-only import counts as much as a value import.
      'src/domain/sql.ts': "import type { Kysely } from 'kysely';\nexport type Db = Kysely<object>;\n",
      'src/domain/log.ts': "import pino from 'pino';\nexport const log = pino();\n",

      // A cycle made of type-only imports, in both spellings.
      'src/domain/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'src/domain/b.ts': "import { type A } from './a.js';\nexport interface B { a?: A }\n",
      // A cycle made of type-only re-exports. (Were dependency-cruiser to fall back from @swc/core
      // to its acorn-loose guesswork, it would miss both of these and this test would fail.)
      'src/domain/c.ts': "export type { D } from './d.js';\nexport interface C { n: number }\n",
      'src/domain/d.ts': "export type * from './c.js';\nexport interface D { s: string }\n",

      // http → adapter, and http → composition root (type-only).
      'src/http/routes.ts': [
        "import { Repo } from '../adapters/repo.js';",
        "import type { Container } from '../composition/container.js';",
        'export const routes = (c: Container) => [c, new Repo()];',
      ].join('\n'),

      // adapter → worker, worker → a src/ module outside the domain.
      'src/adapters/scheduler.ts': "import { tick } from '../workers/tick.js';\nexport const schedule = () => tick();\n",
      'src/workers/tick.ts': "import { settings } from '../config.js';\nexport const tick = () => settings;\n",
      'src/config.ts': 'export const settings = { every: 1000 };\n',

      // A module of no layer importing the composition root.
      'src/logger.ts': "import type { Container } from './composition/container.js';\nexport type L = Container;\n",
    });
    result = await cruise(dir);
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every violation is reported, once, by the rule for it; nothing else is', () => {
    const expected = [
      'domain-not-to-outer-layers: src/domain/x.ts → src/adapters/repo.ts',
      'domain-not-to-infrastructure-packages: src/domain/sql.ts → node_modules/kysely/dist/index.js',
      'domain-not-to-infrastructure-packages: src/domain/log.ts → node_modules/pino/pino.js',
      'http-not-to-adapters: src/http/routes.ts → src/adapters/repo.ts',
      'http-not-to-outer-layers: src/http/routes.ts → src/composition/container.ts',
      'adapters-not-to-outer-layers: src/adapters/scheduler.ts → src/workers/tick.ts',
      'workers-domain-only: src/workers/tick.ts → src/config.ts',
      'composition-only-from-process-entries: src/logger.ts → src/composition/container.ts',
    ];
    const actual = result.violations.filter((v) => v.rule !== 'no-circular').map(key);
    assert.deepEqual(actual.sort(), expected.sort());
  });

  test('a cycle of type-only imports (import type, import { type }) is a cycle', () => {
    const cycles = result.violations.filter((v) => v.rule === 'no-circular');
    assert.ok(
      cycles.some((v) => [v.from, v.to].sort().join() === 'src/domain/a.ts,src/domain/b.ts'),
      cycles.map(key).join('\n'),
    );
  });

  test('a cycle of type-only re-exports (export type { } from, export type * from) is a cycle', () => {
    const cycles = result.violations.filter((v) => v.rule === 'no-circular');
    assert.ok(
      cycles.some((v) => [v.from, v.to].sort().join() === 'src/domain/c.ts,src/domain/d.ts'),
      cycles.map(key).join('\n'),
    );
    assert.equal(cycles.length, 2, cycles.map(key).join('\n'));
  });

  test('the check fails: it exits with the number of violations', () => {
    assert.equal(result.violations.length, 10);
    assert.equal(result.code, 10, result.output);
    assert.match(result.output, /x 10 dependency violations \(10 errors, 0 warnings\)/);
  });
});

test('layer rules: a tree that keeps them passes', async () => {
  const dir = writeTree({
    'src/main.ts': "import { createContainer } from './composition/container.js';\nimport { buildApp } from './http/app.js';\nbuildApp(createContainer().deps);\n",
    'src/composition/startup.ts': "import type { Container } from './container.js';\nexport const boot = (c: Container) => c;\n",
    'src/cli/index.ts': "export const run = async () => (await import('../composition/container.js')).createContainer();\n",
    'src/config.ts': "import { z } from 'zod';\nexport const Config = z.object({ port: z.number() });\n",
    'src/logger.ts': "import pino from 'pino';\nexport const createLogger = () => pino();\n",
    'src/composition/container.ts': [
      "import { Repo } from '../adapters/repo.js';",
      "import { Service } from '../domain/service.js';",
      "import { Worker } from '../workers/worker.js';",
      "import type { AppDeps } from '../http/app.js';",
      "import { createLogger } from '../logger.js';",
      'export function createContainer() {',
      '  const service = new Service(new Repo());',
      '  const deps: AppDeps = { service };',
      '  return { deps, worker: new Worker(service), log: createLogger() };',
      '}',
      'export type Container = ReturnType<typeof createContainer>;',
    ].join('\n'),
    'src/domain/service.ts': "import { randomUUID } from 'node:crypto';\nimport type { Port } from './port.js';\nexport class Service { constructor(readonly port: Port) {} id() { return randomUUID(); } }\n",
    'src/domain/port.ts': 'export interface Port { get(): string }\n',
    'src/adapters/repo.ts': "import type { Kysely } from 'kysely';\nimport type { Port } from '../domain/port.js';\nexport class Repo implements Port { db?: Kysely<object>; get() { return 'x'; } }\n",
    'src/http/app.ts': [
      "import Fastify from 'fastify';",
      "import type { Service } from '../domain/service.js';",
      'export interface AppDeps { service: Service }',
      'export const buildApp = (deps: AppDeps) => Fastify().decorate("deps", deps);',
    ].join('\n'),
    'src/workers/worker.ts': "import type { Service } from '../domain/service.js';\nexport class Worker { constructor(readonly service: Service) {} }\n",
  });
  try {
    const result = await cruise(dir);
    assert.deepEqual(result.violations.map(key), []);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /no dependency violations found/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// @swc/core, the parser the rules are checked with, does not report `import('...')` used as a
// type (`typeof import('./x.js')`, `import('./x.js').Foo`): a dependency written that way would
// go unchecked. src/ has none; this keeps it so.
test('src/ has no import("...") type expressions, which the layer check would not see', () => {
  const found: string[] = [];
  const visit = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, file);
    } else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record['type'] === 'TsImportType') {
        const argument = record['argument'] as { value?: string } | undefined;
        found.push(`${file}: import('${argument?.value ?? '?'}')`);
      }
      for (const value of Object.values(record)) visit(value, file);
    }
  };
  const files = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 0);
  for (const file of files) {
    visit(swc.parseFileSync(path.join(ROOT, 'src', file), { syntax: 'typescript', decorators: true }), file);
  }
  assert.deepEqual(found, []);
});
