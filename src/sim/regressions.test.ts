/**
 * Node bugs the simulator found, each as the smallest story that shows it. A test marked `todo`
 * documents a bug not fixed yet: it runs, and its failure does not fail the suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, PROTOCOL_VERSION } from '../protocol/messages.js';
import type { GetResult } from '../protocol/requests.js';
import { SimCluster } from './cluster.js';
import { runSeed } from './run.js';
import { isFormed, isQuiet, waitFor } from './snapshot.js';

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const SEEDS = ['n1:7000', 'n2:7000', 'n3:7000'];

function allUp(sim: SimCluster, count: number): boolean {
  return sim.runningIds().every((id) => {
    const view = sim.node(id).cluster();
    return view !== null && view.members.filter((m) => m.state === 'up' && m.up).length === count;
  });
}

/**
 * Found by `npm run sim -- --seed 14 --membership` (and seed 25): an acknowledged blind put lost.
 * A node that handed a partition over (and deleted its copy) and later owns it again coordinates a
 * write with no local copy of the key, so it mints its dot counter from 1 again. The other
 * replicas' histories already cover that dot (from before the handover), so they take the new
 * value for an old, superseded one and drop it, after acknowledging it.
 */
test('a write coordinated by a node that re-owns a partition it handed over is not lost (dot reuse)', () => {
  const sim = new SimCluster({ seed: 21, nodes: 3 });
  assert.ok(sim.runUntil(() => allUp(sim, 3), 20_000), 'formed');
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
  // Every key gets a few versions coordinated by n1, so n1's counters are in every key's history.
  for (const key of keys) for (let v = 0; v < 3; v++) assert.ok(sim.call('n1', { op: 'put', bucket: 'b', key, value: text(`old${v}`), context: [], w: 3 }).ok);
  sim.addNode('n4', SEEDS);
  assert.ok(sim.runUntil(() => allUp(sim, 4), 30_000), 'n4 joined');
  assert.notEqual(waitFor(sim, () => isQuiet(sim), 60_000, 100), null, 'transfers finished');
  // A key n1 handed to n4 and no longer holds.
  const moved = keys.find((key) => sim.primaries('b', key, 3).includes('n4') && !sim.primaries('b', key, 3).includes('n1') && sim.localData('n1', 'b', key) === undefined);
  assert.ok(moved !== undefined, 'n1 handed some key over to n4');
  // n4 leaves: n1 owns the key again at once, but n4's data cannot reach n1 yet.
  sim.cutOneWay(['n4'], ['n1']);
  sim.leave('n4');
  const leaving = (): boolean => sim.node('n1').membership()?.members.find((m) => m.id === 'n4')?.state === 'leaving';
  assert.ok(sim.runUntil(leaving, 10_000), 'n1 learns that n4 is leaving');
  assert.ok(sim.primaries('b', moved, 3, 'n1').includes('n1'), 'n1 owns the key again');
  const write = sim.call('n1', { op: 'put', bucket: 'b', key: moved, value: text('new'), context: [], w: 2 });
  assert.ok(write.ok, 'the write is acknowledged');
  sim.heal();
  assert.notEqual(waitFor(sim, () => isQuiet(sim), 60_000, 100), null, 'quiet again');
  const read = sim.call('n2', { op: 'get', bucket: 'b', key: moved, r: 3 }) as GetResult;
  const values = read.values.map((v) => Buffer.from(v.data!).toString());
  assert.ok(values.includes('new'), `the acknowledged write survives; read ${JSON.stringify(values)}`);
});

/**
 * Found by `npm run sim -- --seed 6` and `--seed 127` (default faults): replicas never converge, and
 * values an acknowledged delete superseded come back. A node that sees none of a key's primaries
 * coordinates a sloppy write under a fresh one-off actor (`nX:dY/fN`), so a key written through a
 * split collects an entry per such write; past maxClockEntries (10) every replica truncates its
 * copy, each keeping its own actor's entry, so the replicas' copies differ forever (anti-entropy
 * and read repair keep exchanging them), and the dropped entries no longer cover the dots a delete
 * superseded.
 */
test('a key written many times through a split, away from all its primaries, still converges (fallback actors and truncation)', () => {
  const sim = new SimCluster({ seed: 5, nodes: 5 });
  assert.notEqual(waitFor(sim, () => isFormed(sim), 30_000), null, 'formed');
  const key = 'k';
  const primaries = sim.primaries('b', key, 3);
  const others = sim.nodeIds().filter((id) => !primaries.includes(id));
  // Every primary coordinates once, each superseding the last: their entries are the oldest, without values.
  for (const p of primaries) {
    const read = sim.call(p, { op: 'get', bucket: 'b', key, r: 3 }) as GetResult;
    assert.ok(sim.call(p, { op: 'put', bucket: 'b', key, value: text(`v0${p}`), context: read.context, w: 3 }).ok);
    sim.runFor(10);
  }
  let context = (sim.call(others[0]!, { op: 'get', bucket: 'b', key, r: 3 }) as GetResult).context;
  sim.split([primaries, others]);
  sim.runFor(8000);
  for (let i = 1; i <= 14; i++) {
    const via = others[i % others.length]!;
    const write = sim.call(via, { op: 'put', bucket: 'b', key, value: text(`v${i}`), context, w: 1 });
    assert.ok(write.ok && write.op === 'put', `write ${i}`);
    context = write.context;
    sim.runFor(10);
  }
  sim.heal();
  assert.notEqual(waitFor(sim, () => isQuiet(sim), 30_000, 100), null, 'quiet');
  const same = (): boolean => {
    const copies = primaries.map((p) => JSON.stringify(sim.localData(p, 'b', key)?.entries.map((e) => [e.node, e.counter]) ?? null));
    return copies.every((c) => c === copies[0]);
  };
  assert.notEqual(waitFor(sim, same, 30_000, 100), null, `primaries converge: ${primaries.map((p) => JSON.stringify(sim.localData(p, 'b', key)?.entries.map((e) => [e.node, e.counter]))).join(' | ')}`);
});

/**
 * Found by `npm run sim -- --seed 1 --membership` (also seeds 10, 21, 50 and others): after a member
 * left the cluster (and stopped), hints addressed to it stay on their holders forever. Nothing
 * delivers or re-targets them to the key's current owners, so the cluster never becomes quiet, and
 * a sloppy write acknowledged only by such a hint (w=1) would be visible to no read. This replays
 * the seed, so it is only as stable as the seed's schedule: rewrite it as a scripted story once the
 * handoff of hints for departed members exists.
 */
test('no hint stays behind for a member that left (seed 1 with membership changes)', () => {
  const r = runSeed({ seed: 1, membership: true });
  const stuck = r.sim.runningIds().map((id) => [id, r.sim.node(id).hintsByTarget()] as const).filter(([, h]) => Object.keys(h).length > 0);
  assert.deepEqual(stuck, [], `hints left: ${JSON.stringify(stuck)}`);
  assert.ok(r.ok, r.driverViolations.join('; '));
});

/**
 * Found by `npm run sim -- --seed 20262` (and 20427, 20544, 20572, 20597, 20812): an acknowledged
 * cart add lost around a join or a leave. A node that is not a primary of the key in its own view
 * still coordinates a write forwarded to it by a node whose ring already changed (a Forward is
 * never forwarded again). It minted the version under its own actor from its local copy (data and
 * hints) but stored the version nowhere itself, so the next such write on top of the same copy
 * minted the same dot again; the primaries, which already held that dot, took the new value for
 * one they had seen and dropped it, after acknowledging it. Here the copy is a hint the node keeps
 * for a primary it cannot reach, and the forwards are delivered to it directly.
 */
test('two writes forwarded to a node that is not a primary both survive (no dot reuse by a non-primary coordinator)', () => {
  const sim = new SimCluster({ seed: 7, nodes: 5 });
  assert.notEqual(waitFor(sim, () => isFormed(sim), 30_000), null, 'formed');
  const key = 'k';
  const [p1, p2, p3] = sim.primaries('b', key, 3) as [string, string, string];
  // The last node of the preference list: the other non-primary comes first as a fallback, so x stores nothing itself.
  const x = sim.primaries('b', key, 5)[4]!;
  // Alone, x coordinates a write itself and keeps the hints for all three primaries.
  sim.split([[x], sim.nodeIds().filter((id) => id !== x)]);
  sim.runFor(8000);
  sim.call(x, { op: 'put', bucket: 'b', key, value: text('alone'), context: [], w: 1 });
  assert.ok(sim.node(x).localCopy('b', key).hints !== undefined, 'x keeps hints for the primaries');
  // Back, except that x and p3 cannot reach each other: x keeps its hint for p3.
  sim.heal();
  sim.cutOneWay([x], [p3]);
  sim.cutOneWay([p3], [x]);
  sim.runFor(8000);
  assert.ok(!sim.node(x).isUp(p3) && sim.node(x).isUp(p1) && sim.node(x).isUp(p2), 'x sees p1 and p2 up, p3 down');
  assert.ok(sim.node(x).localCopy('b', key).hints !== undefined, 'the hint for p3 is still on x');
  const failuresBefore = sim.node(x).metrics.quorumFailures;
  for (const [i, value] of ['first', 'second'].entries()) {
    const request = { op: 'put', bucket: 'b', key, value: text(value), context: [], w: 2, strict: false } as const;
    sim.submitInput(x, { kind: 'peer', from: `${p1}:7000`, envelope: { v: PROTOCOL_VERSION, from: p1, body: { type: MessageType.Forward, id: 9000 + i, request } } });
    assert.ok(sim.runUntil(() => sim.node(x).pendingOperations() === 0, 10_000), `forwarded write ${value} finished`);
  }
  assert.equal(sim.node(x).metrics.quorumFailures, failuresBefore, 'both forwarded writes were acknowledged');
  sim.heal();
  assert.notEqual(waitFor(sim, () => isQuiet(sim), 60_000, 100), null, 'quiet again');
  const read = sim.call(p1, { op: 'get', bucket: 'b', key, r: 3 }) as GetResult;
  const values = read.values.map((v) => Buffer.from(v.data!).toString()).sort();
  assert.ok(values.includes('first') && values.includes('second'), `both acknowledged writes survive; read ${JSON.stringify(values)}`);
});

/**
 * Every seed that exposed a bug, replayed with the default profile (membership changes included):
 * 6 and 127 (replicas never converging after clock truncation), 14 and 25 (dot reuse after a
 * partition came back), 106 and 200 (the checker judged strict writes against a ring that changed
 * while they were in flight), 207 (a node that left stopped while cut off from everyone, so the
 * others kept it `leaving` forever), 41, 82, 158 and 228 (members stopped heartbeating a node once
 * they saw it `left`, so it could never learn that they knew, and waited the maximum).
 */
test('the seeds that found bugs pass', () => {
  for (const seed of [6, 14, 25, 41, 82, 106, 127, 158, 200, 207, 228]) {
    const r = runSeed({ seed, membership: true });
    assert.ok(r.ok, `seed ${seed}: ${[...r.driverViolations, ...r.report.violations.map((v) => v.detail)].join('; ')}`);
  }
});

/**
 * The seeds of 20001..20962 that lost one acknowledged cart add each (default profile, a join and
 * a leave): every loss was a dot minted twice by a coordinator that was not a primary of the key
 * (see the forwarded-writes story above). And 25220, which a first fix broke: a fresh actor for
 * every write of a node cut off from everyone grew the key's clock past maxClockEntries, truncation
 * dropped the entry that covered a deleted value, and a stale copy brought that value back.
 */
test('the seeds that lost a write to a non-primary coordinator reusing a dot pass', () => {
  for (const seed of [20262, 20427, 20544, 20572, 20597, 20812, 25220]) {
    const r = runSeed({ seed, membership: true });
    assert.ok(r.ok, `seed ${seed}: ${[...r.driverViolations, ...r.report.violations.map((v) => v.detail)].join('; ')}`);
  }
});
