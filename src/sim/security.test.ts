/**
 * The identity check on the simulator: a member that forges messages as another member (what a
 * compromised node with its own valid certificate could try) has them dropped and counted, and
 * the cluster's metadata and data stay as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getMember, updateMember } from '../core/membership/index.js';
import { MessageType, PROTOCOL_VERSION } from '../protocol/messages.js';
import { SimCluster } from './cluster.js';

function formed(seed: number): SimCluster {
  const sim = new SimCluster({ seed, nodes: 3 });
  const ok = sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === 3), 20_000);
  assert.ok(ok, 'cluster formed');
  return sim;
}

test('n2 sending as n3 (gossip marking n1 left, a JoinRequest rewriting n3) is dropped and counted; the cluster carries on', () => {
  for (const seed of [1, 2, 3]) {
    const sim = formed(seed);
    const before = sim.node('n1').membership()!;
    const forgedMembership = updateMember(before, 'n1', { state: 'left' });
    sim.injectFrame('n2', 'n1', { v: PROTOCOL_VERSION, from: 'n3', body: { type: MessageType.Gossip, membership: forgedMembership, buckets: {}, reply: false } });
    const n3 = getMember(before, 'n3')!;
    sim.injectFrame('n2', 'n1', {
      v: PROTOCOL_VERSION,
      from: 'n2',
      body: { type: MessageType.JoinRequest, spec: { id: 'n3', address: 'evil:1', httpAddress: 'evil:2', clientAddress: null, weight: 9 } },
    });
    sim.runFor(3_000);
    const after = sim.node('n1').membership()!;
    assert.equal(getMember(after, 'n1')?.state, 'up');
    assert.equal(getMember(after, 'n3')?.address, n3.address);
    assert.equal(getMember(after, 'n3')?.weight, n3.weight);
    assert.equal(sim.node('n1').metrics.forgedSenders, 2, `seed ${seed}`);
    const put = sim.call('n1', { op: 'put', bucket: 'b', key: 'k', value: Buffer.from('v'), context: [] });
    assert.ok(put.ok, JSON.stringify(put));
    const read = sim.call('n3', { op: 'get', bucket: 'b', key: 'k' });
    assert.ok(read.ok && read.op === 'get' && read.values.length === 1);
  }
});

test('the same gossip sent by n3 itself (a genuine sender) is taken: the check drops forgeries only', () => {
  const sim = formed(4);
  const m = sim.node('n1').membership()!;
  const changed = updateMember(m, 'n3', { httpAddress: 'elsewhere:1' });
  sim.injectFrame('n3', 'n1', { v: PROTOCOL_VERSION, from: 'n3', body: { type: MessageType.Gossip, membership: changed, buckets: {}, reply: false } });
  sim.runFor(1_000);
  assert.equal(sim.node('n1').metrics.forgedSenders, 0);
});

test('a user made on n1 reaches n3 while n2 is down, n2 when it is back, and survives restarts; removal spreads too', () => {
  const sim = formed(5);
  sim.crash('n2');
  sim.submitInput('n1', { kind: 'user', name: 'alice', change: { kind: 'put', role: 'read', buckets: ['b'], hash: 'scrypt$x' } });
  assert.ok(sim.runUntil(() => sim.node('n3').users.table().alice?.role === 'read', 10_000), 'n3 learned alice');
  sim.restart('n2');
  assert.ok(sim.runUntil(() => sim.node('n2').users.table().alice?.deleted === false, 20_000), 'n2 caught up after its restart');
  sim.crash('n3');
  sim.restart('n3');
  assert.equal(sim.node('n3').users.table().alice?.role, 'read', 'kept on disk');
  sim.submitInput('n3', { kind: 'user', name: 'alice', change: { kind: 'remove' } });
  assert.ok(sim.runUntil(() => ['n1', 'n2', 'n3'].every((id) => sim.node(id).users.table().alice?.deleted === true), 20_000), 'the removal reached everyone');
});
