import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, Socket } from 'node:net';
import { Recorder, runTransportCompliance, sleep, type TransportHarness } from './testing/compliance.js';
import { encodeFrame } from '../protocol/framing.js';
import { encodeHello, HELLO_MAGIC } from './hello.js';
import { createTcpTransport } from './tcp.js';
import type { FlushPolicy, Transport, TransportHandlers, TransportLogger } from './types.js';

const HOST = '127.0.0.1';

/** A port the OS just handed out and took back; nothing listens there until a test does. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const address = server.address();
      assert.ok(address !== null && typeof address === 'object');
      server.close(() => resolve(address.port));
    });
  });
}

class CapturingLogger implements TransportLogger {
  readonly warnings: { fields: object; msg: string }[] = [];
  debug(): void {}
  info(): void {}
  warn(fields: object, msg: string): void {
    this.warnings.push({ fields, msg });
  }
}

interface Extra {
  logger?: TransportLogger;
  maxQueuedBytesPerPeer?: number;
  maxFrameBytes?: number;
  connectTimeoutMs?: number;
  flushPolicy?: FlushPolicy;
}

function tcp(address: string, handlers: TransportHandlers, extra: Extra = {}): Transport {
  const colon = address.lastIndexOf(':');
  return createTcpTransport({
    host: address.slice(0, colon),
    port: Number(address.slice(colon + 1)),
    handlers,
    reconnectMinMs: 10,
    reconnectMaxMs: 100,
    connectTimeoutMs: 1_000,
    ...extra,
  });
}

const tcpHarness = (): TransportHarness => ({
  freeAddress: async () => `${HOST}:${await freePort()}`,
  create: (address, handlers, limits) => tcp(address, handlers, limits),
});

runTransportCompliance('tcp', tcpHarness);

/** Opens a raw socket to `address`, writes `bytes`, and resolves when the transport closes it. */
function rawClosedBy(address: string, bytes: Buffer): Promise<void> {
  const colon = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }, () => socket.write(bytes));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

async function serving(extra: Extra = {}): Promise<{ a: Transport; b: Transport; rb: Recorder; logger: CapturingLogger }> {
  const logger = new CapturingLogger();
  const rb = new Recorder();
  const a = tcp(`${HOST}:0`, new Recorder(), extra);
  const b = tcp(`${HOST}:0`, rb, { logger, ...extra });
  await a.listen();
  await b.listen();
  return { a, b, rb, logger };
}

async function stillServes(a: Transport, b: Transport, rb: Recorder, marker: string): Promise<void> {
  const before = rb.frames.length;
  a.send(b.localAddress, Buffer.from(marker));
  await rb.until(() => rb.frames.length === before + 1, `${marker} delivered`);
  assert.equal(rb.frames.at(-1)!.payload.toString(), marker);
  assert.equal(rb.frames.at(-1)!.from, a.localAddress);
}

describe('tcp transport on a hostile port', () => {
  it('closes a connection that sends garbage, a wrong version or an oversize frame, and keeps serving', async () => {
    const { a, b, rb, logger } = await serving({ maxFrameBytes: 1024 });
    try {
      await stillServes(a, b, rb, 'first');
      await rawClosedBy(b.localAddress, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      const wrongVersion = encodeHello('127.0.0.1:9');
      wrongVersion.writeUInt8(99, 4);
      await rawClosedBy(b.localAddress, wrongVersion);
      const oversize = Buffer.alloc(4);
      oversize.writeUInt32BE(2048);
      await rawClosedBy(b.localAddress, Buffer.concat([encodeHello('127.0.0.1:9'), encodeFrame(Buffer.from('ok')), oversize]));
      const huge = Buffer.alloc(4);
      huge.writeUInt32BE(0xffff_ffff);
      await rawClosedBy(b.localAddress, Buffer.concat([encodeHello('127.0.0.1:9'), huge]));
      const badAddress = Buffer.alloc(8);
      badAddress.writeUInt32BE(HELLO_MAGIC, 0);
      badAddress.writeUInt8(1, 4);
      await rawClosedBy(b.localAddress, Buffer.concat([badAddress.subarray(0, 6), Buffer.from([0, 3]), Buffer.from('abc')]));
      assert.equal(logger.warnings.length, 5, JSON.stringify(logger.warnings));
      assert.ok(logger.warnings.some((w) => JSON.stringify(w.fields).includes('bad magic')));
      assert.ok(logger.warnings.some((w) => JSON.stringify(w.fields).includes('version 99')));
      assert.ok(logger.warnings.some((w) => JSON.stringify(w.fields).includes('exceeds the limit')));
      assert.deepEqual(
        rb.frames.map((f) => [f.from, f.payload.toString()]),
        [
          [a.localAddress, 'first'],
          ['127.0.0.1:9', 'ok'],
        ],
      );
      await stillServes(a, b, rb, 'second');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('closes an inbound connection that never says hello', async () => {
    const { a, b, rb, logger } = await serving({ connectTimeoutMs: 100 });
    try {
      const started = Date.now();
      await rawClosedBy(b.localAddress, Buffer.alloc(0));
      assert.ok(Date.now() - started < 1_000);
      assert.match(JSON.stringify(logger.warnings), /no hello in time/);
      await stillServes(a, b, rb, 'after');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('tcp transport', () => {
  it('announces its bound port when listening on port 0', async () => {
    const { a, b, rb } = await serving();
    try {
      assert.match(a.localAddress, /^127\.0\.0\.1:[1-9]\d*$/);
      await stillServes(a, b, rb, 'hello');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('drops a payload over maxFrameBytes instead of poisoning the connection', async () => {
    const { a, b, rb } = await serving({ maxFrameBytes: 100 });
    try {
      assert.equal(a.send(b.localAddress, new Uint8Array(101)), 'dropped');
      await stillServes(a, b, rb, 'fits');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  for (const [policy, expectedWrites] of [
    ['turn', 1],
    ['frame', 100],
  ] as const) {
    it(`writes frames sent in one turn with ${expectedWrites} socket write(s) under flushPolicy '${policy}'`, async () => {
      const { a, b, rb } = await serving({ flushPolicy: policy });
      const port = Number(b.localAddress.split(':')[1]);
      const originalWrite = Socket.prototype.write;
      let writes = 0;
      try {
        await stillServes(a, b, rb, 'warm-up');
        Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
          if (this.remotePort === port) writes++;
          return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
        } as typeof originalWrite;
        for (let i = 0; i < 100; i++) a.send(b.localAddress, Buffer.from(`f${i}`));
        await rb.until(() => rb.frames.length === 101, 'burst');
        assert.equal(writes, expectedWrites);
      } finally {
        Socket.prototype.write = originalWrite;
        await Promise.all([a.close(), b.close()]);
      }
    });
  }

  it('pushes back when a connected peer stops reading: the socket buffer counts against the limit', async () => {
    const maxQueuedBytesPerPeer = 256 * 1024;
    const a = tcp(`${HOST}:0`, new Recorder(), { maxQueuedBytesPerPeer });
    const stalled: Socket[] = [];
    const peer = createServer((socket) => {
      socket.pause();
      stalled.push(socket);
    });
    await new Promise<void>((resolve) => peer.listen({ host: HOST, port: 0 }, resolve));
    const address = peer.address();
    assert.ok(address !== null && typeof address === 'object');
    const to = `${HOST}:${address.port}`;
    try {
      await a.listen();
      let dropped = false;
      for (let turn = 0; turn < 2_000 && !dropped; turn++) {
        dropped = a.send(to, new Uint8Array(64 * 1024)) === 'dropped';
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(dropped, 'a peer that never reads must eventually cause drops');
      assert.ok(a.queuedBytes(to) <= maxQueuedBytesPerPeer);
      assert.ok(a.queuedBytes(to) > 0);
    } finally {
      for (const socket of stalled) socket.destroy();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
      await a.close();
    }
  });

  it('fires peerDown promptly when the peer process vanishes (its sockets reset)', async () => {
    const ra = new Recorder();
    const a = tcp(`${HOST}:0`, ra);
    const peer = createServer((socket) => setTimeout(() => socket.resetAndDestroy(), 20));
    await new Promise<void>((resolve) => peer.listen({ host: HOST, port: 0 }, resolve));
    const address = peer.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      await a.listen();
      a.send(`${HOST}:${address.port}`, Buffer.from('x'));
      await ra.until(() => ra.ups.length === 1, 'up');
      await new Promise<void>((resolve) => peer.close(() => resolve()));
      await ra.until(() => ra.downs.length === 1, 'down');
      await sleep(200);
      assert.equal(ra.downs.length, 1);
      assert.equal(ra.ups.length, 1);
    } finally {
      await a.close();
    }
  });
});
