/**
 * The read coordinator alone, against a fake node: which replicas it asks and when it answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BUCKET_PROPS } from '../../core/buckets/index.js';
import { context, encodeSiblingSet, fresh, update, version, withContext, type SiblingSet } from '../../core/versions/index.js';
import { MessageType, type PeerMessage } from '../../protocol/messages.js';
import type { ClientResponse } from '../../protocol/requests.js';
import { createMemoryEngine } from '../../storage/memory.js';
import { NODE_DEFAULTS, type NodeConfig } from '../config.js';
import type { NodeContext } from '../context.js';
import { GetOperation } from './get.js';
import { identify } from '../keys.js';
import { LocalStore } from '../replica/local-store.js';
import { newMetrics } from '../metrics.js';

const SELF = 'n1';
const identity = identify('b', 'k');

function setOf(text: string, timestampMs: number): SiblingSet {
  return update(fresh(version(Buffer.from(text), timestampMs)), undefined, 'n9', timestampMs);
}

class FakeNode {
  nowMs = 1000;
  readonly sent: { to: string; body: PeerMessage }[] = [];
  readonly answers: ClientResponse[] = [];
  readonly down = new Set<string>();
  readonly metrics = newMetrics();
  readonly config: NodeConfig = { ...NODE_DEFAULTS, self: { id: SELF, address: 'a1', httpAddress: 'h1', clientAddress: 'c1', weight: 1 }, actor: `${SELF}:1`, seeds: [] };
  readonly store = new LocalStore(createMemoryEngine(), () => undefined, { corrupt: () => undefined, written: () => undefined });

  constructor(local: SiblingSet | undefined) {
    if (local !== undefined) this.store.mergeData(identity, local, { lww: false, maxClockEntries: 10 });
  }

  context(): NodeContext {
    return {
      config: this.config,
      selfId: SELF,
      store: this.store,
      metrics: this.metrics,
      now: () => this.nowMs,
      isUp: (node) => !this.down.has(node),
      send: (to, body) => (this.sent.push({ to, body }), true),
      respond: (_ref, response) => this.answers.push(response),
      log: () => undefined,
      nextOpId: () => 1,
      props: () => DEFAULT_BUCKET_PROPS,
    };
  }

  readsSentTo(): string[] {
    return this.sent.filter((m) => m.body.type === MessageType.ReplicaRead).map((m) => m.to);
  }

  repairsSentTo(): string[] {
    return this.sent.filter((m) => m.body.type === MessageType.ReplicaWrite).map((m) => m.to);
  }
}

function read(node: FakeNode, needed = 2, opId = 1): GetOperation {
  const op = new GetOperation(node.context(), opId, {
    ref: { kind: 'local', requestId: 1 },
    identity,
    needed,
    strict: false,
    lww: false,
    placement: { partition: 0, primaries: [SELF, 'n2', 'n3'], fallbacks: ['n4'] },
  });
  op.start();
  return op;
}

const encoded = (s: SiblingSet): Uint8Array => encodeSiblingSet(s);
const valuesOf = (r: ClientResponse | undefined): string[] => {
  assert.ok(r !== undefined && r.ok && r.op === 'get', `expected a read result, got ${JSON.stringify(r)}`);
  return r.values.map((v) => Buffer.from(v.data!).toString()).sort();
};

test('R=2 on a replica asks one peer, and answers when it agrees', () => {
  const v = setOf('v', 1);
  const node = new FakeNode(v);
  const op = read(node);
  assert.deepEqual(node.readsSentTo(), ['n3'], 'one peer asked (rotated by the operation id)');
  op.onReply('n3', encoded(v));
  assert.deepEqual(valuesOf(node.answers[0]), ['v']);
  assert.equal(op.done, true);
  assert.deepEqual(node.repairsSentTo(), [], 'nothing to repair');
});

test('the peer asked first rotates with the operation id', () => {
  const node = new FakeNode(setOf('v', 1));
  read(node, 2, 2);
  assert.deepEqual(node.readsSentTo(), ['n2']);
});

test('a "not found" from the peer brings in the next replica and does not count towards R', () => {
  const v = setOf('v', 1);
  const node = new FakeNode(v);
  const op = read(node);
  op.onReply('n3', null);
  assert.deepEqual(node.readsSentTo(), ['n3', 'n2']);
  assert.equal(node.answers.length, 0, 'one replica with data is not R=2');
  op.onReply('n2', encoded(v));
  assert.deepEqual(valuesOf(node.answers[0]), ['v']);
  assert.deepEqual(node.repairsSentTo(), ['n3'], 'the replica that had nothing is repaired');
});

test('an empty local replica asks two peers at once', () => {
  const node = new FakeNode(undefined);
  read(node);
  assert.deepEqual(node.readsSentTo().sort(), ['n2', 'n3']);
});

test('two peers with the same copy answer an empty local replica, which is repaired with it', () => {
  const v = setOf('v', 1);
  const node = new FakeNode(undefined);
  const op = read(node);
  op.onReply('n2', encoded(v));
  assert.equal(node.answers.length, 0, 'the local "not found" does not count');
  op.onReply('n3', encoded(v));
  assert.deepEqual(valuesOf(node.answers[0]), ['v']);
  assert.equal(op.done, true);
  assert.deepEqual(node.repairsSentTo(), [], 'the peers agree: nothing sent');
  assert.equal(node.metrics.readRepairs, 1, 'the coordinator stores the copy it lacked');
  assert.deepEqual(node.store.readData(identity), v);
});

test('a key absent everywhere is answered once every replica said so', () => {
  const node = new FakeNode(undefined);
  const op = read(node);
  op.onReply('n2', null);
  assert.equal(node.answers.length, 0);
  op.onReply('n3', null);
  const r = node.answers[0];
  assert.ok(r !== undefined && r.ok && r.op === 'get' && r.values.length === 0);
  assert.equal(op.done, true);
});

test('answers that differ bring in the remaining replicas so that read repair reaches them', () => {
  const old = setOf('old', 1);
  const node = new FakeNode(old);
  const op = read(node);
  const newer = update(withContext(context(old), version(Buffer.from('new'), 2)), old, 'n9', 2);
  op.onReply('n3', encoded(newer));
  assert.deepEqual(valuesOf(node.answers[0]), ['new']);
  assert.deepEqual(node.readsSentTo(), ['n3', 'n2'], 'the third replica is asked too');
  assert.equal(op.done, false);
  op.onReply('n2', encoded(old));
  assert.equal(op.done, true);
  assert.deepEqual(node.repairsSentTo(), ['n2'], 'the stale peer gets the merge');
  assert.equal(node.metrics.readRepairs, 2, 'and so does the coordinator itself');
});

test('a peer that is silent past readSpeculateMs brings in the others; the deadline still ends the read', () => {
  const v = setOf('v', 1);
  const node = new FakeNode(v);
  const op = read(node);
  assert.equal(op.deadlineMs, 1000 + node.config.readSpeculateMs);
  node.nowMs = op.deadlineMs;
  op.onDeadline();
  assert.deepEqual(node.readsSentTo(), ['n3', 'n2']);
  assert.equal(op.deadlineMs, 1000 + node.config.requestTimeoutMs);
  op.onReply('n2', encoded(v));
  assert.deepEqual(valuesOf(node.answers[0]), ['v']);
  assert.equal(op.done, false, 'n3 may still answer and be repaired');
  node.nowMs = op.deadlineMs;
  op.onDeadline();
  assert.equal(op.done, true);
});

test('a peer that goes down is replaced by the next replica', () => {
  const v = setOf('v', 1);
  const node = new FakeNode(v);
  const op = read(node);
  op.onPeerDown('n3');
  assert.deepEqual(node.readsSentTo(), ['n3', 'n2']);
  op.onReply('n2', encoded(v));
  assert.deepEqual(valuesOf(node.answers[0]), ['v']);
});

test('sloppy reads stand a fallback in for a primary that is down', () => {
  const node = new FakeNode(undefined);
  node.down.add('n2');
  read(node);
  assert.deepEqual(node.readsSentTo().sort(), ['n3', 'n4']);
});
