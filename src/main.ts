import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig, ConfigError } from './config.js';
import { createContainer } from './composition/container.js';
import { buildApp } from './http/app.js';
import { createLogger } from './logger.js';
import { runBootstrap, runOperatorBootstrap } from './composition/startup.js';

/** Process entry: configuration, storage and migrations, first-start bootstrap, listen, signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const c = await createContainer({ config, logger });
  const boot = await runBootstrap(c);
  const operator = await runOperatorBootstrap(c);
  const app = await buildApp(c.http);
  await app.listen({ port: config.port, host: config.host });
  c.actionsPurge.start();
  if (config.delivery.dispatcherEnabled) c.outbox.start();
  const scheme = config.tls ? 'https' : 'http';
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const port = (app.server.address() as AddressInfo).port;
  const base = `${scheme}://${shownHost}:${port}`;
  const lines = [`unifone listening on ${base} (storage: ${c.storage.dialect} at ${c.storage.location})`];
  if (boot?.created) {
    lines.push(
      '',
      `First start: created tenant "${boot.tenant.name}" and its management client (shown once; also in ${path.join(config.dataDir, 'bootstrap.json')}):`,
      `  client_id:     ${boot.created.clientId}`,
      `  client_secret: ${boot.created.clientSecret}`,
      `  audience:      ${boot.created.audience}`,
      '',
      'Get a Management API token:',
      `  curl -s ${base}/oauth/token -H 'content-type: application/json' \\`,
      `    -d '{"grant_type":"client_credentials","client_id":"${boot.created.clientId}","client_secret":"<client_secret>","audience":"${boot.created.audience}"}'`,
    );
  } else if (boot) {
    lines.push(`Default tenant "${boot.tenant.name}"; bootstrap credentials are in ${path.join(config.dataDir, 'bootstrap.json')}`);
  }
  if (operator) {
    lines.push(
      '',
      `Dashboard: ${base}/dashboard/ — sign in as (shown once; also in ${path.join(config.dataDir, 'bootstrap.json')}):`,
      `  email:    ${operator.email}`,
      `  password: ${operator.password}`,
    );
  }
  // The credentials go to stdout once, on purpose; they never go to the structured log.
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await c.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`unifone failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
