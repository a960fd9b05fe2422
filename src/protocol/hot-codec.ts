/**
 * A hand-written layout for the four messages on every request's path (replica write and its ack,
 * replica read and its reply): about twice as fast as msgpack and with no per-field allocation.
 * A frame in this layout starts with 0xC1, a byte msgpack never produces, so one codec can carry
 * both: these four here, every other message as msgpack.
 *
 *   0xC1 | version u8 | type u8 | from: u8 len + bytes | id u32 | body
 *   ReplicaWrite  hash 16 | bucket: u16 len + bytes | key: u16 len + bytes | hintFor: u8 len + bytes (0 = none)
 *                 | base: u8 (0 = none, 1 = present) + u8 len + bytes | set: u32 len + bytes
 *   WriteAck      ok u8
 *   ReplicaRead   hash 16 | bucket: u16 len + bytes | key: u16 len + bytes
 *   ReadReply     present u8 | set: u32 len + bytes (when present)
 */
import { fail } from '../core/assert.js';
import { HotDecodeError, HotReader } from './hot-reader.js';
import { MessageType, PROTOCOL_VERSION, type Envelope, type PeerMessage } from './messages.js';

export const HOT_MARKER = 0xc1;
const HASH_BYTES = 16;

type Hot = Extract<PeerMessage, { type: 1 | 2 | 3 | 4 }>;

export function isHot(body: PeerMessage): body is Hot {
  return body.type <= MessageType.ReadReply;
}

function bodySize(body: Hot): number {
  switch (body.type) {
    case MessageType.ReplicaWrite:
      return HASH_BYTES + 4 + Buffer.byteLength(body.bucket) + Buffer.byteLength(body.key) + 1 + (body.hintFor === null ? 0 : Buffer.byteLength(body.hintFor)) + 1 + (body.base === null ? 0 : 1 + body.base.length) + 4 + body.set.length;
    case MessageType.WriteAck:
      return 1;
    case MessageType.ReplicaRead:
      return HASH_BYTES + 4 + Buffer.byteLength(body.bucket) + Buffer.byteLength(body.key);
    case MessageType.ReadReply:
      return 1 + (body.set === null ? 0 : 4 + body.set.length);
  }
}

export function encodeHot(from: string, body: Hot): Buffer {
  const fromLength = Buffer.byteLength(from);
  const out = Buffer.allocUnsafe(3 + 1 + fromLength + 4 + bodySize(body));
  out[0] = HOT_MARKER;
  out[1] = PROTOCOL_VERSION;
  out[2] = body.type;
  out[3] = fromLength;
  let at = 4 + out.write(from, 4);
  at = out.writeUInt32BE(body.id >>> 0, at);
  switch (body.type) {
    case MessageType.ReplicaWrite: {
      at = writeHash(out, at, body.hash);
      at = writeString16(out, at, body.bucket);
      at = writeString16(out, at, body.key);
      const hint = body.hintFor ?? '';
      out[at] = Buffer.byteLength(hint);
      at += 1 + out.write(hint, at + 1);
      if (body.base === null) out[at++] = 0;
      else {
        if (body.base.length > 0xff) fail(`a base digest has at most 255 bytes, not ${body.base.length}`);
        out[at++] = 1;
        out[at++] = body.base.length;
        out.set(body.base, at);
        at += body.base.length;
      }
      at = out.writeUInt32BE(body.set.length, at);
      out.set(body.set, at);
      break;
    }
    case MessageType.WriteAck:
      out[at] = body.ok ? 1 : 0;
      break;
    case MessageType.ReplicaRead:
      at = writeHash(out, at, body.hash);
      at = writeString16(out, at, body.bucket);
      writeString16(out, at, body.key);
      break;
    case MessageType.ReadReply:
      out[at] = body.set === null ? 0 : 1;
      if (body.set !== null) {
        at = out.writeUInt32BE(body.set.length, at + 1);
        out.set(body.set, at);
      }
      break;
  }
  return out;
}

function writeHash(out: Buffer, at: number, hash: Uint8Array): number {
  if (hash.length !== HASH_BYTES) fail(`a key hash has ${HASH_BYTES} bytes, not ${hash.length}`);
  out.set(hash, at);
  return at + HASH_BYTES;
}

function writeString16(out: Buffer, at: number, text: string): number {
  const length = out.write(text, at + 2);
  out.writeUInt16BE(length, at);
  return at + 2 + length;
}

export function decodeHot(bytes: Uint8Array): Envelope {
  const r = new HotReader(bytes);
  if (r.u8() !== HOT_MARKER) throw new HotDecodeError('not a hot frame');
  const v = r.u8();
  if (v !== PROTOCOL_VERSION) throw new HotDecodeError(`unsupported protocol version ${v}`);
  const type = r.u8();
  const from = r.text(r.u8());
  if (from.length === 0) throw new HotDecodeError('envelope without sender');
  const id = r.u32();
  let body: PeerMessage;
  switch (type) {
    case MessageType.ReplicaWrite: {
      const hash = r.bytes(HASH_BYTES);
      const bucket = r.text(r.u16());
      const key = r.text(r.u16());
      const hint = r.text(r.u8());
      const base = r.u8() === 1 ? r.bytes(r.u8()) : null;
      const set = r.bytes(r.u32());
      body = { type, id, hash, bucket, key, hintFor: hint === '' ? null : hint, base, set };
      break;
    }
    case MessageType.WriteAck:
      body = { type, id, ok: r.u8() === 1 };
      break;
    case MessageType.ReplicaRead:
      body = { type, id, hash: r.bytes(HASH_BYTES), bucket: r.text(r.u16()), key: r.text(r.u16()) };
      break;
    case MessageType.ReadReply:
      body = { type, id, set: r.u8() === 1 ? r.bytes(r.u32()) : null };
      break;
    default:
      throw new HotDecodeError(`type ${type} has no hot layout`);
  }
  r.end();
  return { v, from, body };
}
