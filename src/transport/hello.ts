/**
 * The hello that opens every outbound connection: who is speaking and in which protocol version.
 *
 * Inbound connections are only read, so the receiver learns the sender's listen address from this
 * preamble (the socket's remote port is an ephemeral one). It is a fixed layout, deliberately not a
 * length-prefixed frame, so that garbage or another protocol on the port is recognised from its
 * first four bytes instead of after waiting for some random declared length:
 *
 *   magic u32 "DYNM" | version u8 | flags u8 | address length u16 | address (UTF-8)
 *   [flags bit 0: cluster id length u8 | cluster id (UTF-8)]
 *
 * Frames follow immediately after it. The cluster id (minted when the cluster was founded) lets a
 * receiver that knows its own refuse a node of another cluster at the door (tcp.ts).
 */
import type { PeerAddress } from '../core/ids.js';
import { assert } from '../core/assert.js';
import { parsePeerAddress } from '../core/address.js';

export const HELLO_MAGIC = 0x44594e4d; // "DYNM"
export const HELLO_VERSION = 1;
export const HELLO_HEADER_BYTES = 8;
export const MAX_HELLO_ADDRESS_BYTES = 512;
export const MAX_CLUSTER_ID_BYTES = 64;
const FLAG_CLUSTER_ID = 0x01;

export function encodeHello(address: PeerAddress, clusterId: string | null = null): Buffer {
  const addressBytes = Buffer.from(address, 'utf8');
  assert(addressBytes.length > 0 && addressBytes.length <= MAX_HELLO_ADDRESS_BYTES, 'a listen address fits the hello');
  const idBytes = clusterId === null ? null : Buffer.from(clusterId, 'utf8');
  assert(idBytes === null || (idBytes.length > 0 && idBytes.length <= MAX_CLUSTER_ID_BYTES), 'a cluster id fits the hello');
  const hello = Buffer.allocUnsafe(HELLO_HEADER_BYTES + addressBytes.length + (idBytes === null ? 0 : 1 + idBytes.length));
  hello.writeUInt32BE(HELLO_MAGIC, 0);
  hello.writeUInt8(HELLO_VERSION, 4);
  hello.writeUInt8(idBytes === null ? 0 : FLAG_CLUSTER_ID, 5);
  hello.writeUInt16BE(addressBytes.length, 6);
  addressBytes.copy(hello, HELLO_HEADER_BYTES);
  if (idBytes !== null) {
    hello.writeUInt8(idBytes.length, HELLO_HEADER_BYTES + addressBytes.length);
    idBytes.copy(hello, HELLO_HEADER_BYTES + addressBytes.length + 1);
  }
  return hello;
}

export type HelloResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'hello'; readonly from: PeerAddress; readonly clusterId: string | null; readonly rest: Buffer };

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
    const flags = data.readUInt8(5);
    if ((flags & ~FLAG_CLUSTER_ID) !== 0) return { kind: 'invalid', reason: `unknown hello flags 0x${flags.toString(16)}` };
    const addressEnd = HELLO_HEADER_BYTES + addressBytes;
    if (data.length < addressEnd) return { kind: 'incomplete' };
    const from = data.toString('utf8', HELLO_HEADER_BYTES, addressEnd);
    if (parsePeerAddress(from) === undefined) return { kind: 'invalid', reason: `hello address ${JSON.stringify(from)} is not host:port` };
    let end = addressEnd;
    let clusterId: string | null = null;
    if ((flags & FLAG_CLUSTER_ID) !== 0) {
      if (data.length < addressEnd + 1) return { kind: 'incomplete' };
      const idBytes = data.readUInt8(addressEnd);
      if (idBytes === 0 || idBytes > MAX_CLUSTER_ID_BYTES) return { kind: 'invalid', reason: `hello cluster id length ${idBytes} outside 1..${MAX_CLUSTER_ID_BYTES}` };
      end = addressEnd + 1 + idBytes;
      if (data.length < end) return { kind: 'incomplete' };
      clusterId = data.toString('utf8', addressEnd + 1, end);
    }
    this.buffered = Buffer.alloc(0);
    return { kind: 'hello', from, clusterId, rest: data.subarray(end) };
  }
}
