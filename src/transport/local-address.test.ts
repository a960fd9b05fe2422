/**
 * Outgoing peer connections leave from the node's --host address (Cassandra's listen_address):
 * two transports on 127.0.0.2 and 127.0.0.3 connect to a listener that records where each
 * connection came from. Before, both left from 127.0.0.1, whatever --host said, so a firewall
 * rule on one node's address could not cut it off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { createTcpTransport, outgoingBindAddress } from './tcp.js';
import { silentLogger, type TransportHandlers } from './types.js';

const handlers: TransportHandlers = { frame: () => undefined, peerUp: () => undefined, peerDown: () => undefined };

test('a transport connects out from its --host address', async () => {
  const seen: string[] = [];
  const listener = createServer((socket) => {
    seen.push(socket.remoteAddress ?? '?');
    socket.resume();
  });
  await new Promise<void>((r) => listener.listen({ host: '127.0.0.1', port: 0 }, r));
  const port = (listener.address() as AddressInfo).port;
  const transports = ['127.0.0.2', '127.0.0.3'].map((host) => createTcpTransport({ host, port: 0, handlers, logger: silentLogger }));
  try {
    for (const t of transports) await t.listen();
    for (const t of transports) t.send(`127.0.0.1:${port}`, new Uint8Array([1, 2, 3]));
    for (const t of transports) t.flush?.();
    const deadline = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen.sort(), ['127.0.0.2', '127.0.0.3']);
  } finally {
    for (const t of transports) await t.close();
    await new Promise((r) => listener.close(r));
  }
});

test('only an IP address of the node is bound; a wildcard or a name lets the kernel choose', () => {
  assert.equal(outgoingBindAddress('10.77.0.3'), '10.77.0.3');
  assert.equal(outgoingBindAddress('[::1]'), '::1');
  assert.equal(outgoingBindAddress('::1'), '::1');
  assert.equal(outgoingBindAddress('0.0.0.0'), undefined);
  assert.equal(outgoingBindAddress('::'), undefined);
  assert.equal(outgoingBindAddress('db1.example.com'), undefined);
});
