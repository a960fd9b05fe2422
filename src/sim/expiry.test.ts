/**
 * Expiry on the simulator: the coordinator stamps the expiry once, every replica reads the write
 * as gone from then on, anti-entropy finds nothing to repair, and the reaper drops it after the
 * grace under the tombstone rule (also when a primary was down at the time the reap was due).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientResponse, GetResult } from '../protocol/requests.js';
import { SimCluster } from './cluster.js';
import { digest } from '../core/versions/index.js';
import { MessageType, PROTOCOL_VERSION } from '../protocol/messages.js';

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const GRACE_MS = 5_000;

function formed(seed: number): SimCluster {
  const sim = new SimCluster({ seed, nodes: 3, startMs: 1_700_000_000_000, config: { tombstoneGraceMs: GRACE_MS } });
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === 3), 20_000));
  return sim;
}

function asGet(r: ClientResponse): GetResult {
  assert.ok(r.ok && r.op === 'get', `expected a read result, got ${JSON.stringify(r)}`);
  return r;
}

test('a put with a ttl reads back until it expires, then reads as gone on every node', () => {
  const sim = formed(11);
  const put = sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('session'), context: [], ttlMs: 2_000 });
  assert.ok(put.ok);
  const before = asGet(sim.call('n2', { op: 'get', bucket: 'b', key: 'k' }));
  assert.equal(before.values.length, 1);
  assert.ok(before.values[0]!.expiresAtMs! > sim.nowMs && before.values[0]!.expiresAtMs! <= sim.nowMs + 2_000);
  sim.runFor(2_100);
  for (const id of sim.nodeIds()) {
    const after = asGet(sim.call(id, { op: 'get', bucket: 'b', key: 'k', r: 3 }));
    assert.equal(after.values.length, 0, `${id} reads the expired key as gone`);
    assert.equal(after.tombstone, true);
  }
});

test('a bucket ttl_ms applies to its writes; ttlMs 0 on a write overrides it', () => {
  const sim = formed(12);
  assert.ok(sim.call('n1', { op: 'setBucket', bucket: 's', change: { ttl_ms: 1_000 } }).ok);
  sim.runFor(2_000);
  assert.ok(sim.call('n2', { op: 'put', bucket: 's', key: 'short', value: text('a'), context: [] }).ok);
  assert.ok(sim.call('n2', { op: 'put', bucket: 's', key: 'kept', value: text('b'), context: [], ttlMs: 0 }).ok);
  sim.runFor(1_500);
  assert.equal(asGet(sim.call('n3', { op: 'get', bucket: 's', key: 'short' })).values.length, 0);
  assert.equal(asGet(sim.call('n3', { op: 'get', bucket: 's', key: 'kept' })).values.length, 1);
});

test('expired keys cause no anti-entropy repairs and are reaped after the grace, also after a replica was down', () => {
  const sim = formed(13);
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
  for (const key of keys) assert.ok(sim.call('n1', { op: 'put', bucket: 'b', key, value: text(key), context: [], ttlMs: 1_000 }).ok);
  sim.runFor(500);
  const repairedBefore = sim.nodeIds().reduce((sum, id) => sum + sim.node(id).sync.stats.keysRepaired, 0);
  sim.crash('n3');
  sim.runFor(1_000 + GRACE_MS + 500);
  // The reaps came due while n3 was down: nothing was dropped anywhere (the rule needs every primary).
  const held = (id: string): number => keys.filter((key) => sim.localData(id, 'b', key) !== undefined).length;
  assert.equal(held('n1'), keys.length);
  sim.restart('n3');
  sim.runFor(3_000);
  const repaired = sim.nodeIds().reduce((sum, id) => sum + sim.node(id).sync.stats.keysRepaired, 0) - repairedBefore;
  assert.equal(repaired, 0, 'replicas holding the same expired versions have nothing to exchange');
  for (const key of keys.slice(0, 5)) assert.equal(asGet(sim.call('n3', { op: 'get', bucket: 'b', key, r: 3 })).values.length, 0);
  // The retried reaps find every primary up and drop the keys everywhere.
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => held(id) === 0), 4 * GRACE_MS), 'expired keys reaped on every node');
  assert.ok(sim.nodeIds().reduce((sum, id) => sum + sim.node(id).metrics.tombstonesReaped, 0) >= keys.length * 3);
});

test('a coordinator restarted before the reap was due forgets it; the sweep finds the expired keys and reaps them', () => {
  const sim = formed(14);
  const keys = Array.from({ length: 30 }, (_, i) => `r${i}`);
  for (const key of keys) assert.ok(sim.call('n2', { op: 'put', bucket: 'b', key, value: text(key), context: [], ttlMs: 1_000 }).ok);
  sim.runFor(300);
  sim.crash('n2');
  sim.restart('n2');
  const held = (id: string): number => keys.filter((key) => sim.localData(id, 'b', key) !== undefined).length;
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => held(id) === 0), 1_000 + 6 * GRACE_MS), 'expired keys reaped on every node');
  for (const key of keys.slice(0, 3)) assert.equal(asGet(sim.call('n1', { op: 'get', bucket: 'b', key })).values.length, 0);
});

test('a replica that missed the reap gives its expired copy back to nobody: anti-entropy drops it instead', () => {
  const sim = formed(15);
  const keys = Array.from({ length: 20 }, (_, i) => `m${i}`);
  for (const key of keys) assert.ok(sim.call('n1', { op: 'put', bucket: 'b', key, value: text(key), context: [], ttlMs: 1_000 }).ok);
  sim.runFor(300);
  // n3 sleeps through the due reaps and their retries, so only n1 and n2 could never reap; then
  // n1 and n2 lose their copies another way: the test drops them as a completed reap would.
  sim.crash('n3');
  sim.runFor(1_000 + GRACE_MS + 100);
  for (const id of ['n1', 'n2']) {
    for (const key of keys) {
      const body = { type: MessageType.Reap, bucket: 'b', key, digest: digest(sim.localData(id, 'b', key)!) } as const;
      sim.submitInput(id, { kind: 'peer', from: 'n1:7000', envelope: { v: PROTOCOL_VERSION, from: 'n1', body } });
    }
  }
  sim.runFor(100);
  assert.equal(keys.filter((key) => sim.localData('n1', 'b', key) !== undefined).length, 0);
  sim.restart('n3');
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => keys.every((key) => sim.localData(id, 'b', key) === undefined)), 20_000), 'nobody holds the expired keys');
  assert.ok(sim.node('n3').metrics.expiredDropped > 0, 'n3 dropped its copies when it met peers that had let go');
});
