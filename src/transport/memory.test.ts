import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder, runTransportCompliance, type TransportHarness } from './testing/compliance.js';
import { createMemoryNetwork } from './memory.js';

function memoryHarness(): TransportHarness {
  const network = createMemoryNetwork();
  let next = 1;
  return {
    freeAddress: () => Promise.resolve(`10.0.0.${next++}:7000`),
    create: (address, handlers, limits) => network.transport(address, handlers, limits),
  };
}

runTransportCompliance('memory', memoryHarness);

describe('memory network', () => {
  it('cut splits both directions until heal, then queued frames flow', async () => {
    const network = createMemoryNetwork();
    const ra = new Recorder();
    const rb = new Recorder();
    const a = network.transport('a:1', ra);
    const b = network.transport('b:1', rb);
    await a.listen();
    await b.listen();
    a.send('b:1', Buffer.from('before'));
    b.send('a:1', Buffer.from('hi'));
    await rb.until(() => rb.frames.length === 1 && ra.frames.length === 1, 'first exchange');
    network.cut('a:1', 'b:1');
    assert.equal(a.isConnected('b:1'), false);
    assert.equal(a.send('b:1', Buffer.from('during')), 'queued');
    await ra.until(() => ra.downs.length === 1, 'a sees b down');
    await rb.until(() => rb.downs.length === 1, 'b sees a down');
    assert.equal(ra.downs[0]!.reason, 'cut');
    network.heal();
    await rb.until(() => rb.frames.length === 2, 'queued frame after heal');
    assert.equal(rb.frames[1]!.payload.toString(), 'during');
    await ra.until(() => ra.ups.length === 2, 'a sees b up again');
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a second listener on the same address', async () => {
    const network = createMemoryNetwork();
    const a = network.transport('a:1', new Recorder());
    const a2 = network.transport('a:1', new Recorder());
    await a.listen();
    await assert.rejects(a2.listen(), /EADDRINUSE/);
    await a.close();
    await a2.listen();
    await a2.close();
  });

  it('copies payloads, as a socket would', async () => {
    const network = createMemoryNetwork();
    const rb = new Recorder();
    const a = network.transport('a:1', new Recorder());
    const b = network.transport('b:1', rb);
    await b.listen();
    const payload = Buffer.from('original');
    a.send('b:1', payload);
    payload.write('mutated!');
    await rb.until(() => rb.frames.length === 1, 'frame');
    assert.equal(rb.frames[0]!.payload.toString(), 'original');
    await Promise.all([a.close(), b.close()]);
  });
});
