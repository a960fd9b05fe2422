/**
 * Tombstone reaping on the deterministic simulator, with a short grace: a deleted key's tombstone
 * leaves every replica's storage; a replica that missed the delete and comes back before the reap
 * does not bring the key back (the reap waits until it holds the tombstone); a hint of the old
 * value held by a node that comes back after the reap is dropped, not delivered; and the reap
 * queue survives the coordinator's restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimCluster } from '../sim/cluster.js';

const GRACE_MS = 2_000;
const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function formed(seed: number, nodes: number): SimCluster {
  const sim = new SimCluster({ seed, nodes, config: { tombstoneGraceMs: GRACE_MS, antiEntropyIntervalMs: 100 } });
  const up = (): boolean =>
    sim.runningIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.state === 'up' && m.up).length === nodes);
  assert.ok(sim.runUntil(up, 30_000), 'cluster formed');
  return sim;
}

/** Nodes whose storage holds anything for the key: data (a value or a tombstone) or a hint. */
function holders(sim: SimCluster, key: string): string[] {
  return sim.nodeIds().filter((id) => {
    if (!sim.isRunning(id)) return sim.localData(id, 'b', key) !== undefined;
    const copy = sim.node(id).localCopy('b', key);
    return copy.data !== undefined || copy.hints !== undefined;
  });
}

function readsAbsent(sim: SimCluster, via: string, key: string): boolean {
  const r = sim.call(via, { op: 'get', bucket: 'b', key, r: 2 });
  return r.ok && r.op === 'get' && r.values.length === 0;
}

function put(sim: SimCluster, via: string, key: string, value: string): void {
  const r = sim.call(via, { op: 'put', bucket: 'b', key, value: text(value), context: [], w: 1 });
  assert.ok(r.ok, `put ${key}: ${JSON.stringify(r)}`);
}

function del(sim: SimCluster, via: string, key: string): void {
  const read = sim.call(via, { op: 'get', bucket: 'b', key });
  assert.ok(read.ok && read.op === 'get');
  const r = sim.call(via, { op: 'delete', bucket: 'b', key, context: read.context, w: 1 });
  assert.ok(r.ok, `delete ${key}: ${JSON.stringify(r)}`);
}

test('after the grace, a tombstone is gone from every replica', () => {
  const sim = formed(51, 3);
  for (let i = 0; i < 20; i++) put(sim, 'n1', `k${i}`, `v${i}`);
  sim.runFor(500);
  for (let i = 0; i < 20; i++) del(sim, 'n2', `k${i}`);
  sim.runFor(200);
  assert.ok(holders(sim, 'k0').length > 0, 'the tombstone is kept during the grace');
  assert.ok(sim.runUntil(() => Array.from({ length: 20 }, (_, i) => holders(sim, `k${i}`).length === 0).every(Boolean), GRACE_MS * 3), 'reaped everywhere');
  for (let i = 0; i < 20; i++) assert.ok(readsAbsent(sim, 'n3', `k${i}`));
  assert.ok(sim.runningIds().reduce((s, id) => s + sim.node(id).metrics.tombstonesReaped, 0) >= 60, 'each of the 3 replicas reaped each key');
});

test('a replica that missed the delete and returns before the reap does not bring the key back, and the reap still happens', () => {
  const sim = formed(52, 3);
  put(sim, 'n1', 'k', 'old');
  sim.runFor(500);
  const [, , third] = sim.primaries('b', 'k', 3);
  const via = sim.runningIds().find((id) => id !== third)!;
  sim.crash(third!);
  assert.ok(sim.runUntil(() => !sim.node(via).isUp(third!), 20_000), 'seen down');
  del(sim, via, 'k');
  sim.runFor(GRACE_MS / 4);
  sim.restart(third!);
  // It comes back with the old value; the read and the background paths must not resurrect it.
  for (let t = 0; t < 10; t++) {
    assert.ok(readsAbsent(sim, third!, 'k'), `still deleted, read ${t}`);
    sim.runFor(GRACE_MS / 4);
  }
  assert.ok(sim.runUntil(() => holders(sim, 'k').length === 0, GRACE_MS * 10), `reaped everywhere, held by ${holders(sim, 'k').join('+')}`);
  sim.runFor(GRACE_MS);
  assert.deepEqual(holders(sim, 'k'), []);
  assert.ok(readsAbsent(sim, 'n1', 'k'));
});

test('a hint of the old value held by a node that returns after the reap is dropped, not delivered', () => {
  const sim = formed(53, 4);
  const [a, , c] = sim.primaries('b', 'k', 3);
  const fallback = sim.nodeIds().find((id) => !sim.primaries('b', 'k', 3).includes(id))!;
  sim.crash(c!);
  assert.ok(sim.runUntil(() => !sim.node(a!).isUp(c!), 20_000), 'c seen down');
  put(sim, a!, 'k', 'old');
  assert.ok(sim.runUntil(() => sim.node(fallback).localCopy('b', 'k').hints !== undefined, 5_000), 'the fallback holds a hint of the old value for c');
  sim.crash(fallback);
  sim.restart(c!);
  assert.ok(sim.runUntil(() => sim.localData(c!, 'b', 'k') !== undefined, 20_000), 'anti-entropy gave c the value');
  del(sim, a!, 'k');
  const running = (): string[] => holders(sim, 'k').filter((id) => sim.isRunning(id));
  assert.ok(sim.runUntil(() => running().length === 0, GRACE_MS * 10), `reaped on the primaries; left: ${running().join('+')}`);
  sim.restart(fallback);
  sim.runFor(GRACE_MS * 2);
  assert.ok(readsAbsent(sim, a!, 'k'), 'the key stays deleted');
  assert.deepEqual(holders(sim, 'k'), [], 'and nobody holds it');
  assert.ok(sim.node(fallback).metrics.hintsExpired >= 1, 'the hint was dropped as expired');
});

test('the reap queue survives a restart of the coordinator', () => {
  const sim = formed(54, 3);
  put(sim, 'n1', 'k', 'v');
  sim.runFor(500);
  del(sim, 'n1', 'k');
  const coordinator = sim.runningIds().find((id) => sim.node(id).pendingReaps() > 0)!;
  assert.ok(coordinator !== undefined, 'a reap is scheduled');
  sim.runFor(100);
  sim.crash(coordinator);
  sim.runFor(200);
  sim.restart(coordinator);
  assert.equal(sim.node(coordinator).pendingReaps(), 1, 'the restarted node resumed its reap queue');
  assert.ok(sim.runUntil(() => holders(sim, 'k').length === 0, GRACE_MS * 10), `reaped after the restart; held by ${holders(sim, 'k').join('+')}`);
  assert.equal(sim.node(coordinator).pendingReaps(), 0);
});

test("reaping needs the bucket's n primaries, not the ring's N: an n=1 tombstone is reaped with the other nodes down", () => {
  const sim = formed(55, 3);
  assert.ok(sim.call('n1', { op: 'setBucket', bucket: 'one', change: { n: 1, r: 1, w: 1 } }).ok);
  assert.ok(sim.runUntil(() => sim.runningIds().every((id) => sim.node(id).props('one').n === 1), 20_000));
  const owner = sim.primaries('one', 'k', 1)[0]!;
  assert.ok(sim.call(owner, { op: 'put', bucket: 'one', key: 'k', value: text('v'), context: [] }).ok);
  for (const id of sim.nodeIds()) if (id !== owner) sim.crash(id);
  const read = sim.call(owner, { op: 'get', bucket: 'one', key: 'k' });
  assert.ok(read.ok && read.op === 'get');
  assert.ok(sim.call(owner, { op: 'delete', bucket: 'one', key: 'k', context: read.context }).ok);
  assert.ok(sim.node(owner).localCopy('one', 'k').data !== undefined, 'the tombstone is there');
  assert.ok(sim.runUntil(() => sim.node(owner).localCopy('one', 'k').data === undefined, GRACE_MS * 4), 'reaped with only its one primary up');
});
