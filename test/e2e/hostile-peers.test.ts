/**
 * The peer port of real node processes under hostile frames: a stranger that speaks the hello and
 * sends msgpack envelopes of the current protocol version with the right outer field types but
 * hostile contents (protocol/testing/hostile.ts, the generator the simulator fuzz test uses), plus
 * the frame that once killed every node (a gossip whose bucket table holds a null entry). Every
 * node must keep serving puts and gets, and count what it dropped.
 *
 * DYNAMO_FUZZ_MESSAGES sets how many frames (default 2,000 per node here; the simulator test
 * covers the large counts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { hostileFrameArb, type FuzzWorld } from '../../src/protocol/testing/hostile.js';
import { MessageType, PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { encodeFrame } from '../../src/protocol/framing.js';
import { encodeHello } from '../../src/transport/hello.js';
import type { Membership } from '../../src/core/membership/index.js';
import { json, kv, ProcessCluster } from './process-cluster.js';

const FRAMES = Math.ceil(Number(process.env.DYNAMO_FUZZ_MESSAGES ?? 6_000) / 3);
const cluster = new ProcessCluster({ nodes: 3, basePort: 27000, storage: 'memory' });
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

before(async () => cluster.startAll());
after(async () => cluster.stop());

/** Opens a peer connection as a stranger, sends the frames, and waits a moment before closing. */
async function sendAsStranger(port: number, frames: readonly Uint8Array[]): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.write(Buffer.concat([encodeHello('127.0.0.1:27099'), ...frames.map(encodeFrame)]), () => setTimeout(() => socket.destroy(), 300));
    });
  });
}

async function badMessages(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('dynamo_bad_messages_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

async function assertServing(round: string): Promise<void> {
  for (let i = 1; i <= 3; i++) {
    assert.ok(cluster.isAlive(i), `n${i} is alive after ${round}`);
    const put = await kv(cluster.url(i), 'PUT', `/kv/after/${round}-${i}`, 'v');
    assert.equal(put.status, 204, `a put through n${i} after ${round}: ${put.body.toString()}`);
    const get = await kv(cluster.url((i % 3) + 1), 'GET', `/kv/after/${round}-${i}`);
    assert.equal(get.status, 200, `a get after ${round}`);
  }
}

test('the gossip frame with a null bucket entry is dropped and counted by every node', async () => {
  const frame = packr.pack({ v: PROTOCOL_VERSION, from: 'stranger', body: { type: MessageType.Gossip, membership: null, buckets: { x: null }, reply: false } });
  const before = await Promise.all([1, 2, 3].map((i) => badMessages(cluster.url(i))));
  for (let i = 1; i <= 3; i++) await sendAsStranger(27000 + i, [frame]);
  await assertServing('null-bucket');
  for (let i = 1; i <= 3; i++) assert.ok((await badMessages(cluster.url(i))) > before[i - 1]!, `n${i} counted the frame it dropped`);
});

test(`${FRAMES * 3} hostile frames of every message type over TCP stop no node`, async () => {
  // The simulator test mutates the cluster's real membership; here gossip carries a table whose
  // only member is a stranger that has left, so what arrives well-formed changes no placement.
  const view = (await json(`${cluster.url(1)}/cluster`)) as { partitions: number; n: number };
  const membership: Membership = {
    partitions: view.partitions,
    replicas: view.n,
    members: [{ id: 'ghost', address: '127.0.0.1:27098', httpAddress: '127.0.0.1:27198', clientAddress: null, weight: 1, state: 'left', joinedEpoch: 50, leftEpoch: 51, version: 3 }],
  };
  const world: FuzzWorld = { memberIds: ['n1', 'n2', 'n3'], membership, buckets: {}, bucketNames: ['carts', 'b'] };
  for (let i = 1; i <= 3; i++) {
    const frames = fc.sample(hostileFrameArb(world), { seed: 27_000 + i, numRuns: FRAMES }).map((f) => f.bytes);
    for (let at = 0; at < frames.length; at += 500) await sendAsStranger(27000 + i, frames.slice(at, at + 500));
  }
  await assertServing('fuzz');
  const dropped = await Promise.all([1, 2, 3].map((i) => badMessages(cluster.url(i))));
  console.log(`# ${FRAMES * 3} hostile frames sent; dropped as malformed: ${dropped.join(', ')}`);
});
