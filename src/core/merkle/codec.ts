/**
 * The persisted form of a tree: its shape and its leaves, nothing else (inner hashes are cheap to
 * recompute lazily). Layout, all integers big-endian:
 *   byte 0 format version (1) · byte 1 log2(fanout) · byte 2 depth · byte 3 encoding
 *   encoding 0 (dense):  leaves × 16 bytes
 *   encoding 1 (sparse): u32 count, then count × (u32 leaf, 16 bytes), leaves strictly increasing
 * The encoder picks whichever is smaller, so a lightly used partition costs a few bytes.
 * Bytes come from disk, so bad input is an operating error: MerkleFormatError, not an assertion.
 */
import { ITEM_HASH_BYTES } from './item.js';
import { type MerkleShape, MAX_LEAF_BITS, leafCount } from './shape.js';

const H = ITEM_HASH_BYTES;
const FORMAT_VERSION = 1;
const HEADER_BYTES = 4;
const DENSE = 0;
const SPARSE = 1;

export class MerkleFormatError extends Error {
  override readonly name = 'MerkleFormatError';
  readonly code = 'MERKLE_FORMAT';
}

export function encodeLeaves(shape: MerkleShape, leaves: Uint8Array): Uint8Array {
  const count = leafCount(shape);
  const used: number[] = [];
  for (let leaf = 0; leaf < count; leaf++) {
    if (!isZeroAt(leaves, leaf * H)) used.push(leaf);
  }
  const sparseBytes = HEADER_BYTES + 4 + used.length * (4 + H);
  const denseBytes = HEADER_BYTES + count * H;
  const sparse = sparseBytes < denseBytes;
  const out = Buffer.alloc(sparse ? sparseBytes : denseBytes);
  out.writeUInt8(FORMAT_VERSION, 0);
  out.writeUInt8(Math.log2(shape.fanout), 1);
  out.writeUInt8(shape.depth, 2);
  out.writeUInt8(sparse ? SPARSE : DENSE, 3);
  if (!sparse) {
    out.set(leaves, HEADER_BYTES);
    return out;
  }
  out.writeUInt32BE(used.length, HEADER_BYTES);
  let at = HEADER_BYTES + 4;
  for (const leaf of used) {
    out.writeUInt32BE(leaf, at);
    out.set(leaves.subarray(leaf * H, leaf * H + H), at + 4);
    at += 4 + H;
  }
  return out;
}

export function decodeLeaves(bytes: Uint8Array): { shape: MerkleShape; leaves: Uint8Array } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_BYTES) throw new MerkleFormatError(`Merkle tree of ${buf.length} bytes is shorter than its header`);
  if (buf[0] !== FORMAT_VERSION) throw new MerkleFormatError(`unknown Merkle tree format version ${buf[0]}`);
  const shape = decodeShape(buf[1]!, buf[2]!);
  const count = leafCount(shape);
  const leaves = new Uint8Array(count * H);
  if (buf[3] === DENSE) {
    if (buf.length !== HEADER_BYTES + count * H) throw new MerkleFormatError(`dense Merkle tree must be ${HEADER_BYTES + count * H} bytes, got ${buf.length}`);
    leaves.set(buf.subarray(HEADER_BYTES));
  } else if (buf[3] === SPARSE) {
    decodeSparse(buf, count, leaves);
  } else {
    throw new MerkleFormatError(`unknown Merkle leaf encoding ${buf[3]}`);
  }
  return { shape, leaves };
}

function decodeShape(log2Fanout: number, depth: number): MerkleShape {
  if (log2Fanout < 1 || depth < 1 || log2Fanout * depth > MAX_LEAF_BITS) {
    throw new MerkleFormatError(`invalid Merkle shape: fanout 2^${log2Fanout}, depth ${depth}`);
  }
  return { fanout: 2 ** log2Fanout, depth };
}

function decodeSparse(buf: Buffer, count: number, leaves: Uint8Array): void {
  if (buf.length < HEADER_BYTES + 4) throw new MerkleFormatError('sparse Merkle tree lacks its leaf count');
  const used = buf.readUInt32BE(HEADER_BYTES);
  if (buf.length !== HEADER_BYTES + 4 + used * (4 + H)) throw new MerkleFormatError(`sparse Merkle tree of ${used} leaves has ${buf.length} bytes`);
  let previous = -1;
  for (let i = 0, at = HEADER_BYTES + 4; i < used; i++, at += 4 + H) {
    const leaf = buf.readUInt32BE(at);
    if (leaf <= previous || leaf >= count) throw new MerkleFormatError(`sparse Merkle leaf ${leaf} out of order or outside 0..${count - 1}`);
    leaves.set(buf.subarray(at + 4, at + 4 + H), leaf * H);
    previous = leaf;
  }
}

function isZeroAt(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + H; i++) if (bytes[i] !== 0) return false;
  return true;
}
