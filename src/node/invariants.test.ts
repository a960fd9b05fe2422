/**
 * invariants() can fail: a node whose state is corrupted on purpose must be caught by the check the
 * simulator runs after every step (a check that never fails proves nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../sim/cluster.js';

function formed(): SimCluster {
  const sim = new SimCluster({ seed: 3, nodes: 3 });
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === 3), 20_000));
  return sim;
}

test('a healthy node passes its invariants after every step of a formed cluster', () => {
  const sim = formed();
  sim.runFor(2_000);
  for (const id of sim.nodeIds()) sim.node(id).invariants();
});

test('a hint count that drifted from the hint store breaks the invariants', () => {
  const sim = formed();
  const node = sim.node('n1');
  node.store.hintCount += 1;
  assert.throws(() => node.invariants(), /hint count says 1 but the hint store holds 0/);
});

test('a corrupted placement cache breaks the invariants, and the simulator stops at the next step', () => {
  const sim = formed();
  const node = sim.node('n2');
  const placement = node.placement({ hash: new Uint8Array(16), bucket: 'b', key: 'k' }, 3);
  assert.ok(placement !== null);
  (placement.primaries as string[]).reverse();
  assert.throws(() => node.invariants(), /cached placement of partition 0/);
  assert.throws(() => sim.runFor(1_000), /breaks its invariants/);
});
