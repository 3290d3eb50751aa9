import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASELINE_HOURS, countryAlarm, judge, type PrefixTraffic } from '../../src/domain/abuse/phone-fraud-rules.js';
import { DEFAULT_THRESHOLDS, parsePrefix, prefixOf } from '../../src/domain/abuse/phone-fraud-settings.js';

const t = DEFAULT_THRESHOLDS;
const quiet = { sends: 0, verified: 0 };
const traffic = (p: Partial<PrefixTraffic>): PrefixTraffic => ({
  burst: { sends: 0, numbers: 0, verified: 0 },
  hour: quiet,
  settled: quiet,
  baselineSends: 0,
  ...p,
});

test('adjacent burst: eight distinct numbers with under 20 % verified; seven, or a verified burst, are not', () => {
  assert.equal(judge(traffic({ burst: { sends: 8, numbers: 8, verified: 0 } }), quiet, t)?.rule, 'adjacent_burst');
  assert.equal(judge(traffic({ burst: { sends: 8, numbers: 8, verified: 1 } }), quiet, t)?.rule, 'adjacent_burst', '1 in 8 verified is below 20 %');
  assert.equal(judge(traffic({ burst: { sends: 7, numbers: 7, verified: 0 } }), quiet, t), undefined);
  assert.equal(judge(traffic({ burst: { sends: 10, numbers: 10, verified: 2 } }), quiet, t), undefined, '20 % verified is not below the threshold');
  assert.equal(judge(traffic({ burst: { sends: 20, numbers: 2, verified: 0 } }), quiet, t), undefined, 'repeats to two numbers are no burst to adjacent numbers');
});

test("the baseline raises a busy prefix's burst threshold; a country under alarm lowers it", () => {
  // 60 sends an hour for a week: 10 per ten minutes, four times that is 40.
  const busy = 60 * BASELINE_HOURS;
  assert.equal(judge(traffic({ burst: { sends: 39, numbers: 39, verified: 0 }, baselineSends: busy }), quiet, t), undefined);
  const f = judge(traffic({ burst: { sends: 40, numbers: 40, verified: 0 }, baselineSends: busy }), quiet, t);
  assert.equal(f?.rule, 'adjacent_burst');
  assert.equal(f?.evidence['threshold_numbers'], 40);

  const alarm = { sends: 50, verified: 9 };
  assert.equal(countryAlarm(alarm, t), true);
  assert.equal(countryAlarm({ sends: 49, verified: 0 }, t), false, 'too few settled sends to judge a country');
  assert.equal(countryAlarm({ sends: 50, verified: 10 }, t), false);
  assert.equal(judge(traffic({ burst: { sends: 3, numbers: 3, verified: 0 } }), alarm, t)?.rule, 'adjacent_burst');
  assert.equal(judge(traffic({ burst: { sends: 3, numbers: 3, verified: 0 } }), quiet, t), undefined);
});

test('low conversion over settled sends; volume spike against the baseline', () => {
  assert.equal(judge(traffic({ settled: { sends: 20, verified: 3 } }), quiet, t)?.rule, 'low_conversion');
  assert.equal(judge(traffic({ settled: { sends: 19, verified: 0 } }), quiet, t), undefined);
  assert.equal(judge(traffic({ settled: { sends: 20, verified: 4 } }), quiet, t), undefined);
  // Legitimate traffic: 1.4 sends per verified code is a conversion of about 0.71.
  assert.equal(judge(traffic({ settled: { sends: 1400, verified: 1000 } }), quiet, t), undefined);

  assert.equal(judge(traffic({ hour: { sends: 30, verified: 10 } }), quiet, t)?.rule, 'volume_spike');
  assert.equal(judge(traffic({ hour: { sends: 30, verified: 11 } }), quiet, t), undefined, 'above 35 % verified a spike is a campaign, not pumping');
  assert.equal(judge(traffic({ hour: { sends: 30, verified: 0 }, baselineSends: 10 * BASELINE_HOURS }), quiet, t), undefined, 'a prefix used to 10 an hour may send 50');
  assert.equal(judge(traffic({ hour: { sends: 50, verified: 0 }, baselineSends: 10 * BASELINE_HOURS }), quiet, t)?.rule, 'volume_spike');
});

test('prefixes: four digits dropped, never shorter than the country code and one digit; operator input', () => {
  assert.equal(prefixOf('+998901234567'), '+99890123');
  assert.equal(prefixOf('+14155550123'), '+1415555');
  assert.equal(prefixOf('+2901234'), '+2901', 'Saint Helena: the country code and one digit are kept');
  assert.equal(parsePrefix('4479'), '+4479');
  assert.equal(parsePrefix('+4479'), '+4479');
  assert.equal(parsePrefix('+0'), undefined);
  assert.equal(parsePrefix('+44 79'), undefined);
  assert.equal(parsePrefix('+1234567890123456'), undefined);
});
