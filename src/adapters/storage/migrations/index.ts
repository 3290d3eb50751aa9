import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-notifications.js';
import * as m0003 from './0003-actions.js';
import * as m0004 from './0004-auth.js';
import * as m0005 from './0005-refresh-token-user-index.js';
import * as m0006 from './0006-notification-policy.js';
import * as m0007 from './0007-phone-migrations.js';
import * as m0008 from './0008-config-properties.js';
import * as m0009 from './0009-operators.js';
import * as m0010 from './0010-phone-send-policies.js';
import * as m0011 from './0011-velocity-limits.js';
import * as m0013 from './0013-phone-fraud-and-spend.js';
import * as m0014 from './0014-phone-bot-check.js';
import * as m0015 from './0015-phone-fraud-minutes.js';
import * as m0016 from './0016-fraud-sends-indexes.js';
import * as m0017 from './0017-rate-limit-journal.js';
import { fraudSendsRecipientIndex } from './0018-fraud-sends-recipient-index.js';
import * as m0019 from './0019-otp-fraud-columns.js';
import { fraudSendsByTime } from './0020-fraud-sends-by-time.js';

/** Every migration, in order. Names sort; never rename or edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-notifications': m0002,
  '0003-actions': m0003,
  '0004-auth': m0004,
  '0005-refresh-token-user-index': m0005,
  '0006-notification-policy': m0006,
  '0007-phone-migrations': m0007,
  '0008-config-properties': m0008,
  '0009-operators': m0009,
  '0010-phone-send-policies': m0010,
  '0011-velocity-limits': m0011,
  '0013-phone-fraud-and-spend': m0013,
  '0014-phone-bot-check': m0014,
  '0015-phone-fraud-minutes': m0015,
  '0016-fraud-sends-indexes': m0016,
  '0017-rate-limit-journal': m0017,
};

/** Every migration for a dialect: they are the same for both but for those that say otherwise (0018, 0020). */
export function migrationsFor(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  return {
    getMigrations: async () => ({
      ...migrations,
      '0018-fraud-sends-recipient-index': fraudSendsRecipientIndex(dialect),
      '0019-otp-fraud-columns': m0019,
      '0020-fraud-sends-by-time': fraudSendsByTime(dialect),
    }),
  };
}
