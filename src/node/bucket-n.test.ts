/**
 * A bucket's n below the ring's N, on the deterministic simulator: every path (coordinator,
 * hinted handoff, anti-entropy, partition transfer) keeps each key on exactly the first n owners
 * of its partition, and a change of n on a bucket that holds data converges to the new n
 * (lowering removes the copies beyond the first n once those hold them; raising fills the new
 * owners). docs/operations.md, "A bucket's n".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTombstone } from '../core/versions/index.js';
import { SimCluster } from '../sim/cluster.js';

const KEYS = 60;
const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const FAST = { antiEntropyIntervalMs: 100 };

function allUp(sim: SimCluster, count: number): boolean {
  return sim.runningIds().every((id) => {
    const view = sim.node(id).cluster();
    return view !== null && view.members.filter((m) => m.state === 'up' && m.up).length === count;
  });
}

function formed(seed: number, nodes: number): SimCluster {
  const sim = new SimCluster({ seed, nodes, config: FAST });
  assert.ok(sim.runUntil(() => allUp(sim, nodes), 30_000), 'cluster formed');
  return sim;
}

function setN(sim: SimCluster, bucket: string, n: number): void {
  const r = sim.call('n1', { op: 'setBucket', bucket, change: { n, r: 1, w: 1 } });
  assert.ok(r.ok, `set n=${n}: ${JSON.stringify(r)}`);
  // Let gossip carry the change to every node.
  assert.ok(sim.runUntil(() => sim.runningIds().every((id) => sim.node(id).props(bucket).n === n), 20_000), 'every node knows the new n');
}

function load(sim: SimCluster, bucket: string, via: readonly string[]): void {
  for (let i = 0; i < KEYS; i++) {
    const r = sim.call(via[i % via.length]!, { op: 'put', bucket, key: `k${i}`, value: text(`v${i}`), context: [] });
    assert.ok(r.ok, `write k${i}: ${JSON.stringify(r)}`);
  }
}

/** Nodes that hold a live copy of the key as data. */
function holders(sim: SimCluster, bucket: string, key: string): string[] {
  return sim.runningIds().filter((id) => {
    const set = sim.node(id).localCopy(bucket, key).data;
    return set !== undefined && !isTombstone(set);
  });
}

/** Keys whose holders are not exactly their first n owners. */
function misplaced(sim: SimCluster, bucket: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    const want = sim.primaries(bucket, `k${i}`, n).sort();
    const have = holders(sim, bucket, `k${i}`).sort();
    if (want.join() !== have.join()) out.push(`k${i}: on ${have.join('+') || 'none'}, owners ${want.join('+')}`);
  }
  return out;
}

function readable(sim: SimCluster, bucket: string, via: string): number {
  let ok = 0;
  for (let i = 0; i < KEYS; i++) {
    const r = sim.call(via, { op: 'get', bucket, key: `k${i}` });
    if (r.ok && r.op === 'get' && r.values.length === 1 && Buffer.from(r.values[0]!.data!).toString() === `v${i}`) ok++;
  }
  return ok;
}

test('n=1 on a 3-node ring of N=3: every key on its first owner only, also after anti-entropy ran', () => {
  const sim = formed(41, 3);
  setN(sim, 'one', 1);
  load(sim, 'one', ['n1', 'n2', 'n3']);
  // A normal bucket beside it still gets its N copies.
  for (let i = 0; i < 10; i++) assert.ok(sim.call('n2', { op: 'put', bucket: 'all', key: `k${i}`, value: text('x'), context: [] }).ok);
  const roundsBefore = sim.runningIds().reduce((s, id) => s + sim.node(id).sync.stats.antiEntropyRounds, 0);
  sim.runFor(10_000);
  const rounds = sim.runningIds().reduce((s, id) => s + sim.node(id).sync.stats.antiEntropyRounds, 0) - roundsBefore;
  assert.ok(rounds > 30, `anti-entropy ran (${rounds} rounds)`);
  assert.deepEqual(misplaced(sim, 'one', 1), []);
  for (let i = 0; i < 10; i++) assert.equal(holders(sim, 'all', `k${i}`).length, 3, `all/k${i} on N nodes`);
  assert.equal(readable(sim, 'one', 'n2'), KEYS);
  // Reads (and their read repair) through every node place no copy elsewhere either.
  assert.equal(readable(sim, 'one', 'n1'), KEYS);
  assert.equal(readable(sim, 'one', 'n3'), KEYS);
  sim.runFor(3_000);
  assert.deepEqual(misplaced(sim, 'one', 1), []);
});

test('n=2 through a join and a leave: transfers hand each key to its first 2 owners only', () => {
  const sim = formed(42, 4);
  setN(sim, 'two', 2);
  load(sim, 'two', ['n1', 'n2', 'n3', 'n4']);
  sim.addNode('n5', ['n1:7000']);
  assert.ok(sim.runUntil(() => allUp(sim, 5), 60_000), 'n5 up');
  assert.ok(sim.runUntil(() => misplaced(sim, 'two', 2).length === 0, 60_000), `after the join: ${misplaced(sim, 'two', 2).slice(0, 3).join('; ')}`);
  sim.leave('n2');
  assert.ok(sim.runUntil(() => !sim.isRunning('n2'), 60_000), 'n2 left');
  assert.ok(sim.runUntil(() => misplaced(sim, 'two', 2).length === 0, 60_000), `after the leave: ${misplaced(sim, 'two', 2).slice(0, 3).join('; ')}`);
  assert.equal(readable(sim, 'two', 'n3'), KEYS);
});

test('a write to an n=1 bucket while its owner is down is handed off to that owner, and ends on it alone', () => {
  const sim = formed(43, 4);
  setN(sim, 'one', 1);
  const owner = sim.primaries('one', 'k0', 1)[0]!;
  const via = sim.runningIds().find((id) => id !== owner)!;
  sim.crash(owner);
  assert.ok(sim.runUntil(() => !sim.node(via).isUp(owner), 20_000), 'the owner is seen down');
  const r = sim.call(via, { op: 'put', bucket: 'one', key: 'k0', value: text('v0'), context: [] });
  assert.ok(r.ok, `sloppy write with the owner down: ${JSON.stringify(r)}`);
  sim.restart(owner);
  assert.ok(sim.runUntil(() => holders(sim, 'one', 'k0').join() === owner && sim.runningIds().every((id) => sim.node(id).store.hintCount === 0), 30_000), `k0 on ${holders(sim, 'one', 'k0').join('+')}`);
  sim.runFor(5_000);
  assert.deepEqual(holders(sim, 'one', 'k0'), [owner], 'and anti-entropy copies it nowhere else');
});

test('lowering n on a bucket with data removes the copies beyond the first n; raising it fills the new owners', () => {
  const sim = formed(44, 4);
  load(sim, 'b', ['n1', 'n2']);
  assert.ok(sim.runUntil(() => misplaced(sim, 'b', 3).length === 0, 30_000), 'n=3 to start with');
  setN(sim, 'b', 1);
  assert.ok(sim.runUntil(() => misplaced(sim, 'b', 1).length === 0, 60_000), `lowered to 1: ${misplaced(sim, 'b', 1).slice(0, 3).join('; ')}`);
  assert.equal(readable(sim, 'b', 'n3'), KEYS, 'every key readable at n=1');
  setN(sim, 'b', 3);
  assert.ok(sim.runUntil(() => misplaced(sim, 'b', 3).length === 0, 60_000), `raised to 3: ${misplaced(sim, 'b', 3).slice(0, 3).join('; ')}`);
  assert.equal(readable(sim, 'b', 'n4'), KEYS, 'every key readable at n=3');
});

test('n=1 keys stay readable while a node joins and becomes their first owner', () => {
  const sim = formed(45, 3);
  setN(sim, 'one', 1);
  load(sim, 'one', ['n1', 'n2', 'n3']);
  sim.addNode('n4', ['n1:7000']);
  let failures = 0;
  for (let round = 0; round < 20 && !allUp(sim, 4); round++) {
    failures += KEYS - readable(sim, 'one', 'n2');
    sim.runFor(100);
  }
  assert.ok(sim.runUntil(() => allUp(sim, 4), 60_000), 'n4 up');
  assert.equal(failures, 0, 'reads that missed a key during the join');
  assert.ok(sim.runUntil(() => misplaced(sim, 'one', 1).length === 0, 60_000), misplaced(sim, 'one', 1).slice(0, 3).join('; '));
});

test('n changes mixed with a join, a crash and a leave lose no acknowledged write and end on exactly n owners', () => {
  for (const seed of [46, 47]) {
    const sim = formed(seed, 4);
    const written = new Map<string, string>();
    let next = 0;
    const write = (count: number): void => {
      for (let i = 0; i < count; i++, next++) {
        const via = sim.runningIds()[next % sim.runningIds().length]!;
        const r = sim.call(via, { op: 'put', bucket: 'mix', key: `k${next}`, value: text(`v${next}`), context: [] });
        if (r.ok) written.set(`k${next}`, `v${next}`);
      }
    };
    write(30);
    setN(sim, 'mix', 1);
    write(10);
    sim.addNode('n5', ['n1:7000']);
    sim.runFor(300);
    setN(sim, 'mix', 2);
    write(10);
    sim.crash('n3');
    write(10);
    sim.runFor(1_000);
    sim.restart('n3');
    assert.ok(sim.runUntil(() => allUp(sim, 5), 60_000), `seed ${seed}: all up`);
    sim.leave('n2');
    write(10);
    assert.ok(sim.runUntil(() => !sim.isRunning('n2'), 60_000), `seed ${seed}: n2 left`);
    const placed = (): string[] =>
      [...written.keys()].filter((k) => holders(sim, 'mix', k).sort().join() !== sim.primaries('mix', k, 2).sort().join());
    assert.ok(sim.runUntil(() => placed().length === 0, 120_000), `seed ${seed}: misplaced ${placed().slice(0, 3).join(' ')}`);
    for (const [k, v] of written) {
      const r = sim.call('n4', { op: 'get', bucket: 'mix', key: k });
      assert.ok(r.ok && r.op === 'get' && r.values.length === 1 && Buffer.from(r.values[0]!.data!).toString() === v, `seed ${seed}: ${k} lost`);
    }
  }
});
