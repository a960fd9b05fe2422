/**
 * The one codec for inter-node frames: msgpack (msgpackr) of the envelope, validated on the way in.
 * A frame that decodes to something that is not a known message of this protocol version is
 * rejected with a ProtocolError (the runtime logs and drops it); nothing a peer sends can crash
 * the node.
 */
import { Packr } from 'msgpackr';
import { decodeHot, encodeHot, HOT_MARKER, isHot } from './hot-codec.js';
import { HotDecodeError } from './hot-reader.js';
import { MessageType, PROTOCOL_VERSION, type Envelope, type PeerMessage } from './messages.js';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code = 'bad_frame';
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  if (isHot(envelope.body)) return encodeHot(envelope.from, envelope.body);
  return packr.pack(envelope);
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes[0] === HOT_MARKER) {
    try {
      return decodeHot(bytes);
    } catch (err) {
      if (err instanceof HotDecodeError) throw new ProtocolError(err.message);
      throw err;
    }
  }
  let raw: unknown;
  try {
    raw = packr.unpack(bytes);
  } catch (err) {
    throw new ProtocolError(`undecodable frame: ${(err as Error).message}`);
  }
  if (!isRecord(raw)) throw new ProtocolError('frame is not an envelope object');
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`unsupported protocol version ${String(raw.v)}`);
  if (typeof raw.from !== 'string' || raw.from.length === 0) throw new ProtocolError('envelope without sender');
  if (!isRecord(raw.body) || !validBody(raw.body)) throw new ProtocolError(`malformed message ${describe(raw.body)}`);
  return raw as unknown as Envelope;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(body: unknown): string {
  return isRecord(body) ? `type ${String(body.type)}` : typeof body;
}

const isStr = (x: unknown): boolean => typeof x === 'string';
const isInt = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x);
const isBytes = (x: unknown): boolean => x instanceof Uint8Array;
const isClusterId = (x: unknown): boolean => x === undefined || (typeof x === 'string' && x.length > 0 && x.length <= 64);
const isHash = (x: unknown): boolean => x instanceof Uint8Array && x.length === 16;
const isIntList = (x: unknown): boolean => Array.isArray(x) && x.every(isInt);
const isTriples = (x: unknown): boolean =>
  Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 3 && isStr(e[0]) && isStr(e[1]) && isBytes(e[2]));
const isPairs = (x: unknown): boolean => Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 2 && isStr(e[0]) && isStr(e[1]));

/** Shallow shape checks: enough that handlers can trust field types; deeper values are checked where used. */
function validBody(m: Record<string, unknown>): boolean {
  const type = m.type as PeerMessage['type'];
  switch (type) {
    case MessageType.ReplicaWrite:
      return isInt(m.id) && isHash(m.hash) && isStr(m.bucket) && isStr(m.key) && isBytes(m.set) && (m.hintFor === null || isStr(m.hintFor)) && (m.base === null || isBytes(m.base));
    case MessageType.WriteAck:
      return isInt(m.id) && typeof m.ok === 'boolean';
    case MessageType.ReplicaRead:
      return isInt(m.id) && isHash(m.hash) && isStr(m.bucket) && isStr(m.key);
    case MessageType.ReadReply:
      return isInt(m.id) && (m.set === null || isBytes(m.set));
    case MessageType.Forward:
      return isInt(m.id) && isRecord(m.request) && isStr(m.request.op);
    case MessageType.ForwardReply:
      return isInt(m.id) && isRecord(m.response) && typeof m.response.ok === 'boolean';
    case MessageType.Heartbeat:
      return isStr(m.membershipDigest) && isStr(m.bucketsDigest);
    case MessageType.Gossip:
      return (m.membership === null || isRecord(m.membership)) && isRecord(m.buckets) && typeof m.reply === 'boolean' && isClusterId(m.clusterId);
    case MessageType.JoinRequest:
      return isRecord(m.spec) && isStr(m.spec.id) && isStr(m.spec.address);
    case MessageType.JoinReply:
      return (m.membership === null || isRecord(m.membership)) && isClusterId(m.clusterId);
    case MessageType.Reap:
      return isStr(m.bucket) && isStr(m.key) && isBytes(m.digest);
    case MessageType.TreeRequest:
      return isInt(m.id) && isInt(m.partition) && isInt(m.level) && isIntList(m.indices);
    case MessageType.TreeReply:
      return isInt(m.id) && Array.isArray(m.hashes) && m.hashes.every(isBytes);
    case MessageType.KeysRequest:
      return isInt(m.id) && isInt(m.partition) && isIntList(m.leaves);
    case MessageType.KeysReply:
      return isInt(m.id) && isTriples(m.entries);
    case MessageType.Exchange:
      return isInt(m.id) && isTriples(m.push) && isPairs(m.want);
    case MessageType.ExchangeReply:
      return isInt(m.id) && isTriples(m.sets);
    case MessageType.UsersDigest:
      return isStr(m.digest);
    case MessageType.UsersSync:
      return isRecord(m.users) && typeof m.reply === 'boolean';
    default:
      return false;
  }
}
