/**
 * Structure-aware fuzzing of the peer port in the simulator: hostile envelopes of every message
 * type (protocol/testing/hostile.ts) go through the codec into a node of a formed 3-node cluster,
 * exactly as the runtime hands them over. The node must never throw (the simulator checks its
 * invariants after every step), never store a value that breaks the version invariants, keep its
 * bucket table within the bucket rules, and still answer a put and a get afterwards.
 *
 * DYNAMO_FUZZ_MESSAGES sets how many messages (default 20,000, CI's budget); a long campaign is
 * the same test with a larger number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkQuorums } from '../../core/buckets/index.js';
import { decodeSiblingSet } from '../../core/versions/index.js';
import { decodeEnvelope, ProtocolError } from '../../protocol/codec.js';
import { hostileFrameArb, type FuzzWorld } from '../../protocol/testing/hostile.js';
import { SimCluster } from '../cluster.js';

const MESSAGES = Number(process.env.DYNAMO_FUZZ_MESSAGES ?? 20_000);
const PER_RUN = 200;

function formed(seed: number): SimCluster {
  const sim = new SimCluster({ seed, nodes: 3 });
  const ok = sim.runUntil(() => sim.nodeIds().every((id) => sim.node(id).cluster()?.members.filter((m) => m.up).length === 3), 20_000);
  assert.ok(ok, 'cluster formed');
  const set = sim.call('n1', { op: 'setBucket', bucket: 'carts', change: { n: 3, r: 2, w: 2 } });
  assert.ok(set.ok, 'bucket set');
  sim.runFor(2_000);
  return sim;
}

function worldOf(sim: SimCluster): FuzzWorld {
  const node = sim.node('n1');
  const membership = node.membership();
  assert.ok(membership !== null);
  return { memberIds: sim.nodeIds(), membership, buckets: node.buckets(), bucketNames: ['carts', 'b', 'other'] };
}

function assertHealthy(sim: SimCluster, round: number): void {
  for (const id of sim.nodeIds()) {
    for (const { value } of sim.storedValues(id)) decodeSiblingSet(value);
    const node = sim.node(id);
    const replicas = node.membership()!.replicas;
    for (const [name, entry] of Object.entries(node.buckets())) assert.ok(checkQuorums(entry.props, replicas).ok, `bucket ${name} on ${id} breaks the rules`);
    node.invariants();
  }
  const key = `after-${round}`;
  const put = sim.call('n2', { op: 'put', bucket: 'b', key, value: Buffer.from('v'), context: [] });
  assert.ok(put.ok, `a put after hostile frames failed: ${JSON.stringify(put)}; membership ${JSON.stringify(sim.node('n2').membership())}; buckets ${JSON.stringify(sim.node('n2').buckets())}`);
  const get = sim.call('n3', { op: 'get', bucket: 'b', key });
  assert.ok(get.ok && get.op === 'get' && get.values.length === 1, `a get after hostile frames failed: ${JSON.stringify(get)}`);
}

/** A frame's message, readable in a failure report (bytes as hex, long strings cut). */
function describe(bytes: Uint8Array): string {
  try {
    const envelope = decodeEnvelope(bytes);
    return JSON.stringify(envelope, (_, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}...` : v));
  } catch (err) {
    return `undecodable: ${(err as Error).message}`;
  }
}

test(`${MESSAGES} hostile peer messages of every type crash no node and store nothing invalid`, () => {
  const sim = formed(7);
  const world = worldOf(sim);
  const targets = ['n1', 'n2', 'n3'];
  let rejected = 0;
  let delivered = 0;
  // Frames are drawn from fast-check's generators but not shrunk: the cluster is one stateful
  // world, so a failure reports the frame that broke it and the seed that replays the run.
  for (let round = 0; round * PER_RUN < MESSAGES; round++) {
    const frames = fc.sample(hostileFrameArb(world), { seed: 15_000 + round, numRuns: PER_RUN });
    for (const frame of frames) {
      let envelope;
      try {
        envelope = decodeEnvelope(frame.bytes);
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `the decoder threw ${String(err)} instead of a ProtocolError`);
        rejected++;
        continue;
      }
      delivered++;
      const target = targets[(delivered + round) % targets.length]!;
      sim.submitInput(target, { kind: 'peer', from: `${frame.from}:7000`, envelope });
      try {
        sim.runFor(2);
      } catch (err) {
        assert.fail(`round ${round} (sample seed ${15_000 + round}): ${target} failed on ${describe(frame.bytes)}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    sim.runFor(500);
    assertHealthy(sim, round);
  }
  console.log(`# ${rejected + delivered} hostile frames: ${rejected} rejected by the decoder, ${delivered} delivered to a node; every node kept serving`);
  assert.ok(delivered > 0 && rejected > 0, 'the generator exercises both the decoder and the node');
});
