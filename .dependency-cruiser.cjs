// Layer rules for src/, checked by `npm run lint:layers` (part of `npm test`).
//
// The layers, innermost first:
//   src/domain/       the model and its ports; knows nothing of how it is run
//   src/adapters/     implementations of domain ports (storage, crypto, providers, sandbox, metrics)
//   src/http/         the Fastify routes; they drive the domain
//   src/workers/      background loops; they drive the domain
//   src/composition/  the composition root: the one place that wires adapters into the domain
//   src/main.ts, src/cli/   process entries; they start the composition root
//
// Every import counts, `import type` included: the parser is @swc/core (see
// options below), which reports type-only imports like any other import.

/** Paths, as dependency-cruiser sees them: relative to the working directory, with forward slashes. */
const DOMAIN = '^src/domain/';
const ADAPTERS = '^src/adapters/';
const HTTP = '^src/http/';
const WORKERS = '^src/workers/';
const CLI = '^src/cli/';
const COMPOSITION = ['^src/composition/'];
const PROCESS_ENTRIES = ['^src/main\\.ts$', CLI];

/**
 * npm packages that are infrastructure: the web server, SQL, HTTP client, logging,
 * the script sandbox and metrics. Matched both resolved (node_modules/<name>/...) and,
 * should resolution fail, as the bare specifier.
 */
const INFRASTRUCTURE_PACKAGE_NAMES =
  '(fastify|@fastify/[^/]+|kysely|pg|better-sqlite3|undici|pino|isolated-vm|prom-client)';
const INFRASTRUCTURE_PACKAGES = [
  `(^|/)node_modules/${INFRASTRUCTURE_PACKAGE_NAMES}(/|$)`,
  `^${INFRASTRUCTURE_PACKAGE_NAMES}(/|$)`,
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-not-to-outer-layers',
      comment:
        'The domain is the core every other layer builds on: it talks to the outside only through ' +
        'the ports it declares, and adapters implement them. Importing an adapter, a route, a worker, ' +
        'the composition root or a process entry (or src/logger.ts, which is pino under another name) ' +
        'would tie business rules to one way of running them and make the domain untestable without it.',
      severity: 'error',
      from: { path: DOMAIN },
      to: {
        path: [ADAPTERS, HTTP, WORKERS, ...COMPOSITION, ...PROCESS_ENTRIES, '^src/logger\\.ts$'],
      },
    },
    {
      name: 'domain-not-to-infrastructure-packages',
      comment:
        'The domain must not depend on the web server, the database drivers and query builder, ' +
        'the HTTP client, the logger, the sandbox or the metrics library, not even for types: ' +
        'those belong behind a port, in an adapter.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: INFRASTRUCTURE_PACKAGES },
    },
    {
      name: 'http-not-to-adapters',
      comment:
        'Routes reach storage, crypto and providers through domain services and ports. Importing an ' +
        'adapter couples the HTTP surface to one implementation and bypasses the domain rules.',
      severity: 'error',
      from: { path: HTTP },
      to: { path: ADAPTERS },
    },
    {
      name: 'http-not-to-outer-layers',
      comment:
        'Route plugins receive narrow deps interfaces declared in src/http or src/domain; they do not ' +
        'import the composition root (not even its types), the process entries or the workers. ' +
        'Depending on the whole container hides what a route really needs and drags every adapter ' +
        'into its type graph.',
      severity: 'error',
      from: { path: HTTP },
      to: { path: [...COMPOSITION, ...PROCESS_ENTRIES, WORKERS] },
    },
    {
      name: 'adapters-not-to-outer-layers',
      comment:
        'Adapters implement domain ports and may import the domain, nothing further out: an adapter ' +
        'that imports a route, a worker, the composition root or a process entry turns the layering ' +
        'inside out.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: [HTTP, WORKERS, ...COMPOSITION, ...PROCESS_ENTRIES] },
    },
    {
      name: 'workers-domain-only',
      comment:
        'Workers are driven by the composition root and drive the domain through its services and ' +
        'ports; of src/ they may import the domain (and other workers) only.',
      severity: 'error',
      from: { path: WORKERS },
      to: { path: '^src/', pathNot: [DOMAIN, WORKERS] },
    },
    {
      name: 'composition-only-from-process-entries',
      comment:
        'Only the composition root and the process entries (src/main.ts, src/cli/) may ' +
        'import the composition root. This catches what the per-layer rules above do not name, ' +
        'e.g. src/config.ts, src/logger.ts or src/docs/ importing it.',
      severity: 'error',
      from: {
        pathNot: [DOMAIN, ADAPTERS, HTTP, WORKERS, ...COMPOSITION, ...PROCESS_ENTRIES],
      },
      to: { path: COMPOSITION },
    },
    {
      name: 'no-circular',
      comment:
        'No module in src/ may depend on itself through others, type-only imports included: a cycle ' +
        'means two modules can only be understood, tested and moved together, and a type-only cycle ' +
        'is where a runtime one usually starts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    // The typescript devDependency (7.x) is the native compiler, with no JavaScript API for
    // dependency-cruiser to use; @swc/core parses the TypeScript instead. Its visitor reports
    // every import and re-export declaration, type-only ones included.
    parser: 'swc',
    // Were a typescript with the JavaScript API ever found, keep type-only imports as dependencies.
    tsPreCompilationDeps: true,
    // Packages are checked by name; what they import in turn is not our concern.
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      // Resolve package subpaths such as kysely/migration through their "exports" map, as Node does.
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
