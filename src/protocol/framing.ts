/**
 * Length-prefix framing: every frame is a 4-byte big-endian payload length followed by the payload.
 * Shared by the inter-node transport and the client protocol.
 *
 * The decoder is on the hot path of every byte a node receives, so it avoids copies: a frame that
 * lies whole inside one received chunk is returned as a view of that chunk (no copy), and only a
 * frame split across chunks is assembled, once, when its last byte arrives. Partial chunks are kept
 * in a list rather than concatenated on every push, so a 1 MiB frame arriving in 64 KiB pieces costs
 * one copy, not sixteen growing ones. An oversize length prefix is how garbage on a port shows
 * itself; it throws `FrameTooLargeError` and the caller closes that connection.
 */
import { assert } from '../core/assert.js';

export const FRAME_HEADER_BYTES = 4;
const MAX_U32 = 0xffff_ffff;

export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  readonly code = 'frame_too_large';
  constructor(
    readonly frameBytes: number,
    readonly maxFrameBytes: number,
    /** Well-formed frames that preceded the bad length in the same push; the caller may still use them. */
    readonly framesBefore: readonly Uint8Array[] = [],
  ) {
    super(`frame of ${frameBytes} bytes exceeds the limit of ${maxFrameBytes} bytes`);
  }
}

/** 4-byte big-endian length + payload, in one freshly allocated buffer. */
export function encodeFrame(payload: Uint8Array): Buffer {
  assert(payload.byteLength <= MAX_U32, 'a frame length must fit in 32 bits');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32BE(payload.byteLength, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export class FrameDecoder {
  /** Received bytes of the one frame not yet complete (its header may itself be split). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Payload length of that frame once its header is known, else -1. */
  private pendingPayloadBytes = -1;
  private failure: FrameTooLargeError | undefined;

  constructor(readonly maxFrameBytes: number) {
    assert(Number.isInteger(maxFrameBytes) && maxFrameBytes >= 0, 'maxFrameBytes must be a non-negative integer');
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  /** Decodes what `chunk` completes. After a FrameTooLargeError the stream is lost: every later push throws too. */
  push(chunk: Buffer): Uint8Array[] {
    if (this.failure !== undefined) throw new FrameTooLargeError(this.failure.frameBytes, this.maxFrameBytes);
    const frames: Uint8Array[] = [];
    try {
      return this.decode(chunk, frames);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      this.failure = error;
      this.parts = [];
      this.partsBytes = 0;
      throw new FrameTooLargeError(error.frameBytes, error.maxFrameBytes, frames);
    }
  }

  private decode(chunk: Buffer, frames: Uint8Array[]): Uint8Array[] {
    let rest = chunk;
    if (this.partsBytes > 0) {
      rest = this.completePending(chunk, frames);
      if (this.partsBytes > 0) return frames;
    }
    const consumed = this.takeWholeFrames(rest, frames);
    if (consumed < rest.length) this.keepPartial(rest.subarray(consumed));
    return frames;
  }

  /** Appends every frame lying whole in `chunk` as a view; returns how many bytes they used. */
  private takeWholeFrames(chunk: Buffer, frames: Uint8Array[]): number {
    let offset = 0;
    while (chunk.length - offset >= FRAME_HEADER_BYTES) {
      const payloadBytes = this.checkedLength(chunk.readUInt32BE(offset));
      const end = offset + FRAME_HEADER_BYTES + payloadBytes;
      if (end > chunk.length) break;
      frames.push(chunk.subarray(offset + FRAME_HEADER_BYTES, end));
      offset = end;
    }
    return offset;
  }

  private keepPartial(tail: Buffer): void {
    this.parts.push(tail);
    this.partsBytes = tail.length;
    this.pendingPayloadBytes = tail.length >= FRAME_HEADER_BYTES ? this.checkedLength(tail.readUInt32BE(0)) : -1;
  }

  /**
   * Feeds `chunk` to the frame under assembly. Returns the part of `chunk` after that frame (empty
   * when the frame is still incomplete, in which case `chunk` joined the parts).
   */
  private completePending(chunk: Buffer, frames: Uint8Array[]): Buffer {
    if (this.pendingPayloadBytes < 0) {
      if (this.partsBytes + chunk.length < FRAME_HEADER_BYTES) return this.stash(chunk);
      this.pendingPayloadBytes = this.checkedLength(this.readSplitHeader(chunk));
    }
    const frameBytes = FRAME_HEADER_BYTES + this.pendingPayloadBytes;
    if (this.partsBytes + chunk.length < frameBytes) return this.stash(chunk);
    const fromChunk = frameBytes - this.partsBytes;
    frames.push(this.assemble(chunk.subarray(0, fromChunk)));
    this.parts = [];
    this.partsBytes = 0;
    this.pendingPayloadBytes = -1;
    return chunk.subarray(fromChunk);
  }

  private stash(chunk: Buffer): Buffer {
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
    return chunk.subarray(chunk.length);
  }

  /** The length prefix when it straddles the stored parts and `chunk` (only a few bytes are read). */
  private readSplitHeader(chunk: Buffer): number {
    let value = 0;
    let read = 0;
    for (const part of [...this.parts, chunk]) {
      for (let i = 0; i < part.length && read < FRAME_HEADER_BYTES; i++, read++) value = value * 256 + part[i]!;
      if (read === FRAME_HEADER_BYTES) break;
    }
    assert(read === FRAME_HEADER_BYTES, 'readSplitHeader needs four bytes');
    return value;
  }

  /** Copies the payload of the pending frame (stored parts, then `last`) into one buffer. */
  private assemble(last: Buffer): Uint8Array {
    const payload = Buffer.allocUnsafe(this.pendingPayloadBytes);
    let skip = FRAME_HEADER_BYTES;
    let at = 0;
    for (const part of [...this.parts, last]) {
      const from = Math.min(skip, part.length);
      skip -= from;
      at += part.copy(payload, at, from);
    }
    assert(at === payload.length, 'assembled frame must be exactly its declared length');
    return payload;
  }

  private checkedLength(payloadBytes: number): number {
    if (payloadBytes > this.maxFrameBytes) throw new FrameTooLargeError(payloadBytes, this.maxFrameBytes);
    return payloadBytes;
  }
}
