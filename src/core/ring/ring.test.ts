import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyAssignment, replicaCounts, type Assignment } from './assignment.js';
import { claimNode } from './claim.js';
import { keyHash, partitionOf } from './hash.js';
import { preferenceList } from './preference.js';
import { Ring } from './ring.js';
import { buildByJoins } from './testing/tables.js';

const handMade: Assignment = {
  partitions: 4,
  replicas: 2,
  owners: [
    ['a', 'b'],
    ['c', 'a'],
    ['b', 'd'],
    ['e', 'c'],
  ],
};

test('a preference list is the owners, then the clockwise walk skipping nodes already listed', () => {
  assert.deepEqual(preferenceList(handMade, 0), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(preferenceList(handMade, 1), ['c', 'a', 'b', 'd', 'e']);
  assert.deepEqual(preferenceList(handMade, 3), ['e', 'c', 'a', 'b', 'd']);
  assert.throws(() => preferenceList(handMade, 4), /out of range/);
});

test('Ring answers from one table: key partition, owners, preference lists, what a node holds', () => {
  const { table } = buildByJoins(64, 3, 6);
  const ring = new Ring(table);
  assert.equal(ring.partitionOfKey('b', 'k'), partitionOf(keyHash('b', 'k'), 64));
  assert.equal(ring.partitions, 64);
  assert.deepEqual(ring.nodes(), [...replicaCounts(table).keys()].sort());
  let total = 0;
  for (const node of ring.nodes()) {
    const held = ring.partitionsOf(node);
    assert.equal(held.length, ring.replicaCount(node));
    for (const p of held) assert.ok(ring.owners(p).includes(node));
    total += held.length;
  }
  assert.equal(total, 64 * 3);
  for (let p = 0; p < 64; p++) {
    const list = ring.preferenceList(p);
    assert.equal(list, ring.preferenceList(p), 'cached');
    assert.deepEqual(list, preferenceList(table, p));
    assert.deepEqual(list.slice(0, 3), ring.owners(p));
  }
  assert.deepEqual(ring.partitionsOf('nobody'), []);
  assert.equal(ring.replicaCount('nobody'), 0);
});

test('Ring refuses a malformed table', () => {
  assert.throws(() => new Ring({ partitions: 2, replicas: 2, owners: [['a', 'a'], ['a', 'b']] }), /twice/);
  assert.throws(() => new Ring({ partitions: 3, replicas: 1, owners: [['a'], ['a'], ['a']] }), /power of two/);
  assert.doesNotThrow(() => new Ring(emptyAssignment(8, 3)));
  assert.deepEqual(new Ring(emptyAssignment(8, 3)).preferenceList(0), []);
});

test('a one-node ring lists that node for every partition', () => {
  const ring = new Ring(claimNode(emptyAssignment(8, 3), 'solo', new Map([['solo', 1]])));
  for (let p = 0; p < 8; p++) assert.deepEqual(ring.preferenceList(p), ['solo']);
  assert.equal(ring.replicaCount('solo'), 8);
});
