/** The simulated network's fates and the recent-events ring, on their own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRng } from '../core/random.js';
import { SimNetwork } from './network.js';
import { RecentEvents } from './recent-events.js';

test('cuts are one-way; a split cuts both ways between groups and not within them', () => {
  const net = new SimNetwork({ dropRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 5 });
  const rng = seededRng(1);
  net.cutOneWay(['a'], ['b']);
  assert.deepEqual(net.fate(rng, 'a', 'b'), []);
  assert.equal(net.fate(rng, 'b', 'a').length, 1);
  net.split([['a', 'b'], ['c']]);
  assert.equal(net.fate(rng, 'a', 'b').length, 1, 'the split replaced the one-way cut');
  assert.deepEqual(net.fate(rng, 'a', 'c'), []);
  assert.deepEqual(net.fate(rng, 'c', 'b'), []);
  net.heal();
  assert.equal(net.fate(rng, 'c', 'b').length, 1);
});

test('drop, duplicate and delay follow the configured rates and bounds', () => {
  const net = new SimNetwork({ dropRate: 0.2, duplicateRate: 0.1, minDelayMs: 2, maxDelayMs: 9 });
  const rng = seededRng(7);
  let lost = 0;
  let twice = 0;
  for (let i = 0; i < 10_000; i++) {
    const delays = net.fate(rng, 'a', 'b');
    if (delays.length === 0) lost++;
    if (delays.length === 2) twice++;
    for (const d of delays) assert.ok(d >= 2 && d <= 9);
  }
  assert.ok(Math.abs(lost / 10_000 - 0.2) < 0.02, `lost ${lost}`);
  assert.ok(Math.abs(twice / 8000 - 0.1) < 0.02, `twice ${twice}`);
});

test('the recent-events ring keeps the latest events, oldest first', () => {
  const ring = new RecentEvents(3);
  for (let i = 1; i <= 5; i++) ring.record(i * 1000, `n${i}`, 'peer', `m${i}`);
  assert.deepEqual(ring.last().map((e) => e.detail), ['m3', 'm4', 'm5']);
  assert.deepEqual(ring.last(2).map((e) => e.node), ['n4', 'n5']);
  assert.equal(ring.recorded, 5);
  assert.match(ring.format(1), /5\.000 s\s+n5\s+peer\s+m5/);
});
