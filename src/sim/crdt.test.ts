/**
 * Counter and set buckets on the simulator: concurrent updates through different coordinators,
 * with a replica cut off, are all kept, and a read never shows siblings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientResponse, GetResult } from '../protocol/requests.js';
import { SimCluster } from './cluster.js';
import { MAX_SET_ELEMENTS } from '../node/coordinator/crdt-update.js';

function formed(seed: number): SimCluster {
  const sim = new SimCluster({ seed, nodes: 3, startMs: 1_700_000_000_000 });
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === 3), 20_000));
  return sim;
}

function typed(sim: SimCluster, bucket: string, type: 'counter' | 'set'): void {
  assert.ok(sim.call('n1', { op: 'setBucket', bucket, change: { type } }).ok);
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).props(bucket).type === type), 10_000));
}

function asGet(r: ClientResponse): GetResult {
  assert.ok(r.ok && r.op === 'get', `expected a read, got ${JSON.stringify(r)}`);
  return r;
}

test('increments through every node, some while split from the others, all count', () => {
  const sim = formed(21);
  typed(sim, 'c', 'counter');
  let expected = 0;
  for (let i = 0; i < 30; i++) {
    const delta = (i % 5) - 1;
    const r = sim.call(`n${(i % 3) + 1}`, { op: 'update', bucket: 'c', key: 'hits', update: { type: 'counter', increment: delta }, context: [], w: 1 });
    assert.ok(r.ok, JSON.stringify(r));
    expected += delta;
    if (i === 10) sim.split([['n1'], ['n2', 'n3']]);
    if (i === 20) sim.heal();
  }
  sim.runFor(3_000);
  const read = asGet(sim.call('n2', { op: 'get', bucket: 'c', key: 'hits', r: 3 }));
  assert.deepEqual(read.crdt, { type: 'counter', value: expected });
  assert.equal(read.values.length, 0);
});

test('concurrent adds through different nodes are kept; a remove with a read context removes what it saw, not a later add', () => {
  const sim = formed(22);
  typed(sim, 'cart', 'set');
  sim.split([['n1'], ['n2', 'n3']]);
  assert.ok(sim.call('n1', { op: 'update', bucket: 'cart', key: 'u1', update: { type: 'set', add: ['apple'], remove: [] }, context: [], w: 1 }).ok);
  assert.ok(sim.call('n2', { op: 'update', bucket: 'cart', key: 'u1', update: { type: 'set', add: ['pear', 'fig'], remove: [] }, context: [], w: 1 }).ok);
  sim.heal();
  sim.runFor(2_000);
  const read = asGet(sim.call('n3', { op: 'get', bucket: 'cart', key: 'u1', r: 3 }));
  assert.deepEqual(read.crdt, { type: 'set', value: ['apple', 'fig', 'pear'] });
  // A concurrent re-add of pear (not seen by the read) survives the remove made with the read's context.
  assert.ok(sim.call('n1', { op: 'update', bucket: 'cart', key: 'u1', update: { type: 'set', add: ['pear'], remove: [] }, context: [] }).ok);
  const removed = sim.call('n2', { op: 'update', bucket: 'cart', key: 'u1', update: { type: 'set', add: [], remove: ['pear', 'fig'] }, context: read.context });
  assert.ok(removed.ok && removed.op === 'update');
  sim.runFor(2_000);
  const after = asGet(sim.call('n1', { op: 'get', bucket: 'cart', key: 'u1', r: 3 }));
  assert.deepEqual(after.crdt, { type: 'set', value: ['apple', 'pear'] });
});

test('a counter bucket refuses PUT and DELETE, a kv bucket refuses updates, and a set has an element cap', () => {
  const sim = formed(23);
  typed(sim, 'c', 'counter');
  const put = sim.call('n1', { op: 'put', bucket: 'c', key: 'k', value: Buffer.from('x'), context: [] });
  assert.ok(!put.ok && put.error === 'wrong_type');
  const del = sim.call('n1', { op: 'delete', bucket: 'c', key: 'k', context: [] });
  assert.ok(!del.ok && del.error === 'wrong_type');
  const onKv = sim.call('n1', { op: 'update', bucket: 'plain', key: 'k', update: { type: 'counter', increment: 1 }, context: [] });
  assert.ok(!onKv.ok && onKv.error === 'wrong_type');
  const onSet = sim.call('n1', { op: 'update', bucket: 'c', key: 'k', update: { type: 'set', add: ['x'], remove: [] }, context: [] });
  assert.ok(!onSet.ok && onSet.error === 'wrong_type');
  typed(sim, 's', 'set');
  const many = Array.from({ length: MAX_SET_ELEMENTS + 1 }, (_, i) => `e${i}`);
  const capped = sim.call('n1', { op: 'update', bucket: 's', key: 'big', update: { type: 'set', add: many, remove: [] }, context: [] });
  assert.ok(!capped.ok && capped.error === 'too_many_elements', JSON.stringify(capped).slice(0, 200));
  assert.ok(sim.nodeIds().some((id) => sim.node(id).metrics.setElementRefusals === 1));
});
