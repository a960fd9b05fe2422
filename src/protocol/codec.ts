/**
 * The one codec for inter-node frames: msgpack (msgpackr) of the envelope, validated on the way in.
 * A frame that decodes to something that is not a known message of this protocol version, or
 * whose fields fail the checks of validate-peer.ts, is rejected with a ProtocolError (the runtime
 * logs and counts it, and drops it); nothing a peer sends can crash the node.
 */
import { Packr } from 'msgpackr';
import { decodeHot, encodeHot, HOT_MARKER, isHot } from './hot-codec.js';
import { HotDecodeError } from './hot-reader.js';
import { PROTOCOL_VERSION, type Envelope, type PeerMessage } from './messages.js';
import { peerMessageProblem, senderProblem } from './validate-peer.js';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code = 'bad_frame';

  /** The message type, when the frame got far enough to name one. */
  constructor(message: string, readonly messageType: number | null = null) {
    super(message);
  }
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  if (isHot(envelope.body)) return encodeHot(envelope.from, envelope.body);
  return packr.pack(envelope);
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes[0] === HOT_MARKER) {
    let hot: Envelope;
    try {
      hot = decodeHot(bytes);
    } catch (err) {
      if (err instanceof HotDecodeError) throw new ProtocolError(err.message);
      throw err;
    }
    return checked(hot);
  }
  let raw: unknown;
  try {
    raw = packr.unpack(bytes);
  } catch (err) {
    throw new ProtocolError(`undecodable frame: ${(err as Error).message}`);
  }
  if (!isRecord(raw)) throw new ProtocolError('frame is not an envelope object');
  if (raw.v !== PROTOCOL_VERSION) throw new ProtocolError(`unsupported protocol version ${String(raw.v)}`);
  if (!isRecord(raw.body)) throw new ProtocolError(`malformed message ${describe(raw.body)}`);
  return checked({ v: raw.v, from: raw.from as string, body: raw.body as unknown as PeerMessage });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(body: unknown): string {
  return isRecord(body) ? `type ${String(body.type)}` : typeof body;
}

/** Every field, in depth (validate-peer.ts): what fails never reaches the node. */
function checked(envelope: Envelope): Envelope {
  const problem = senderProblem(envelope.from) ?? peerMessageProblem(envelope.body);
  if (problem !== null) throw new ProtocolError(`malformed message ${describe(envelope.body)}: ${problem}`, envelope.body.type);
  return envelope;
}
