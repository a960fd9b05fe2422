/**
 * Stories of the request path on the deterministic simulator: the real node code, virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientResponse, GetResult, WriteResult } from '../protocol/requests.js';
import { SimCluster } from './cluster.js';

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function formed(seed = 1, nodes = 3): SimCluster {
  const sim = new SimCluster({ seed, nodes });
  const ok = sim.runUntil(
    () => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === nodes),
    20_000,
  );
  assert.ok(ok, 'cluster formed');
  return sim;
}

function asGet(r: ClientResponse): GetResult {
  assert.ok(r.ok && r.op === 'get', `expected a read result, got ${JSON.stringify(r)}`);
  return r;
}

function asWrite(r: ClientResponse): WriteResult {
  assert.ok(r.ok && (r.op === 'put' || r.op === 'delete'), `expected a write result, got ${JSON.stringify(r)}`);
  return r;
}

const values = (r: GetResult): string[] => r.values.map((v) => Buffer.from(v.data!).toString()).sort();

test('a put through one node is read through another', () => {
  const sim = formed();
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v1'), context: [] }));
  assert.deepEqual(values(asGet(sim.call('n2', { op: 'get', bucket: 'b', key: 'k' }))), ['v1']);
});

test('two writes from one stale context become siblings; a write with the merged context collapses them', () => {
  const sim = formed(2);
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v1'), context: [] }));
  const read = asGet(sim.call('n2', { op: 'get', bucket: 'b', key: 'k' }));
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v2a'), context: read.context }));
  asWrite(sim.call('n2', { op: 'put', bucket: 'b', key: 'k', value: text('v2b'), context: read.context }));
  const both = asGet(sim.call('n3', { op: 'get', bucket: 'b', key: 'k', r: 3 }));
  assert.deepEqual(values(both), ['v2a', 'v2b']);
  asWrite(sim.call('n3', { op: 'put', bucket: 'b', key: 'k', value: text('merged'), context: both.context }));
  assert.deepEqual(values(asGet(sim.call('n1', { op: 'get', bucket: 'b', key: 'k', r: 3 }))), ['merged']);
});

test('delete leaves a tombstone that reads as absent with a context', () => {
  const sim = formed(3);
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v'), context: [] }));
  const read = asGet(sim.call('n1', { op: 'get', bucket: 'b', key: 'k' }));
  asWrite(sim.call('n2', { op: 'delete', bucket: 'b', key: 'k', context: read.context }));
  const gone = asGet(sim.call('n3', { op: 'get', bucket: 'b', key: 'k', r: 3 }));
  assert.equal(gone.values.length, 0);
  assert.equal(gone.tombstone, true);
  assert.ok(gone.context.length > 0);
});

test('an lww bucket keeps only the newest write', () => {
  const sim = formed(4);
  const set = sim.call('n1', { op: 'setBucket', bucket: 'l', change: { conflict: 'lww' } });
  assert.ok(set.ok);
  sim.runFor(500);
  asWrite(sim.call('n1', { op: 'put', bucket: 'l', key: 'k', value: text('old'), context: [] }));
  sim.runFor(5);
  asWrite(sim.call('n2', { op: 'put', bucket: 'l', key: 'k', value: text('new'), context: [] }));
  assert.deepEqual(values(asGet(sim.call('n3', { op: 'get', bucket: 'l', key: 'k', r: 3 }))), ['new']);
});

test('with a node crashed, W=2 writes succeed, and the hints reach it after restart', () => {
  const sim = formed(5);
  sim.crash('n3');
  for (let i = 0; i < 20; i++) asWrite(sim.call('n1', { op: 'put', bucket: 'h', key: `k${i}`, value: text(`v${i}`), context: [], w: 2 }));
  for (let i = 0; i < 20; i++) assert.deepEqual(values(asGet(sim.call('n2', { op: 'get', bucket: 'h', key: `k${i}`, r: 2 }))), [`v${i}`]);
  const held = sim.node('n1').store.hintCount + sim.node('n2').store.hintCount;
  assert.ok(held >= 20, `hints kept for n3: ${held}`);
  sim.restart('n3');
  const delivered = sim.runUntil(() => sim.node('n1').store.hintCount + sim.node('n2').store.hintCount === 0, 30_000);
  assert.ok(delivered, 'every hint delivered and deleted');
  for (let i = 0; i < 20; i++) {
    const local = sim.node('n3').localCopy('h', `k${i}`).data;
    assert.ok(local !== undefined, `n3 holds k${i}`);
  }
});

test('strict writes need a majority of primaries; sloppy W=1 writes do not', () => {
  const sim = formed(6);
  sim.crash('n2');
  sim.crash('n3');
  sim.runFor(100);
  const strict = sim.call('n1', { op: 'put', bucket: 's', key: 'k', value: text('x'), context: [], strict: true });
  assert.equal(strict.ok, false);
  if (!strict.ok) assert.equal(strict.error, 'quorum_failed');
  asWrite(sim.call('n1', { op: 'put', bucket: 's', key: 'k', value: text('x'), context: [], w: 1 }));
});

test('strict is "write to a majority": with W=1 (or R=1) it succeeds with 2 of 3 primaries up and is refused with 1, writing nothing', () => {
  const sim = formed(8);
  sim.crash('n3');
  sim.runFor(100);
  asWrite(sim.call('n1', { op: 'put', bucket: 's', key: 'two-up', value: text('x'), context: [], w: 1, strict: true }));
  sim.crash('n2');
  sim.runFor(100);
  const refused = sim.call('n1', { op: 'put', bucket: 's', key: 'one-up', value: text('x'), context: [], w: 1, strict: true });
  assert.ok(!refused.ok && refused.error === 'quorum_failed' && refused.needed === 2, `expected a refusal needing 2, got ${JSON.stringify(refused)}`);
  assert.equal(sim.localData('n1', 's', 'one-up'), undefined, 'a refused strict write leaves nothing behind');
  const read = sim.call('n1', { op: 'get', bucket: 's', key: 'two-up', r: 1, strict: true });
  assert.ok(!read.ok && read.error === 'quorum_failed', 'a strict R=1 read needs a majority too');
});

test('a restarted empty replica answering first does not hide a value (notfound is not a quorum vote)', () => {
  const sim = formed(7);
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v'), context: [], w: 3 }));
  // Read with R=1 from every node in turn: each must see the value.
  for (const id of ['n1', 'n2', 'n3']) assert.deepEqual(values(asGet(sim.call(id, { op: 'get', bucket: 'b', key: 'k', r: 1 }))), ['v']);
});

test('the same seed replays to the same trace', () => {
  const run = (seed: number): string => {
    const sim = formed(seed);
    for (let i = 0; i < 10; i++) sim.submit(`n${(i % 3) + 1}`, { op: 'put', bucket: 'b', key: `k${i % 4}`, value: text(`v${i}`), context: [] });
    sim.runFor(2000);
    return sim.traceHash();
  };
  assert.equal(run(42), run(42));
  assert.notEqual(run(42), run(43));
});

test('a read at R=2 coordinated on a replica asks one other replica when they agree', () => {
  const sim = formed(11);
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v'), context: [], w: 3 }));
  const served = (): number => sim.nodeIds().reduce((sum, id) => sum + sim.node(id).metrics.replicaReads, 0);
  const before = served();
  for (let i = 0; i < 10; i++) assert.deepEqual(values(asGet(sim.call('n1', { op: 'get', bucket: 'b', key: 'k', r: 2 }))), ['v']);
  assert.equal(served() - before, 10);
});

test('a request sent to a node before it has joined waits for the join instead of failing', () => {
  const sim = new SimCluster({ seed: 12, nodes: 3 });
  // The founder has a cluster; another node has not joined it yet (joins are retried every 500 ms).
  assert.ok(sim.runUntil(() => sim.nodeIds().some((id) => sim.node(id).cluster() !== null), 10_000));
  const late = sim.nodeIds().find((id) => sim.node(id).cluster() === null);
  assert.ok(late !== undefined, 'a node still joining');
  const early = sim.submit(late, { op: 'put', bucket: 'b', key: 'k', value: text('early'), context: [] });
  sim.runFor(5000);
  assert.ok(early.response !== null, 'answered');
  asWrite(early.response);
  assert.deepEqual(values(asGet(sim.call('n3', { op: 'get', bucket: 'b', key: 'k' }))), ['early']);
});

test('a node that never joins answers a waiting request with 503 after the request timeout', () => {
  const sim = new SimCluster({ seed: 13, nodes: 0 });
  sim.addNode('lonely', ['nowhere:7000']);
  const request = sim.submit('lonely', { op: 'get', bucket: 'b', key: 'k' });
  sim.runFor(1000);
  assert.equal(request.response, null, 'still waiting within the timeout');
  sim.runFor(2000);
  // Read again through a widened type: the assertion above narrowed the property to null.
  const r = request.response as ClientResponse | null;
  assert.ok(r !== null && !r.ok && r.error === 'unavailable', JSON.stringify(r));
});

test('replicaRead: each primary answers its stored copy as it is, a non-primary says so, with the bucket\'s r and conflict mode', () => {
  const sim = formed(11, 4);
  asWrite(sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: text('v1'), context: [] }));
  sim.runFor(100);
  const copies = sim.nodeIds().map((id) => sim.call(id, { op: 'replicaRead', bucket: 'b', key: 'k' }));
  const primaries = copies.filter((c) => c.ok && c.op === 'replicaRead' && c.primary);
  assert.equal(primaries.length, 3, 'N=3 of the 4 nodes are primaries');
  const others = copies.filter((c) => c.ok && c.op === 'replicaRead' && !c.primary);
  assert.deepEqual(others, [{ ok: true, op: 'replicaRead', primary: false, set: null, n: 3, r: 2, lww: false }]);
  const sets = primaries.map((c) => (c.ok && c.op === 'replicaRead' ? Buffer.from(c.set!).toString('hex') : ''));
  assert.equal(new Set(sets).size, 1, 'the primaries hold the same bytes');
  const missing = sim.call('n1', { op: 'replicaRead', bucket: 'b', key: 'nothing' });
  assert.ok(missing.ok && missing.op === 'replicaRead' && missing.set === null);
  assert.ok(sim.call('n1', { op: 'setBucket', bucket: 'l', change: { conflict: 'lww', r: 1 } }).ok);
  sim.runFor(500);
  for (const id of sim.nodeIds()) {
    const answer = sim.call(id, { op: 'replicaRead', bucket: 'l', key: 'k' });
    assert.ok(answer.ok && answer.op === 'replicaRead' && answer.r === 1 && answer.lww, `${id} knows the bucket's new props`);
  }
  const bad = sim.call('n1', { op: 'replicaRead', bucket: 'b', key: '' });
  assert.ok(!bad.ok && bad.error === 'bad_request');
});
