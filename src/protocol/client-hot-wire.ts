/**
 * A hand-written layout for the client protocol's hot frames: get, put and delete requests and
 * their successful answers, which are nearly all of a client's traffic. msgpack was on the stack in
 * about a tenth of the nodes' CPU samples and a third of the load generator's; this layout
 * allocates only the decoded strings and views into the frame (A/B: workload A +10%, node CPU per
 * operation -8%). It starts with 0xC1, a byte msgpack never produces
 * (as the replica messages' layout does), so a node tells the two apart by the first byte, and
 * everything else (errors, bucket operations, a third-party msgpack client) stays msgpack. A node
 * answers a hot request with a hot answer, a msgpack request with a msgpack answer.
 *
 *   request   0xC1 | version u8 | op u8 | id u48 | flags u8 | bucket: u16 len + bytes | key: u16 len + bytes
 *             | r or w u8 (flag 1) | coordinator: u8 len + bytes (flag 8)
 *             | put, delete: context | put: value: u32 len + bytes
 *   answer    0xC1 | version u8 | op u8 | id u48
 *             | get, put, delete: context
 *             | get: flags u8 | fastest replica: u8 len + bytes (flag 2) | u16 count, values: u48 timestampMs, u32 len + bytes
 *             | replicaRead: flags u8 | n u8 | r u8 | sibling set: u32 len + bytes (flag 4)
 *   context   u16 count, entries: node: u8 len + bytes, counter u48
 *   ops       1 get, 2 put, 3 delete, 4 replicaRead
 *   flags     1 r/w given, 2 strict given, 4 strict, 8 coordinator given; get answer: 1 tombstone, 2 fastest
 *             replica given; replicaRead answer: 1 primary, 2 lww, 4 sibling set given
 *
 * The encoders return null when a field does not fit its width (a node id over 255 bytes, a
 * counter over 2^48): the caller then sends that frame as msgpack, so the layout limits nothing.
 * Decoded requests are plain objects that go through the same validation as msgpack ones.
 *
 * replicaRead (op 4) came later than the layout's version 1 and did not change it: a node that
 * predates it answers the unknown code with an error, on which the client coordinates the read
 * through a node instead.
 */
import { HOT_MARKER } from './hot-codec.js';
import { HotDecodeError, HotReader } from './hot-reader.js';
import type { VersionVector } from '../core/versions/index.js';
import type { ClientRequest, ClientResponse, GetResult, ReplicaReadResult, WriteResult } from './requests.js';

const VERSION = 1;
const OPS = ['get', 'put', 'delete', 'replicaRead'] as const;
type HotOp = (typeof OPS)[number];
const OP_CODE: Record<HotOp, number> = { get: 1, put: 2, delete: 3, replicaRead: 4 };

const FLAG_OPTION = 1;
const FLAG_STRICT_GIVEN = 2;
const FLAG_STRICT = 4;
const FLAG_COORDINATOR = 8;
const ANSWER_TOMBSTONE = 1;
const ANSWER_FASTEST = 2;
const REPLICA_PRIMARY = 1;
const REPLICA_LWW = 2;
const REPLICA_SET = 4;

const MAX_U48 = 2 ** 48 - 1;
const HEADER_BYTES = 3 + 6;

export function isHotFrame(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] === HOT_MARKER;
}

/** Whether a request (or the answer to it) has a hot layout. */
export function hasHotLayout(op: string): op is HotOp {
  return op === 'get' || op === 'put' || op === 'delete' || op === 'replicaRead';
}

/** Sizes a frame and refuses it (null) when a field does not fit its width. */
class Sizer {
  bytes = HEADER_BYTES;
  fits = true;
  string(text: string, maxBytes: number): void {
    const n = Buffer.byteLength(text, 'utf8');
    if (n > maxBytes) this.fits = false;
    this.bytes += n;
  }
  int(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_U48) this.fits = false;
  }
  context(vector: VersionVector): void {
    if (vector.length > 0xffff) this.fits = false;
    this.bytes += 2;
    for (let i = 0; i < vector.length; i++) {
      const [node, counter] = vector[i]!;
      this.bytes += 1 + 6;
      this.string(node, 0xff);
      this.int(counter);
    }
  }
}

class Writer {
  at = 0;
  readonly out: Buffer;
  constructor(bytes: number) {
    this.out = Buffer.allocUnsafe(bytes);
  }
  u8(n: number): void {
    this.out[this.at++] = n;
  }
  u16(n: number): void {
    this.at = this.out.writeUInt16BE(n, this.at);
  }
  u32(n: number): void {
    this.at = this.out.writeUInt32BE(n, this.at);
  }
  u48(n: number): void {
    this.at = this.out.writeUIntBE(n, this.at, 6);
  }
  /** A string after its length in `lengthBytes` (1 or 2) bytes. */
  string(text: string, lengthBytes: 1 | 2): void {
    const n = this.out.write(text, this.at + lengthBytes, 'utf8');
    if (lengthBytes === 1) this.out[this.at] = n;
    else this.out.writeUInt16BE(n, this.at);
    this.at += lengthBytes + n;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.out.set(b, this.at);
    this.at += b.length;
  }
  header(op: HotOp, id: number): void {
    this.u8(HOT_MARKER);
    this.u8(VERSION);
    this.u8(OP_CODE[op]);
    this.u48(id);
  }
  context(vector: VersionVector): void {
    this.u16(vector.length);
    for (let i = 0; i < vector.length; i++) {
      const [node, counter] = vector[i]!;
      this.string(node, 1);
      this.u48(counter);
    }
  }
}

export function encodeHotRequest(id: number, request: ClientRequest): Buffer | null {
  if (!hasHotLayout(request.op)) return null;
  const req = request as Extract<ClientRequest, { op: HotOp }>;
  const write = req.op === 'put' || req.op === 'delete' ? req : undefined;
  // An expiry has no hot layout: such a put travels as msgpack.
  if (write?.ttlMs !== undefined && write.ttlMs !== null) return null;
  const option = req.op === 'get' ? req.r : write?.w;
  const strict = req.op === 'get' ? req.strict : write?.strict;
  const coordinator = write?.coordinator;
  const size = new Sizer();
  size.int(id);
  size.bytes += 1 + 4;
  size.string(req.bucket, 0xffff);
  size.string(req.key, 0xffff);
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 1 || option > 0xff) return null;
    size.bytes += 1;
  }
  if (coordinator !== undefined) {
    size.bytes += 1;
    size.string(coordinator, 0xff);
  }
  if (write !== undefined) size.context(write.context);
  if (req.op === 'put') size.bytes += 4 + req.value.length;
  if (!size.fits) return null;

  const w = new Writer(size.bytes);
  w.header(req.op, id);
  let flags = option === undefined ? 0 : FLAG_OPTION;
  if (strict !== undefined) flags |= FLAG_STRICT_GIVEN | (strict ? FLAG_STRICT : 0);
  if (coordinator !== undefined) flags |= FLAG_COORDINATOR;
  w.u8(flags);
  w.string(req.bucket, 2);
  w.string(req.key, 2);
  if (option !== undefined) w.u8(option);
  if (coordinator !== undefined) w.string(coordinator, 1);
  if (write !== undefined) w.context(write.context);
  if (req.op === 'put') w.bytes(req.value);
  return w.out;
}

function readHeader(r: HotReader): { op: HotOp; id: number } {
  r.u8(); // the marker, checked by the caller
  const version = r.u8();
  if (version !== VERSION) throw new HotDecodeError(`unsupported client frame version ${version}`);
  const code = r.u8();
  const op = OPS[code - 1];
  if (op === undefined) throw new HotDecodeError(`unknown operation code ${code}`);
  return { op, id: r.u48() };
}

function readContext(r: HotReader): [string, number][] {
  const vector: [string, number][] = [];
  for (let n = r.u16(); n > 0; n--) vector.push([r.text(r.u8()), r.u48()]);
  return vector;
}

/**
 * The id and the fields of a hot request, as a plain object for the same validation msgpack
 * requests get; throws a HotDecodeError on a malformed frame (hotFrameId then names its id).
 */
export function decodeHotRequest(payload: Uint8Array): { id: number; request: Record<string, unknown> } {
  const r = new HotReader(payload);
  const { op, id } = readHeader(r);
  const flags = r.u8();
  const request: Record<string, unknown> = { op, bucket: r.text(r.u16()), key: r.text(r.u16()) };
  if ((flags & FLAG_OPTION) !== 0) request[op === 'get' ? 'r' : 'w'] = r.u8();
  if ((flags & FLAG_STRICT_GIVEN) !== 0) request.strict = (flags & FLAG_STRICT) !== 0;
  if ((flags & FLAG_COORDINATOR) !== 0) request.coordinator = r.text(r.u8());
  if (op === 'put' || op === 'delete') request.context = readContext(r);
  if (op === 'put') request.value = r.bytes(r.u32());
  r.end();
  return { id, request };
}

/** The id a hot frame names, or 0 when its header cannot be read (for the error answer). */
export function hotFrameId(payload: Uint8Array): number {
  try {
    return readHeader(new HotReader(payload)).id;
  } catch {
    return 0;
  }
}

export function encodeHotResponse(id: number, response: ClientResponse): Buffer | null {
  if (!response.ok || !hasHotLayout(response.op)) return null;
  if (response.op === 'replicaRead') return encodeReplicaRead(id, response as ReplicaReadResult);
  const answer = response as GetResult | WriteResult;
  const size = new Sizer();
  size.int(id);
  size.context(answer.context);
  if (answer.op === 'get') {
    // A counter or set value has no hot layout: such an answer travels as msgpack.
    if (answer.crdt !== undefined) return null;
    size.bytes += 1 + 2;
    if (answer.fastestReplica !== undefined) {
      size.bytes += 1;
      size.string(answer.fastestReplica, 0xff);
    }
    if (answer.values.length > 0xffff) return null;
    for (let i = 0; i < answer.values.length; i++) {
      const v = answer.values[i]!;
      if (v.data === null || v.expiresAtMs !== undefined) return null;
      size.int(v.timestampMs);
      size.bytes += 6 + 4 + v.data.length;
    }
  }
  if (!size.fits) return null;

  const w = new Writer(size.bytes);
  w.header(answer.op, id);
  w.context(answer.context);
  if (answer.op === 'get') {
    w.u8((answer.tombstone ? ANSWER_TOMBSTONE : 0) | (answer.fastestReplica === undefined ? 0 : ANSWER_FASTEST));
    if (answer.fastestReplica !== undefined) w.string(answer.fastestReplica, 1);
    w.u16(answer.values.length);
    for (let i = 0; i < answer.values.length; i++) {
      const v = answer.values[i]!;
      w.u48(v.timestampMs);
      w.bytes(v.data!);
    }
  }
  return w.out;
}

function encodeReplicaRead(id: number, answer: ReplicaReadResult): Buffer | null {
  const byte = (x: number): boolean => Number.isInteger(x) && x >= 0 && x <= 0xff;
  if (!Number.isSafeInteger(id) || id < 0 || id > MAX_U48 || !byte(answer.n) || !byte(answer.r)) return null;
  const w = new Writer(HEADER_BYTES + 3 + (answer.set === null ? 0 : 4 + answer.set.length));
  w.header('replicaRead', id);
  w.u8((answer.primary ? REPLICA_PRIMARY : 0) | (answer.lww ? REPLICA_LWW : 0) | (answer.set === null ? 0 : REPLICA_SET));
  w.u8(answer.n);
  w.u8(answer.r);
  if (answer.set !== null) w.bytes(answer.set);
  return w.out;
}

/** A hot answer; values (and a replica's sibling set) are views into the frame. Throws on a malformed frame. */
export function decodeHotResponse(payload: Uint8Array): { id: number; response: GetResult | WriteResult | ReplicaReadResult } {
  const r = new HotReader(payload);
  const { op, id } = readHeader(r);
  if (op === 'replicaRead') {
    const flags = r.u8();
    const n = r.u8();
    const replicaR = r.u8();
    const set = (flags & REPLICA_SET) !== 0 ? r.bytes(r.u32()) : null;
    r.end();
    return { id, response: { ok: true, op, primary: (flags & REPLICA_PRIMARY) !== 0, set, n, r: replicaR, lww: (flags & REPLICA_LWW) !== 0 } };
  }
  const context = readContext(r);
  if (op !== 'get') {
    r.end();
    return { id, response: { ok: true, op, context } };
  }
  const flags = r.u8();
  const fastestReplica = (flags & ANSWER_FASTEST) !== 0 ? r.text(r.u8()) : undefined;
  const values: { data: Uint8Array; timestampMs: number }[] = [];
  for (let n = r.u16(); n > 0; n--) values.push({ timestampMs: r.u48(), data: r.bytes(r.u32()) });
  r.end();
  const tombstone = (flags & ANSWER_TOMBSTONE) !== 0;
  return { id, response: fastestReplica === undefined ? { ok: true, op, values, context, tombstone } : { ok: true, op, values, context, tombstone, fastestReplica } };
}
