/**
 * Membership changes with data on the deterministic simulator: joins pull their partitions and
 * become up, old holders hand over and drop what they no longer own, a leaving node hands
 * everything over and leaves, and every key stays readable and ends on exactly N nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../../sim/cluster.js';

const KEYS = 300;
const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function formed(seed: number, config: ConstructorParameters<typeof SimCluster>[0]['config'] = {}): SimCluster {
  const sim = new SimCluster({ seed, nodes: 3, config });
  assert.ok(sim.runUntil(() => allUp(sim, 3), 20_000), 'cluster formed');
  return sim;
}

function allUp(sim: SimCluster, count: number): boolean {
  return sim.nodeIds().filter((id) => sim.isRunning(id)).every((id) => {
    const view = sim.node(id).cluster();
    return view !== null && view.members.filter((m) => m.state === 'up' && m.up).length === count;
  });
}

function load(sim: SimCluster): void {
  for (let i = 0; i < KEYS; i++) {
    const r = sim.call(`n${(i % 3) + 1}`, { op: 'put', bucket: 'b', key: `k${i}`, value: text(`v${i}`), context: [] });
    assert.ok(r.ok, `write k${i}`);
  }
}

/** Reads every key once through `via`; returns how many did not come back with their value. */
function unreadable(sim: SimCluster, via: string): number {
  let bad = 0;
  for (let i = 0; i < KEYS; i++) {
    const r = sim.call(via, { op: 'get', bucket: 'b', key: `k${i}`, r: 2 });
    if (!r.ok || r.op !== 'get' || r.values.length !== 1 || Buffer.from(r.values[0]!.data!).toString() !== `v${i}`) bad++;
  }
  return bad;
}

function copies(sim: SimCluster, key: string): number {
  return sim.nodeIds().filter((id) => sim.isRunning(id) && sim.node(id).localCopy('b', key).data !== undefined).length;
}

function settled(sim: SimCluster): boolean {
  for (let i = 0; i < KEYS; i++) if (copies(sim, `k${i}`) !== 3) return false;
  return true;
}

test('two nodes join a loaded cluster: reads never fail, shares balance, every key ends on exactly N nodes', () => {
  const sim = formed(11);
  load(sim);
  const seeds = ['n1:7000', 'n2:7000', 'n3:7000'];
  sim.addNode('n4', seeds);
  sim.addNode('n5', seeds);
  let failures = 0;
  for (let round = 0; round < 10 && !allUp(sim, 5); round++) {
    failures += unreadable(sim, 'n2');
    sim.runFor(500);
  }
  assert.ok(sim.runUntil(() => allUp(sim, 5), 30_000), 'joiners up');
  assert.equal(failures, 0, 'reads during the rebalance');
  const view = sim.node('n1').cluster()!;
  const want = (view.partitions * view.n) / 5;
  for (const m of view.members) assert.ok(Math.abs(m.partitions - want) / want <= 0.1, `${m.id} owns ${m.partitions}, want about ${want}`);
  assert.ok(sim.runUntil(() => settled(sim), 60_000), 'every key on exactly N nodes');
  assert.equal(unreadable(sim, 'n5'), 0);
});

test('a leaving node hands everything over and leaves; no key is lost', () => {
  const sim = formed(12);
  load(sim);
  sim.addNode('n4', ['n1:7000']);
  assert.ok(sim.runUntil(() => allUp(sim, 4), 30_000), 'n4 up');
  sim.leave('n2');
  // A node that has left stops, as its process does.
  assert.ok(sim.runUntil(() => !sim.isRunning('n2'), 60_000), 'n2 left and stopped');
  assert.ok(sim.runUntil(() => settled(sim), 60_000), 'every key on exactly N of the remaining nodes');
  assert.equal(unreadable(sim, 'n3'), 0);
  const states = sim.node('n1').cluster()!.members.map((m) => `${m.id}:${m.state}`);
  assert.ok(states.includes('n2:left'), states.join(' '));
});

test('a replica that missed writes is repaired by anti-entropy without any read', () => {
  // Hinted handoff is switched off, and nothing reads: n3 can only get the writes by anti-entropy.
  const sim = formed(13, { buggify: { noHintedHandoff: true } });
  sim.crash('n3');
  for (let i = 0; i < 50; i++) assert.ok(sim.call('n1', { op: 'put', bucket: 'b', key: `k${i}`, value: text(`v${i}`), context: [], w: 2 }).ok);
  sim.restart('n3');
  assert.ok(
    sim.runUntil(() => Array.from({ length: 50 }, (_, i) => sim.node('n3').localCopy('b', `k${i}`).data !== undefined).every(Boolean), 60_000),
    'n3 holds every key again',
  );
  assert.ok(sim.node('n3').sync.stats.keysRepaired > 0 || sim.node('n1').sync.stats.keysRepaired > 0);
});

test('a node can finish leaving while another owner of its partitions is down', () => {
  const sim = formed(14);
  load(sim);
  sim.addNode('n4', ['n1:7000']);
  assert.ok(sim.runUntil(() => allUp(sim, 4), 30_000), 'n4 up');
  sim.crash('n4');
  sim.leave('n2');
  assert.ok(sim.runUntil(() => !sim.isRunning('n2'), 60_000), 'n2 left although n4 is down');
  sim.restart('n4');
  assert.ok(sim.runUntil(() => settled(sim), 120_000), 'every key on exactly N nodes once n4 is back');
  assert.equal(unreadable(sim, 'n1'), 0);
});
