/** Counting wrong dashboard tokens: by which key, and for how long. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey, failedAttempts } from '../../src/dashboard/server/failed-attempts.js';

describe('wrong-token counting', () => {
  it('counts an IPv6 client by its /64, so rotating addresses inside it does not reset the count', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::7'), '2001:db8:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  });

  it('forgets the oldest addresses past its bound, and each address after its window', () => {
    let clock = 0;
    const attempts = failedAttempts(() => clock, { limit: 2, windowMs: 10_000, maxAddresses: 2 });
    attempts.fail('a');
    attempts.fail('a');
    assert.equal(attempts.retryAfter('a'), 10);
    clock = 2_500;
    assert.equal(attempts.retryAfter('a'), 8, 'rounded up to whole seconds');
    attempts.fail('b');
    attempts.fail('c'); // the third address pushes out the oldest
    assert.equal(attempts.retryAfter('a'), 0);
    attempts.fail('b');
    assert.equal(attempts.retryAfter('b'), 10, 'its window opened with its first failure');
    clock = 12_500;
    assert.equal(attempts.retryAfter('b'), 0);
  });
});
