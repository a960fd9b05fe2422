/** Cluster-wide key listing on the simulator: paged, each live key once, across a join and a crash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientResponse, KeysResult } from '../protocol/requests.js';
import { SimCluster } from './cluster.js';

function formed(seed: number): SimCluster {
  const sim = new SimCluster({ seed, nodes: 3, startMs: 1_700_000_000_000 });
  assert.ok(sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === 3), 20_000));
  return sim;
}

function asKeys(r: ClientResponse): KeysResult {
  assert.ok(r.ok && r.op === 'keys', `expected a page of keys, got ${JSON.stringify(r)}`);
  return r;
}

function listAll(sim: SimCluster, bucket: string, limit: number, between?: (page: number) => void): string[] {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const nodes = sim.runningIds().filter((id) => sim.node(id).isServing());
    const r = asKeys(sim.call(nodes[page % nodes.length]!, { op: 'listKeys', bucket, limit, cursor }));
    assert.ok(r.keys.length <= limit);
    out.push(...r.keys);
    cursor = r.cursor;
    if (cursor === null) return out;
    between?.(page);
  }
  throw new Error('the listing did not end');
}

const put = (sim: SimCluster, bucket: string, key: string, ttlMs?: number): void => {
  const r = sim.call('n1', { op: 'put', bucket, key, value: Buffer.from(key), context: [], ...(ttlMs === undefined ? {} : { ttlMs }) });
  assert.ok(r.ok, JSON.stringify(r));
};

test('every live key of the bucket once, deleted and expired keys and other buckets left out', () => {
  const sim = formed(31);
  for (let i = 0; i < 300; i++) put(sim, 'b', `k${i}`);
  for (let i = 0; i < 100; i++) put(sim, 'other', `k${i}`);
  for (let i = 0; i < 20; i++) put(sim, 'b', `short${i}`, 500);
  for (let i = 0; i < 30; i++) {
    const read = sim.call('n2', { op: 'get', bucket: 'b', key: `k${i}` });
    assert.ok(read.ok && read.op === 'get');
    assert.ok(sim.call('n2', { op: 'delete', bucket: 'b', key: `k${i}`, context: read.context }).ok);
  }
  sim.runFor(1_000);
  const listed = listAll(sim, 'b', 37);
  assert.equal(new Set(listed).size, listed.length, 'no key twice');
  assert.deepEqual([...listed].sort(), Array.from({ length: 270 }, (_, i) => `k${i + 30}`).sort());
  assert.deepEqual(asKeys(sim.call('n1', { op: 'listKeys', bucket: 'none', limit: 10 })), { ok: true, op: 'keys', keys: [], cursor: null });
  const bad = sim.call('n1', { op: 'listKeys', bucket: 'b', limit: 10, cursor: 'not-a-cursor' });
  assert.ok(!bad.ok && bad.error === 'bad_request');
});

test('a listing that runs while a node joins and another crashes lists every key once', () => {
  const sim = formed(32);
  const keys = Array.from({ length: 400 }, (_, i) => `k${i}`);
  for (const key of keys) put(sim, 'b', key);
  const listed = listAll(sim, 'b', 25, (page) => {
    if (page === 2) sim.addNode('n4', ['n1:7000']);
    if (page === 6) sim.crash('n2');
    sim.runFor(300);
  });
  assert.equal(new Set(listed).size, listed.length, 'no key twice');
  assert.deepEqual([...listed].sort(), [...keys].sort());
});

test('a cursor or a peer request naming a key that cannot exist is refused, not scanned', () => {
  const sim = formed(33);
  const huge = Buffer.from(`0:01${'ab'.repeat(3000)}`).toString('base64url');
  const r = sim.call('n1', { op: 'listKeys', bucket: 'b', limit: 10, cursor: huge });
  assert.ok(!r.ok && r.error === 'bad_request');
  const wrongTag = Buffer.from(`0:02${'00'.repeat(20)}`).toString('base64url');
  const r2 = sim.call('n1', { op: 'listKeys', bucket: 'b', limit: 10, cursor: wrongTag });
  assert.ok(!r2.ok && r2.error === 'bad_request');
});
