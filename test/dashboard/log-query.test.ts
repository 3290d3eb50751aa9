import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logQuery, NO_FILTERS } from '../../dashboard/src/activity/logQuery.js';
import { parseLogQuery } from '../../src/domain/notifications/log-query.js';
import { maskNumber } from '../../src/domain/notifications/dispatcher.js';

/** The Activity page's filters become a `q` the server's log search understands, clause by clause. */
test('the Activity filters as Auth0 q, read back by the server', () => {
  assert.equal(logQuery(NO_FILTERS), '');
  const q = logQuery({ type: 'gd_send_sms, phone_delivered', from: '2025-01-01T10:00', to: '', user: 'auth0|abc', number: '+1 (415) 555-2671' });
  const from = new Date('2025-01-01T10:00').toISOString();
  assert.equal(q, `type:(gd_send_sms OR phone_delivered) AND date:[${from} TO *] AND user_id:auth0|abc AND phone_number:+14155552671`);
  assert.deepEqual(parseLogQuery(q), { types: ['gd_send_sms', 'phone_delivered'], from, userId: 'auth0|abc', maskedNumber: maskNumber('+14155552671') });
  assert.deepEqual(parseLogQuery(logQuery({ ...NO_FILTERS, type: 'phone_send_denied', to: '2025-02-01T00:00' })), { types: ['phone_send_denied'], to: new Date('2025-02-01T00:00').toISOString() });
});
