/**
 * Belt and braces behind the decoders: an input whose handling throws (a bug) is caught at the
 * runtime, counted as dynamo_handler_errors_total, logged with the message type, the connection it
 * came on is closed, and the node keeps serving. The test makes the node throw on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { pino } from 'pino';
import { encodeEnvelope } from '../protocol/codec.js';
import { MessageType, PROTOCOL_VERSION } from '../protocol/messages.js';
import { createMemoryEngine } from '../storage/memory.js';
import { encodeFrame } from '../protocol/framing.js';
import { encodeHello } from '../transport/hello.js';
import { NodeRuntime } from './node-runtime.js';

const PORT = 27_151;

test('a handler that throws is counted, closes that connection, and the node keeps serving', async () => {
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
  const runtime = await NodeRuntime.start({
    self: { id: 'n1', address: `127.0.0.1:${PORT}`, httpAddress: '127.0.0.1:1', clientAddress: null, weight: 1 },
    listenHost: '127.0.0.1',
    peerPort: PORT,
    seeds: [`127.0.0.1:${PORT}`],
    engine: createMemoryEngine(),
    logger,
    config: { seedWaitMs: 1 },
  });
  try {
    const deadline = Date.now() + 10_000;
    while (runtime.node.membership() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(runtime.node.membership() !== null, 'the node founded its cluster');

    const realStep = runtime.node.step.bind(runtime.node);
    runtime.node.step = (input, nowMs) => {
      if (input.kind === 'peer' && input.envelope.body.type === MessageType.Heartbeat) throw new Error('injected handler bug');
      realStep(input, nowMs);
    };
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(PORT, '127.0.0.1');
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 5_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.on('error', () => undefined);
      const heartbeat = encodeEnvelope({ v: PROTOCOL_VERSION, from: 'n2', body: { type: MessageType.Heartbeat, membershipDigest: 'x', bucketsDigest: 'y' } });
      socket.write(Buffer.concat([encodeHello('127.0.0.1:27152'), encodeFrame(heartbeat)]));
    });
    assert.ok(closed, 'the node closed the connection that carried the frame it could not handle');
    assert.equal(runtime.node.metrics.handlerErrors, 1);
    assert.ok(logged.some((l) => l.includes('injected handler bug') && l.includes(`"type":${MessageType.Heartbeat}`)), 'the bug is logged with the message type');

    const put = await runtime.request({ op: 'put', bucket: 'b', key: 'k', value: Buffer.from('v'), context: [], w: 1 });
    assert.ok(put.ok, `the node still serves writes: ${JSON.stringify(put)}`);
    const get = await runtime.request({ op: 'get', bucket: 'b', key: 'k', r: 1 });
    assert.ok(get.ok && get.op === 'get' && get.values.length === 1, 'and reads');
  } finally {
    await runtime.stop();
  }
});

test('a client request whose handling throws gets an error answer, and the node keeps serving', async () => {
  const runtime = await NodeRuntime.start({
    self: { id: 'n1', address: `127.0.0.1:${PORT + 10}`, httpAddress: '127.0.0.1:1', clientAddress: null, weight: 1 },
    listenHost: '127.0.0.1',
    peerPort: PORT + 10,
    seeds: [`127.0.0.1:${PORT + 10}`],
    engine: createMemoryEngine(),
    logger: pino({ level: 'silent' }),
    config: { seedWaitMs: 1 },
  });
  try {
    const realStep = runtime.node.step.bind(runtime.node);
    runtime.node.step = (input, nowMs) => {
      if (input.kind === 'client' && input.request.op === 'get') throw new Error('injected handler bug');
      realStep(input, nowMs);
    };
    const failed = await runtime.request({ op: 'get', bucket: 'b', key: 'k' });
    assert.ok(!failed.ok && failed.error === 'unavailable', `the request is answered with an error: ${JSON.stringify(failed)}`);
    assert.equal(runtime.node.metrics.handlerErrors, 1);
    const deadline = Date.now() + 10_000;
    while (runtime.node.membership() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const put = await runtime.request({ op: 'put', bucket: 'b', key: 'k', value: Buffer.from('v'), context: [], w: 1 });
    assert.ok(put.ok, 'the node still serves');
  } finally {
    await runtime.stop();
  }
});
