/**
 * The hello that opens every outbound connection: who is speaking and in which protocol version.
 *
 * Inbound connections are only read, so the receiver learns the sender's listen address from this
 * preamble (the socket's remote port is an ephemeral one). It is a fixed layout, deliberately not a
 * length-prefixed frame, so that garbage or another protocol on the port is recognised from its
 * first four bytes instead of after waiting for some random declared length:
 *
 *   magic u32 "DYNM" | version u8 | reserved u8 (0) | address length u16 | address (UTF-8)
 *
 * Frames follow immediately after it.
 */
import type { PeerAddress } from '../core/ids.js';
import { assert } from '../core/assert.js';
import { parsePeerAddress } from '../core/address.js';

export const HELLO_MAGIC = 0x44594e4d; // "DYNM"
export const HELLO_VERSION = 1;
export const HELLO_HEADER_BYTES = 8;
export const MAX_HELLO_ADDRESS_BYTES = 512;

export function encodeHello(address: PeerAddress): Buffer {
  const addressBytes = Buffer.from(address, 'utf8');
  assert(addressBytes.length > 0 && addressBytes.length <= MAX_HELLO_ADDRESS_BYTES, 'a listen address fits the hello');
  const hello = Buffer.allocUnsafe(HELLO_HEADER_BYTES + addressBytes.length);
  hello.writeUInt32BE(HELLO_MAGIC, 0);
  hello.writeUInt8(HELLO_VERSION, 4);
  hello.writeUInt8(0, 5);
  hello.writeUInt16BE(addressBytes.length, 6);
  addressBytes.copy(hello, HELLO_HEADER_BYTES);
  return hello;
}

export type HelloResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'hello'; readonly from: PeerAddress; readonly rest: Buffer };

/** Accumulates the first bytes of an inbound connection until the hello is complete or proven wrong. */
export class HelloReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): HelloResult {
    // The hello is at most a few hundred bytes, so concatenating here is cheap and happens once.
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const data = this.buffered;
    if (data.length >= 4 && data.readUInt32BE(0) !== HELLO_MAGIC) {
      return { kind: 'invalid', reason: `bad magic 0x${data.readUInt32BE(0).toString(16)}, not a dynamo peer` };
    }
    if (data.length >= 5 && data.readUInt8(4) !== HELLO_VERSION) {
      return { kind: 'invalid', reason: `unsupported protocol version ${data.readUInt8(4)} (this node speaks ${HELLO_VERSION})` };
    }
    if (data.length < HELLO_HEADER_BYTES) return { kind: 'incomplete' };
    const addressBytes = data.readUInt16BE(6);
    if (addressBytes === 0 || addressBytes > MAX_HELLO_ADDRESS_BYTES) {
      return { kind: 'invalid', reason: `hello address length ${addressBytes} outside 1..${MAX_HELLO_ADDRESS_BYTES}` };
    }
    const end = HELLO_HEADER_BYTES + addressBytes;
    if (data.length < end) return { kind: 'incomplete' };
    const from = data.toString('utf8', HELLO_HEADER_BYTES, end);
    if (parsePeerAddress(from) === undefined) return { kind: 'invalid', reason: `hello address ${JSON.stringify(from)} is not host:port` };
    this.buffered = Buffer.alloc(0);
    return { kind: 'hello', from, rest: data.subarray(end) };
  }
}
