import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestEnv } from '../helpers/harness.js';


/**
 * The resource types of Auth0's Deploy CLI that unifone serves (docs/deploy-cli.md). Listed in
 * `AUTH0_INCLUDED_ONLY`, they are the only handlers the tool runs.
 */
export const UNIFONE_TYPES = [
  'tenant',
  'clients',
  'clientGrants',
  'connections',
  'databases',
  'resourceServers',
  'guardianFactors',
  'guardianPolicies',
  'guardianPhoneFactorMessageTypes',
  'phoneProviders',
  'phoneTemplates',
  'actions',
  'triggers',
];

/**
 * The test server listening over TLS for the tool, on 127.0.0.1 and on more loopback addresses
 * (each one a tenant's domain, in the certificate). The tool runs as a child process: run
 * in-process beside the server (its programmatic API), Node 20 aborted on an async-hooks assertion
 * in timer processing during an import.
 */
export interface ToolServer {
  port: number;
  /** `name:port`, what the tool is given as AUTH0_DOMAIN. */
  domain(name: string): string;
}

export async function listenForTool(e: TestEnv, loopbackIps: string[] = []): Promise<ToolServer & { at(ip: string): string; close(): Promise<void> }> {
  await e.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (e.app.server.address() as AddressInfo).port;
  // More loopback addresses, each a tenant domain a child process can reach: their connections are
  // handed to the same TLS server.
  const forwarders = new Map<string, net.Server>();
  const forwarded = new Set<net.Socket>();
  for (const ip of loopbackIps) {
    const f = net.createServer((sock) => {
      forwarded.add(sock);
      sock.on('close', () => forwarded.delete(sock));
      e.app.server.emit('connection', sock);
    });
    await new Promise<void>((r) => f.listen(0, ip, r));
    forwarders.set(ip, f);
  }
  return {
    port,
    domain: (name) => `${name}:${port}`,
    at: (ip) => `${ip}:${(forwarders.get(ip)!.address() as AddressInfo).port}`,
    /**
     * Stops listening on the other addresses and ends the connections they handed over. Called when
     * the tool is done: its connections are idle (kept alive), and a forwarder's `close` waits for
     * every connection it accepted, which would otherwise last until the server's keep-alive
     * timeout (72 s) ended them.
     */
    async close() {
      const closed = [...forwarders.values()].map((f) => new Promise<void>((r) => f.close(() => r())));
      for (const sock of forwarded) sock.destroy();
      await Promise.all(closed);
    },
  };
}

export interface ToolAuth {
  domain: string;
  clientId: string;
  clientSecret: string;
}

function baseConfig(auth: ToolAuth, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    AUTH0_DOMAIN: auth.domain,
    AUTH0_CLIENT_ID: auth.clientId,
    AUTH0_CLIENT_SECRET: auth.clientSecret,
    AUTH0_INCLUDED_ONLY: UNIFONE_TYPES,
    AUTH0_API_MAX_RETRIES: 0,
    ...extra,
  };
}

/** The Deploy CLI in a process of its own (`a0deploy-runner.cjs`), taking one command at a time. */
export interface A0deploy {
  /** `a0deploy export|import` with the bin's options and a configuration file holding `config`. */
  run(command: 'export' | 'import', options: Record<string, string>, config: Record<string, unknown>): Promise<{ ok: boolean; output: string }>;
  close(): Promise<void>;
}

/**
 * Starts the runner with the test certificate trusted through NODE_EXTRA_CA_CERTS (its process only),
 * as an operator runs the tool against a server with a private CA.
 */
export async function startA0deploy(certFile: string, dir: string): Promise<A0deploy> {
  const child = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'a0deploy-runner.cjs'), [], {
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, NODE_EXTRA_CA_CERTS: certFile, AUTH0_LOG: process.env['DEPLOY_LOG'] ?? 'warn' },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (r: { ok: boolean; output: string }) => void>();
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `the Deploy CLI runner exited (${signal ?? code})`;
    for (const w of waiting.values()) w({ ok: false, output: exited });
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', () => reject(new Error(exited)));
  });
  child.on('message', (m: { id: number; ok: boolean; output: string }) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  let next = 0;
  return {
    run(command, options, config) {
      if (exited) return Promise.resolve({ ok: false, output: exited });
      const id = next++;
      const configFile = path.join(dir, `config-${id}.json`);
      fs.writeFileSync(configFile, JSON.stringify(config));
      return new Promise((resolve) => {
        waiting.set(id, (r) => {
          fs.rmSync(configFile, { force: true });
          resolve(r);
        });
        child.send({ id, command, params: { ...options, config_file: configFile } });
      });
    },
    async close() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill();
      await gone;
    },
  };
}

/**
 * What the Deploy CLI suites share in one test process (test/deploy/deploy-cli.test.ts): the runner,
 * started once so that the tool's schema is compiled once; the certificate it trusts, which the
 * test servers present; a scratch folder for exports and configuration files.
 */
export interface DeployTool {
  /** The runner (started before the first suite). */
  a0(): A0deploy;
  tls: { certFile: string; keyFile: string };
  work: string;
}

export function toolConfig(auth: ToolAuth, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return baseConfig(auth, extra);
}

// ---- the tenant as the Management API shows it ----

type Json = any;

const omit = (o: Json, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const byName = (a: Json[], key = 'name') => [...a].sort((x, y) => String(x[key]).localeCompare(String(y[key])));

/**
 * A tenant's configuration read through the Management API. `stable` keeps ids, timestamps and
 * versions (to show that a second import changes nothing); without it they are left out, and
 * references to clients are by name, so two tenants can be compared.
 */
export async function readTenant(e: TestEnv, host: string, token: string, opts: { stable?: boolean } = {}): Promise<Json> {
  const get = async (url: string) => {
    const res = await e.api('GET', url, { token, host });
    assert.equal(res.statusCode, 200, `GET ${url}: ${res.body}`);
    return res.json();
  };
  const keep = opts.stable === true;
  const ids = keep ? [] : ['id', 'client_id', 'created_at', 'updated_at', 'tenant', 'client_secret', 'signing_keys'];
  const clients: Json[] = await get('/api/v2/clients?per_page=100');
  const nameOf = new Map(clients.map((c) => [c.client_id, c.name]));
  const ref = (id: string) => (keep ? id : (nameOf.get(id) ?? `unknown:${id}`));

  const connections: Json[] = await get('/api/v2/connections?per_page=100');
  const grants: Json[] = await get('/api/v2/client-grants?per_page=100');
  const servers: Json[] = await get('/api/v2/resource-servers?per_page=100');
  const actions: Json = await get('/api/v2/actions/actions?per_page=100');
  const versions: Record<string, number> = {};
  for (const a of actions.actions) versions[a.name] = (await get(`/api/v2/actions/actions/${a.id}/versions`)).total;
  const bindings: Json = await get('/api/v2/actions/triggers/custom-phone-provider/bindings');
  const providers: Json = await get('/api/v2/branding/phone/providers');
  const templates: Json = await get('/api/v2/branding/phone/templates');

  // What the tool writes differently but means the same (not changed in `stable` views):
  // - `session_lifetime` (hours) is exported as `session_lifetime_in_minutes`;
  // - every database gets `disable_self_service_change_password: false` from the tool's schema;
  // - a template type never created shows `from: ""`; the tool creates all five, without `from`.
  const settings = await get('/api/v2/tenants/settings');
  if (!keep && typeof settings.session_lifetime === 'number') {
    settings.session_lifetime_in_minutes = settings.session_lifetime * 60;
    delete settings.session_lifetime;
  }
  if (!keep) {
    for (const c of connections) if (c.options?.disable_self_service_change_password === false) delete c.options.disable_self_service_change_password;
    for (const t of templates.templates) if (t.content?.from === '') delete t.content.from;
  }
  return {
    settings,
    clients: byName(clients.map((c) => omit(c, ids))),
    connections: byName(connections.map((c) => ({ ...omit(c, ids), enabled_clients: c.enabled_clients ? [...c.enabled_clients].map(ref).sort() : c.enabled_clients }))),
    // A grant to the Management API names the host it was read from.
    clientGrants: grants.map((g): Json => ({ ...omit(g, ids), client_id: ref(g.client_id), ...(keep ? {} : { audience: String(g.audience).endsWith('/api/v2/') ? 'management-api' : g.audience }) })).sort((x: Json, y: Json) => `${x.client_id} ${x.audience}`.localeCompare(`${y.client_id} ${y.audience}`)),
    // The system Management API's identifier names the host it was read from.
    resourceServers: byName(servers.map((r) => (r.is_system ? { name: r.name, is_system: true } : omit(r, ids)))),
    actions: byName(actions.actions.map((a: Json) => ({ ...omit(a, [...ids, 'built_at', 'deployed_version', 'current_version']), ...(keep ? { versions: versions[a.name] } : {}) }))),
    bindings: bindings.bindings.map((b: Json) => ({ ...omit(b, ids), action: b.action.name, ...(keep ? { id: b.id, action_id: b.action.id } : {}) })),
    providers: providers.providers.map((p: Json) => omit(p, ids)),
    templates: templates.templates.map((t: Json) => omit(t, keep ? [] : [...ids, 'version'])),
    factors: await get('/api/v2/guardian/factors'),
    messageTypes: await get('/api/v2/guardian/factors/phone/message-types'),
    policies: await get('/api/v2/guardian/policies'),
  };
}
