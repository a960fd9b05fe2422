import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHello, HelloReader } from './hello.js';
import { parsePeerAddress } from '../core/address.js';

describe('hello', () => {
  it('round-trips the address, fed byte by byte, and hands back the bytes after it', () => {
    const bytes = Buffer.concat([encodeHello('127.0.0.1:7001'), Buffer.from('rest')]);
    const reader = new HelloReader();
    for (let i = 0; i < bytes.length - 5; i++) assert.equal(reader.push(bytes.subarray(i, i + 1)).kind, 'incomplete');
    const result = reader.push(bytes.subarray(bytes.length - 5));
    assert.equal(result.kind, 'hello');
    assert.ok(result.kind === 'hello');
    assert.equal(result.from, '127.0.0.1:7001');
    assert.equal(result.rest.toString(), 'rest');
  });

  it('rejects another protocol from its first four bytes', () => {
    const result = new HelloReader().push(Buffer.from('GET '));
    assert.equal(result.kind, 'invalid');
  });

  it('rejects a wrong version and a malformed address', () => {
    const wrong = encodeHello('h:1');
    wrong.writeUInt8(2, 4);
    assert.match(JSON.stringify(new HelloReader().push(wrong)), /unsupported protocol version 2/);
    const noPort = encodeHello('h:1');
    noPort.write('h:x', 8);
    assert.match(JSON.stringify(new HelloReader().push(noPort)), /not host:port/);
  });
});

describe('peer address', () => {
  it('parses host:port and bracketed IPv6, and refuses what net.connect would throw on', () => {
    assert.deepEqual(parsePeerAddress('127.0.0.1:7001'), { host: '127.0.0.1', port: 7001 });
    assert.deepEqual(parsePeerAddress('[::1]:7001'), { host: '::1', port: 7001 });
    for (const bad of ['', 'host', ':7001', 'host:', 'host:70000', 'host:-1', 'host:7a']) {
      assert.equal(parsePeerAddress(bad), undefined, bad);
    }
  });
});
