import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress, isAddressAllowed } from '../../src/adapters/actions/ip-policy.js';

test('egress address classes: every spelling of a non-public address is refused', () => {
  const cases: Array<[string, string]> = [
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::7f00:1', 'loopback'], // IPv4-compatible, hex
    ['::127.0.0.1', 'loopback'], // IPv4-compatible, dotted
    ['64:ff9b::7f00:1', 'loopback'], // NAT64
    ['::ffff:0:7f00:1', 'reserved'], // IPv4-translated
    ['64:ff9b:1::a00:1', 'reserved'], // local-use NAT64
    ['::', 'reserved'],
    ['10.1.2.3', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['fe80::1', 'link-local'],
  ];
  for (const [address, cls] of cases) assert.equal(classifyAddress(address), cls, address);
  for (const [address, cls] of cases) assert.equal(isAddressAllowed(address, false).allowed, cls === 'public', address);
  assert.equal(isAddressAllowed('::ffff:0:7f00:1', true).allowed, false, 'reserved stays refused even with the private network allowed');
  assert.equal(isAddressAllowed('169.254.169.254', true).allowed, false, 'metadata is never reachable');
});
