import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { reconnectDelayMs } from './backoff.js';

describe('reconnect backoff', () => {
  it('grows from min towards max, never beyond, and keeps at least half the ceiling', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random01) => {
        const policy = { minMs: 50, maxMs: 2000 };
        const ceilingMs = Math.min(2000, 50 * 2 ** attempt);
        const delayMs = reconnectDelayMs(policy, attempt, random01);
        assert.ok(delayMs >= Math.floor(ceilingMs / 2) && delayMs <= ceilingMs, `${delayMs} for attempt ${attempt}`);
      }),
    );
    assert.equal(reconnectDelayMs({ minMs: 50, maxMs: 2000 }, 0, 0), 25);
    assert.equal(reconnectDelayMs({ minMs: 50, maxMs: 2000 }, 10, 0.999_999), 2000);
  });
});
