/**
 * The behaviour every `Transport` must show, as one suite that each implementation runs (TCP in
 * tcp.test.ts, the in-memory network in memory.test.ts, a simulated one later). Code above the
 * transport is written against these promises, so an implementation that passes them can be
 * swapped in without surprises: frames intact and in order with the right sender, news of peers
 * going down and coming back, bounded queues, and a close that leaves nothing running.
 *
 * An implementation plugs in through a small harness that makes fresh addresses and transports.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { PeerAddress } from '../../core/ids.js';
import type { Transport, TransportHandlers, VerifiedSender } from '../types.js';

export interface TransportHarness {
  /** An address nobody listens on yet; a new one on every call. */
  freeAddress(): Promise<PeerAddress>;
  /** A transport at `address`, not yet listening. */
  create(address: PeerAddress, handlers: TransportHandlers, limits?: { maxQueuedBytesPerPeer?: number }): Transport;
}

export interface ReceivedFrame {
  readonly from: PeerAddress;
  readonly payload: Buffer;
  /** What the transport proved about the sender (the TLS transport: its certificate's node id). */
  readonly sender: VerifiedSender;
}

/** Handlers that record everything and let a test wait for a condition (with a deadline). */
export class Recorder implements TransportHandlers {
  readonly frames: ReceivedFrame[] = [];
  readonly ups: PeerAddress[] = [];
  readonly downs: { peer: PeerAddress; reason: string }[] = [];
  onFrame: ((from: PeerAddress, payload: Uint8Array) => void) | undefined;
  private waiters: (() => void)[] = [];

  frame(from: PeerAddress, payload: Uint8Array, sender?: VerifiedSender): void {
    this.frames.push({ from, payload: Buffer.from(payload), sender });
    this.onFrame?.(from, payload);
    this.wake();
  }

  peerUp(peer: PeerAddress): void {
    this.ups.push(peer);
    this.wake();
  }

  peerDown(peer: PeerAddress, reason: string): void {
    assert.equal(typeof reason, 'string');
    this.downs.push({ peer, reason });
    this.wake();
  }

  until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function texts(frames: readonly ReceivedFrame[]): string[] {
  return frames.map((f) => f.payload.toString('utf8'));
}

/** Counts of the handle kinds a transport may own, to prove that close leaves none behind. */
function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

interface Pair {
  readonly a: Transport;
  readonly b: Transport;
  readonly ra: Recorder;
  readonly rb: Recorder;
}

async function listeningPair(harness: TransportHarness): Promise<Pair> {
  const ra = new Recorder();
  const rb = new Recorder();
  const a = harness.create(await harness.freeAddress(), ra);
  const b = harness.create(await harness.freeAddress(), rb);
  await a.listen();
  await b.listen();
  return { a, b, ra, rb };
}

async function closeAll(...transports: Transport[]): Promise<void> {
  await Promise.all(transports.map((t) => t.close()));
}

export function runTransportCompliance(name: string, makeHarness: () => TransportHarness): void {
  describe(`${name} transport compliance`, () => {
    it('delivers frames intact and in order, with the sender address, and empties its queue', async () => {
      const { a, b, ra, rb } = await listeningPair(makeHarness());
      try {
        const big = randomBytes(1024 * 1024);
        const sent = [new Uint8Array(0), text('x'), big, randomBytes(100), new Uint8Array(0), randomBytes(20_000)];
        for (const payload of sent) assert.equal(a.send(b.localAddress, payload), 'queued');
        await rb.until(() => rb.frames.length === sent.length, 'all frames');
        rb.frames.forEach((frame, i) => {
          assert.equal(frame.from, a.localAddress);
          assert.ok(frame.payload.equals(sent[i]!), `frame ${i} intact`);
        });
        await ra.until(() => ra.ups.includes(b.localAddress), 'peerUp');
        assert.equal(a.isConnected(b.localAddress), true);
        await waitUntil(() => a.queuedBytes(b.localAddress) === 0, 'queue drained');
      } finally {
        await closeAll(a, b);
      }
    });

    it('keeps the order of 10k small frames sent in one burst', async () => {
      const { a, b, rb } = await listeningPair(makeHarness());
      try {
        const count = 10_000;
        for (let i = 0; i < count; i++) {
          const payload = Buffer.allocUnsafe(8);
          payload.writeUInt32BE(i, 0);
          payload.writeUInt32BE(i ^ 0x5a5a5a5a, 4);
          assert.equal(a.send(b.localAddress, payload), 'queued');
        }
        await rb.until(() => rb.frames.length === count, '10k frames');
        rb.frames.forEach((frame, i) => {
          assert.equal(frame.payload.readUInt32BE(0), i);
          assert.equal(frame.payload.readUInt32BE(4), (i ^ 0x5a5a5a5a) >>> 0);
        });
      } finally {
        await closeAll(a, b);
      }
    });

    it('carries traffic both ways: a request answered from inside the frame handler', async () => {
      const { a, b, ra, rb } = await listeningPair(makeHarness());
      try {
        rb.onFrame = (from, payload) => b.send(from, text(`re:${Buffer.from(payload).toString()}`));
        for (let i = 0; i < 100; i++) a.send(b.localAddress, text(`q${i}`));
        await ra.until(() => ra.frames.length === 100, 'responses');
        assert.deepEqual(texts(ra.frames), Array.from({ length: 100 }, (_, i) => `re:q${i}`));
        assert.ok(ra.frames.every((f) => f.from === b.localAddress));
        assert.ok(rb.frames.every((f) => f.from === a.localAddress));
        await rb.until(() => rb.ups.includes(a.localAddress), 'b connected back to a');
      } finally {
        await closeAll(a, b);
      }
    });

    it('reports a closed peer down, then up again when it returns at the same address', async () => {
      const harness = makeHarness();
      const { a, b, ra, rb } = await listeningPair(harness);
      const rb2 = new Recorder();
      let b2: Transport | undefined;
      try {
        a.send(b.localAddress, text('one'));
        await rb.until(() => rb.frames.length === 1, 'first frame');
        await ra.until(() => ra.ups.length === 1, 'peerUp');
        await b.close();
        await ra.until(() => ra.downs.length === 1, 'peerDown after the peer closed');
        assert.equal(ra.downs[0]!.peer, b.localAddress);
        assert.equal(a.isConnected(b.localAddress), false);
        assert.equal(a.send(b.localAddress, text('while-down')), 'queued');
        b2 = harness.create(b.localAddress, rb2);
        await b2.listen();
        await ra.until(() => ra.ups.length === 2, 'peerUp after the peer came back');
        assert.equal(a.isConnected(b.localAddress), true);
        a.send(b.localAddress, text('after'));
        await rb2.until(() => rb2.frames.length === 2, 'frames after reconnect');
        assert.deepEqual(texts(rb2.frames), ['while-down', 'after']);
        assert.equal(rb2.frames[0]!.from, a.localAddress);
        assert.equal(ra.downs.length, 1);
      } finally {
        await closeAll(a, b, ...(b2 ? [b2] : []));
      }
    });

    it('queues for a never-started peer, reports it down once, drops beyond the queue limit', async () => {
      const harness = makeHarness();
      const ra = new Recorder();
      const a = harness.create(await harness.freeAddress(), ra, { maxQueuedBytesPerPeer: 10_000 });
      const ghost = await harness.freeAddress();
      try {
        await a.listen();
        assert.equal(a.send(ghost, randomBytes(1000)), 'queued');
        await ra.until(() => ra.downs.length === 1, 'peerDown for the ghost');
        assert.equal(ra.downs[0]!.peer, ghost);
        let queued = 1;
        while (queued < 100 && a.send(ghost, randomBytes(1000)) === 'queued') queued++;
        assert.ok(queued >= 5 && queued <= 10, `queued ${queued} frames of 1000 bytes under a 10000-byte limit`);
        assert.ok(a.queuedBytes(ghost) >= 5_000 && a.queuedBytes(ghost) <= 10_000);
        assert.equal(a.send(ghost, new Uint8Array(2000)), 'dropped');
        await sleep(250);
        assert.equal(ra.downs.length, 1, 'failed reconnects do not repeat peerDown');
        assert.deepEqual(ra.ups, []);
        assert.equal(a.isConnected(ghost), false);
      } finally {
        await a.close();
      }
    });

    it('closes idempotently, drops sends after close, and leaves no handles', async () => {
      const before = handleCounts();
      const harness = makeHarness();
      const { a, b, ra, rb } = await listeningPair(harness);
      const ghost = await harness.freeAddress();
      a.send(b.localAddress, text('ping'));
      b.send(a.localAddress, text('pong'));
      a.send(ghost, text('nobody'));
      await rb.until(() => rb.frames.length === 1, 'ping');
      await ra.until(() => ra.frames.length === 1 && ra.downs.length === 1, 'pong and ghost down');
      await Promise.all([a.close(), a.close(), b.close()]);
      await a.close();
      await b.close();
      assert.equal(a.send(b.localAddress, text('late')), 'dropped');
      assert.equal(a.isConnected(b.localAddress), false);
      await new Promise((resolve) => setImmediate(resolve));
      for (const [kind, count] of handleCounts()) {
        assert.ok(count <= (before.get(kind) ?? 0), `${count - (before.get(kind) ?? 0)} ${kind} left open after close`);
      }
    });
  });
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
