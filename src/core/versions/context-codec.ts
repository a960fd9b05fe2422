/**
 * The opaque context handed to clients (the X-Dynamo-Context header): a format byte, the version
 * vector (varint count, then node and counter per entry), and 8 bytes of MD5 over all that, in
 * base64url without padding. The checksum is not a secret: it only makes a truncated, mangled or
 * hand-edited context fail loudly instead of silently superseding the wrong siblings. The empty
 * vector (a key never read) is the empty string.
 */
import { ByteError, ByteReader, stringSize, varintSize, writeString, writeVarint } from './bytes.js';
import { isVersionVector, type VersionVector } from './vector.js';
import { assert } from '../assert.js';
import { md5Into } from '../ring/md5.js';
import type { NodeId } from '../ids.js';

const FORMAT = 1;
const CHECKSUM_BYTES = 8;
const MIN_ENTRY_BYTES = 2;
/** Far above any real vector (entries are server nodes); keeps a hostile header cheap to reject. */
export const MAX_CONTEXT_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export type ContextDecodeResult = { ok: true; context: VersionVector } | { ok: false; error: string };

export function encodeContext(vv: VersionVector): string {
  assert(isVersionVector(vv), 'a context is sorted by node with positive counters');
  if (vv.length === 0) return '';
  let size = 1 + varintSize(vv.length) + CHECKSUM_BYTES;
  for (const [node, counter] of vv) size += stringSize(node) + varintSize(counter);
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  buf[at++] = FORMAT;
  at = writeVarint(buf, at, vv.length);
  for (const [node, counter] of vv) {
    at = writeString(buf, at, node);
    at = writeVarint(buf, at, counter);
  }
  checksum(buf, at).copy(buf, at);
  return buf.toString('base64url');
}

export function decodeContext(text: string): ContextDecodeResult {
  if (text === '') return { ok: true, context: [] };
  if (text.length > MAX_CONTEXT_LENGTH) return bad(`is longer than ${MAX_CONTEXT_LENGTH} characters`);
  if (!BASE64URL.test(text) || text.length % 4 === 1) return bad('is not base64url');
  const bytes = Buffer.from(text, 'base64url');
  // Node ignores stray trailing bits; requiring the canonical spelling rejects edits to them too.
  if (bytes.toString('base64url') !== text) return bad('is not canonical base64url');
  if (bytes.length <= CHECKSUM_BYTES) return bad('is too short');
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (!checksum(body, body.length).equals(bytes.subarray(body.length))) return bad('fails its checksum (truncated or altered)');
  try {
    return { ok: true, context: readVector(new ByteReader(body)) };
  } catch (err) {
    if (err instanceof ByteError) return bad(err.message);
    throw err;
  }
}

function readVector(r: ByteReader): VersionVector {
  const format = r.byte();
  if (format !== FORMAT) throw new ByteError(`has unknown format ${format}`);
  const vv: Array<readonly [NodeId, number]> = [];
  for (let n = r.count(MIN_ENTRY_BYTES); n > 0; n--) vv.push([r.string(), r.varint()]);
  if (r.remaining !== 0) throw new ByteError('has trailing bytes');
  if (!isVersionVector(vv)) throw new ByteError('is not a version vector (unsorted nodes or zero counters)');
  return vv;
}

const digest = Buffer.alloc(16);

/**
 * The first CHECKSUM_BYTES of the MD5 of `bytes[0..bodyBytes)`, as a view of a shared buffer that
 * the next call overwrites (md5.ts: every HTTP read and write does this).
 */
function checksum(bytes: Uint8Array, bodyBytes: number): Buffer {
  md5Into(bytes, bodyBytes, digest);
  return digest.subarray(0, CHECKSUM_BYTES);
}

function bad(why: string): { ok: false; error: string } {
  return { ok: false, error: `The context ${why}; send back the X-Dynamo-Context of a recent read, or none.` };
}
