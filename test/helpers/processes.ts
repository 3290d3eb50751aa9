import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The project root: where the CLI and the server are run from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the tests' builds of the sources live (git-ignored), one folder per state of the sources. */
const BUILDS = path.join(ROOT, '.test-build');

/**
 * A hash of what a build is made from: every file under the given folders and the given files (paths
 * from the project root), names and contents, in a stable order.
 */
export function contentHash(paths: string[]): string {
  const hash = createHash('sha256');
  const add = (file: string) => hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  const walk = (p: string) => {
    if (!fs.statSync(p).isDirectory()) return add(p);
    for (const entry of fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() || entry.isFile()) walk(path.join(p, entry.name));
    }
  };
  for (const p of paths) walk(path.join(ROOT, p));
  return hash.digest('hex');
}

/** What the build is made from: the sources, the build's configuration and the copy script. */
const sourcesHash = () => contentHash(['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/copy-isolate-code.js', 'package-lock.json']);

async function build(): Promise<string> {
  const hash = sourcesHash();
  const dir = path.join(BUILDS, hash);
  if (fs.existsSync(path.join(dir, 'main.js'))) return dir;
  fs.mkdirSync(BUILDS, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  const run = promisify(execFile);
  // `npm run build` without its type check (`npm test` checks the types first) and without the dashboard.
  await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', tmp, '--noCheck', '--sourceMap', 'false'], { cwd: ROOT });
  await run(process.execPath, [path.join(ROOT, 'scripts', 'copy-isolate-code.js'), tmp], { cwd: ROOT });
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // Another test process built the same sources first: theirs is as good.
    if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // Builds of sources that are no more.
  for (const name of fs.readdirSync(BUILDS)) {
    if (/^[0-9a-f]{64}$/.test(name) && name !== hash) fs.rmSync(path.join(BUILDS, name), { recursive: true, force: true });
  }
  return dir;
}

let built: Promise<string> | undefined;

/**
 * The sources compiled as `npm run build` compiles them (tsc with tsconfig.build.json, the
 * isolate's JavaScript copied beside), into `.test-build/<hash of the sources>/`: the JavaScript an
 * operator runs from `dist/`. A process started from it starts several times faster than one that
 * compiles through tsx's loader, which matters to the tests that start dozens. Built once per state
 * of the sources, by the first test process that needs it (a test process started after a change
 * builds anew); two building at once each write a folder of their own and one rename wins.
 */
export function compiledSources(): Promise<string> {
  built ??= build();
  return built;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI exactly as an operator would, in its own process. Never rejects: the exit code is data. */
export async function runCli(env: NodeJS.ProcessEnv, args: string[]): Promise<CliResult> {
  const dir = await compiledSources();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', path.join(dir, 'cli', 'index.js'), ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the server (`npm start`'s `dist/main.js`, compiled from the current sources) and waits for its first-start banner. */
export async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; out: () => string; base: string }> {
  const dir = await compiledSources();
  const child = spawn(process.execPath, ['--no-node-snapshot', path.join(dir, 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && /(client_secret:|bootstrap credentials are in)/.test(out)) {
        clearTimeout(timer);
        resolve({ child, out: () => out, base: m[1]! });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}
