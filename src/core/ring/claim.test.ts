import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyAssignment, firstCounts, movedReplicas, replicaCounts } from './assignment.js';
import { claimNode, maxNodes, rebalance, releaseNode } from './claim.js';
import { assertWellFormed, buildByJoins, changedPositions, nodeName, worstDeviation } from './testing/tables.js';

const withoutNode = <V>(m: ReadonlyMap<string, V>, id: string): Map<string, V> => new Map([...m].filter(([k]) => k !== id));

test('while the cluster has at most N nodes every node is in every list, appended in join order', () => {
  let table = emptyAssignment(16, 3);
  const weights = new Map<string, number>();
  for (const id of ['c', 'a', 'b']) {
    weights.set(id, 1);
    const before = table;
    table = claimNode(table, id, weights);
    for (let p = 0; p < 16; p++) assert.deepEqual(table.owners[p], [...before.owners[p]!, id]);
  }
  assert.deepEqual(table.owners[5], ['c', 'a', 'b']);
  const shrunk = releaseNode(claimNode(table, 'd', new Map([...weights, ['d', 1]])), 'd', weights);
  assertWellFormed(shrunk, ['a', 'b', 'c']);
  const two = releaseNode(table, 'a', withoutNode(weights, 'a'));
  for (let p = 0; p < 16; p++) assert.deepEqual(two.owners[p], ['c', 'b']);
  const none = releaseNode(releaseNode(two, 'b', new Map([['c', 1]])), 'c', new Map());
  assert.deepEqual(none.owners, emptyAssignment(16, 3).owners);
});

for (const [nodes, partitions] of [[5, 64], [10, 128], [100, 1024], [1000, 8192]] as const) {
  test(`${nodes} equal nodes joined one by one on Q=${partitions} N=3: the most loaded holds at most 10% over the mean`, () => {
    const { table } = buildByJoins(partitions, 3, nodes);
    assertWellFormed(table, Array.from({ length: nodes }, (_, i) => nodeName(i)), nodes <= 100);
    const counts = [...replicaCounts(table).values()];
    const mean = (partitions * 3) / nodes;
    assert.ok(Math.max(...counts) <= mean * 1.1, `max ${Math.max(...counts)} mean ${mean}`);
    // Stronger than asked: every node holds floor or ceil of the mean.
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1);
    // Coordination (being listed first) is balanced too: within two of a third of a node's slots.
    const firsts = firstCounts(table);
    for (const [node, slots] of replicaCounts(table)) assert.ok(Math.abs((firsts.get(node) ?? 0) - slots / 3) <= 2, `${node} first in ${firsts.get(node)} of ${slots}`);
  });
}

test('with weights 1 and 2 mixed, shares follow weights within 10%', () => {
  const weightOf = (i: number): number => (i % 3 === 0 ? 2 : 1);
  const { table, weights } = buildByJoins(512, 3, 24, weightOf);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  for (const [node, count] of replicaCounts(table)) {
    const share = (512 * 3 * weights.get(node)!) / total;
    assert.ok(Math.abs(count - share) <= share * 0.1, `${node}: ${count} vs ${share}`);
  }
  assert.ok(worstDeviation(table, weights) < 1);
});

test('a node too heavy for its share is capped at one replica per partition', () => {
  const { table, weights } = buildByJoins(64, 3, 5, (i) => (i === 0 ? 100 : 1));
  assert.equal(replicaCounts(table).get(nodeName(0)), 64);
  assertWellFormed(table, [...weights.keys()]);
  assert.ok(worstDeviation(table, weights) < 1);
});

test('adding 1 node to 10 moves at most 1.2 x Q·N/11 partition-replicas, and no position beyond that', () => {
  const { table, weights } = buildByJoins(128, 3, 10);
  const next = claimNode(table, 'newcomer', new Map([...weights, ['newcomer', 1]]));
  const bound = (1.2 * 128 * 3) / 11;
  assert.ok(movedReplicas(table, next) <= bound, `${movedReplicas(table, next)} > ${bound}`);
  assert.ok(changedPositions(table, next) <= bound, `${changedPositions(table, next)} positions changed`);
  // All the moved slots went to the newcomer: the minimum.
  assert.equal(movedReplicas(table, next), replicaCounts(next).get('newcomer'));
});

test('removing 1 of 11 moves about the minimum: the leaver\'s partition-replicas, at most 2 more', () => {
  const { table, weights } = buildByJoins(128, 3, 11);
  const leaver = nodeName(4);
  const next = releaseNode(table, leaver, withoutNode(weights, leaver));
  const minimum = replicaCounts(table).get(leaver)!;
  assert.ok(movedReplicas(table, next) <= minimum + 2, `${movedReplicas(table, next)} moved, minimum ${minimum}`);
  assertWellFormed(next, [...weights.keys()].filter((n) => n !== leaver));
  assert.ok(worstDeviation(next, withoutNode(weights, leaver)) < 1);
});

test('a newcomer\'s partitions are spread around the ring, not one run', () => {
  const { table, weights } = buildByJoins(256, 3, 10);
  const next = claimNode(table, 'newcomer', new Map([...weights, ['newcomer', 1]]));
  const mine = next.owners.flatMap((row, p) => (row.includes('newcomer') ? [p] : []));
  const gaps = mine.map((p, i) => ((mine[(i + 1) % mine.length]! - p + 256) % 256) || 256);
  const even = 256 / mine.length;
  assert.ok(Math.max(...gaps) <= 3 * even, `largest gap ${Math.max(...gaps)} vs even spacing ${even}`);
  const quarters = [0, 1, 2, 3].map((k) => mine.filter((p) => Math.floor(p / 64) === k).length);
  assert.ok(Math.min(...quarters) >= mine.length / 8, `per quarter ${quarters}`);
});

test('the same inputs give the same table, whatever the cache holds', () => {
  const first = buildByJoins(256, 3, 20, (i) => 1 + (i % 3));
  const second = buildByJoins(256, 3, 20, (i) => 1 + (i % 3));
  assert.deepEqual(second.table, first.table);
  // A structurally equal table built by hand (no cached packing) gives the same result too.
  const copy = { partitions: 256, replicas: 3, owners: first.table.owners.map((row) => [...row]) };
  const weights = new Map([...first.weights, ['x', 2]]);
  assert.deepEqual(claimNode(copy, 'x', weights), claimNode(first.table, 'x', weights));
  assert.deepEqual(releaseNode(copy, nodeName(3), withoutNode(weights, nodeName(3))), releaseNode(first.table, nodeName(3), withoutNode(weights, nodeName(3))));
});

test('rebalance follows a change of weight, moving only what the new targets need', () => {
  const { table, weights } = buildByJoins(128, 3, 8);
  const heavier = new Map(weights).set(nodeName(2), 3);
  const next = rebalance(table, heavier);
  assert.ok(worstDeviation(next, heavier) < 1);
  const gained = replicaCounts(next).get(nodeName(2))! - replicaCounts(table).get(nodeName(2))!;
  assert.equal(movedReplicas(table, next), gained);
  assert.deepEqual(rebalance(next, heavier).owners, next.owners);
});

test('replicas = 1 and tiny rings work; a table holds at most Q·N nodes', () => {
  const single = buildByJoins(8, 1, 5);
  assertWellFormed(single.table, [...single.weights.keys()]);
  assert.ok(worstDeviation(single.table, single.weights) < 1);
  const full = buildByJoins(2, 2, 4);
  assertWellFormed(full.table, [...full.weights.keys()]);
  assert.equal(maxNodes(2, 2), 4);
  assert.throws(() => claimNode(full.table, 'one-too-many', new Map([...full.weights, ['one-too-many', 1]])), /cannot hold/);
});

test('misuse is an assertion: a second claim, an unknown release, a missing weight', () => {
  const { table, weights } = buildByJoins(16, 3, 4);
  assert.throws(() => claimNode(table, nodeName(1), weights), /already/);
  assert.throws(() => releaseNode(table, 'ghost', weights), /holds no partitions/);
  assert.throws(() => claimNode(table, 'x', weights), /weight/);
});
