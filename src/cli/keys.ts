import type { Command } from 'commander';
import { CliError, printJson, withContainer } from './context.js';

/** `unifone keys rotate`: re-seal every stored secret with the first UNIFONE_SECRET_KEY. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('secret-key maintenance');

  keys
    .command('rotate')
    .description('re-seal every stored secret with the first key of UNIFONE_SECRET_KEY (keep the old key after it while this runs)')
    .action(async () => {
      const { rotateSecrets, RotationError } = await import('../domain/keys/rotate-secrets.js');
      await withContainer(async (c) => {
        const r = await rotateSecrets(c.repos, c.box, c.tokenKeys, c.repos.actions).catch((e: unknown) => {
          // A value no configured key opens is a configuration problem: exit 2, like other bad input.
          throw e instanceof RotationError ? new CliError(e.message) : e;
        });
        const kinds = {
          signing_keys: r.signingKeys,
          client_secrets: r.clientSecrets,
          phone_provider_credentials: r.phoneProviderCredentials,
          guardian_twilio_auth_tokens: r.guardianTwilioAuthTokens,
          connection_secrets: r.connectionSecrets,
          action_secrets: r.actionSecrets,
          server_secrets: r.serverSecrets,
          phone_migration_snapshots: r.phoneMigrationSnapshots,
          phone_bot_check_secrets: r.phoneBotCheckSecrets,
        };
        printJson({ key_id: c.box.primaryKid, ...kinds });
        const skipped = Object.values(kinds).reduce((n, k) => n + k.skipped, 0);
        if (skipped > 0) process.stderr.write(`${skipped} value(s) changed while rotating; run \`unifone keys rotate\` again\n`);
      });
    });
}
