import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isE164, parseRecipient } from '../../src/domain/phone-number.js';

// Calling codes of every kind: NANP, European, Asian, the premium-prone ranges of docs/abuse.md, and
// non-geographic ones (international freephone, satellite, shared-cost).
const CODES = ['1', '44', '49', '33', '91', '7', '86', '81', '55', '61', '998', '994', '996', '675', '979', '800', '808', '870', '881', '882', '883', '888'];

test('a number is accepted exactly when libphonenumber (full metadata) says it is valid, with its type, country and calling code', () => {
  fc.assert(
    fc.property(fc.constantFrom(...CODES), fc.stringMatching(/^\d{6,13}$/), (code, rest) => {
      const value = `+${code}${rest}`;
      const p = parsePhoneNumberFromString(value);
      const valid = p !== undefined && p.isValid() && p.number === value;
      const parsed = parseRecipient(value);
      assert.equal(isE164(value), valid, value);
      if (!valid) return assert.equal(parsed, undefined, value);
      assert.deepEqual(parsed, { e164: value, country: p.country, numberType: p.getType(), callingCode: p.countryCallingCode });
    }),
    { numRuns: 20_000, seed: 42 },
  );
});

test('known numbers: a US mobile-or-fixed line, a UK mobile, a toll-free and an invalid one', () => {
  assert.equal(parseRecipient('+14155552671')?.numberType, 'FIXED_LINE_OR_MOBILE');
  assert.equal(parseRecipient('+447400123456')?.numberType, 'MOBILE');
  assert.equal(parseRecipient('+18005550199')?.numberType, 'TOLL_FREE');
  assert.equal(parseRecipient('+1415555267'), undefined);
  assert.equal(parseRecipient('14155552671')?.e164, '+14155552671');
});
