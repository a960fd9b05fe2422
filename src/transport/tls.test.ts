import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { createCa, createNodeCert, type PemPair } from '../security/certs.js';
import { Recorder, runTransportCompliance, type TransportHarness } from './testing/compliance.js';
import { encodeFrame } from '../protocol/framing.js';
import { encodeHello } from './hello.js';
import { createTcpTransport } from './tcp.js';
import type { PeerTlsOptions, Transport, TransportHandlers } from './types.js';

const HOST = '127.0.0.1';

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

interface Pki {
  ca: PemPair;
  nodes: Map<string, PemPair>;
  otherCa: PemPair;
  stranger: PemPair;
}

let pki: Pki;

before(async () => {
  const ca = await createCa();
  const otherCa = await createCa();
  const nodes = new Map<string, PemPair>();
  for (const id of ['n1', 'n2', 'n3']) nodes.set(id, await createNodeCert(ca, id, [HOST]));
  pki = { ca, nodes, otherCa, stranger: await createNodeCert(otherCa, 'n1', [HOST]) };
});

function tlsOf(id: string, mode: PeerTlsOptions['mode'] = 'strict', onRefused?: (reason: string) => void): PeerTlsOptions {
  const pair = pki.nodes.get(id)!;
  return { ca: pki.ca.certPem, cert: pair.certPem, key: pair.keyPem, mode, ...(onRefused === undefined ? {} : { onRefused }) };
}

function transport(address: string, handlers: TransportHandlers, tls: PeerTlsOptions | undefined, limits: { maxQueuedBytesPerPeer?: number } = {}): Transport {
  const colon = address.lastIndexOf(':');
  return createTcpTransport({
    host: address.slice(0, colon),
    port: Number(address.slice(colon + 1)),
    handlers,
    reconnectMinMs: 10,
    reconnectMaxMs: 100,
    connectTimeoutMs: 2_000,
    ...limits,
    ...(tls === undefined ? {} : { tls }),
  });
}

const harness = (mode: PeerTlsOptions['mode']) => (): TransportHarness => ({
  freeAddress: async () => `${HOST}:${await freePort()}`,
  create: (address, handlers, limits) => transport(address, handlers, tlsOf('n1', mode), limits),
});

runTransportCompliance('tls (strict)', harness('strict'));
runTransportCompliance('tls (transitional)', harness('transitional'));

async function pair(aTls: PeerTlsOptions | undefined, bTls: PeerTlsOptions | undefined): Promise<{ a: Transport; b: Transport; rb: Recorder }> {
  const rb = new Recorder();
  const a = transport(`${HOST}:0`, new Recorder(), aTls);
  const b = transport(`${HOST}:0`, rb, bTls);
  await a.listen();
  await b.listen();
  return { a, b, rb };
}

async function delivered(a: Transport, b: Transport, rb: Recorder, marker: string): Promise<void> {
  const before = rb.frames.length;
  a.send(b.localAddress, Buffer.from(marker));
  await rb.until(() => rb.frames.some((f, i) => i >= before && f.payload.toString() === marker), `${marker} delivered`, 10_000);
}

function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

describe('tls peer transport', () => {
  it('hands every frame on with the node id of the sender certificate', async () => {
    const { a, b, rb } = await pair(tlsOf('n2'), tlsOf('n3'));
    try {
      await delivered(a, b, rb, 'hello');
      assert.equal(rb.frames.at(-1)!.sender, 'n2');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('connects to a peer whose certificate does not list the dialled address (the CA and the receiver-side id check suffice)', async () => {
    const elsewhere = await createNodeCert(pki.ca, 'n3', ['node3.example']);
    const { a, b, rb } = await pair(tlsOf('n2'), { ca: pki.ca.certPem, cert: elsewhere.certPem, key: elsewhere.keyPem, mode: 'strict' });
    try {
      await delivered(a, b, rb, 'by address');
      assert.equal(rb.frames.at(-1)!.sender, 'n2');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses a peer whose certificate comes from another CA, and a plaintext peer, and keeps serving', async () => {
    const refusals: string[] = [];
    const { a, b, rb } = await pair(tlsOf('n2'), tlsOf('n3', 'strict', (r) => refusals.push(r)));
    const [host, port] = [HOST, Number(b.localAddress.split(':')[1])];
    try {
      const strangerGot = new Recorder();
      const stranger = transport(`${HOST}:0`, strangerGot, { ca: pki.otherCa.certPem, cert: pki.stranger.certPem, key: pki.stranger.keyPem, mode: 'strict' });
      await stranger.listen();
      const framesBefore = rb.frames.length;
      stranger.send(b.localAddress, Buffer.from('forged'));
      // A client that skips verifying the server still fails: the server requires a cert of its CA.
      const raw = connectTls({ host, port, ca: pki.otherCa.certPem, cert: pki.stranger.certPem, key: pki.stranger.keyPem, rejectUnauthorized: false });
      raw.on('error', () => undefined);
      raw.on('secureConnect', () => raw.write(Buffer.concat([encodeHello(`${HOST}:9`), encodeFrame(Buffer.from('forged'))])));
      const plain = connect({ host, port }, () => plain.write(Buffer.concat([encodeHello(`${HOST}:9`), encodeFrame(Buffer.from('plain'))])));
      plain.on('error', () => undefined);
      await waitFor(() => refusals.length >= 2, 'two refusals');
      await delivered(a, b, rb, 'still serving');
      assert.ok(rb.frames.slice(framesBefore).every((f) => f.payload.toString() === 'still serving'), 'no frame from a refused peer');
      raw.destroy();
      plain.destroy();
      await stranger.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('transitional: a TLS node and a plain node talk both ways; plain frames carry no verified sender', async () => {
    const { a, b, rb } = await pair(undefined, tlsOf('n3', 'transitional'));
    const ra = new Recorder();
    const c = transport(`${HOST}:0`, ra, tlsOf('n2', 'transitional'));
    const plainGot = new Recorder();
    const plainNode = transport(`${HOST}:0`, plainGot, undefined);
    await c.listen();
    await plainNode.listen();
    try {
      await delivered(a, b, rb, 'from plain');
      assert.equal(rb.frames.at(-1)!.sender, null);
      await delivered(c, b, rb, 'from tls');
      assert.equal(rb.frames.at(-1)!.sender, 'n2');
      await delivered(c, plainNode, plainGot, 'tls node dials a plain one');
    } finally {
      await Promise.all([a.close(), b.close(), c.close(), plainNode.close()]);
    }
  });
});
