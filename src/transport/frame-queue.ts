/**
 * The outbound byte queue of one peer: frames waiting for the next flush, already framed.
 *
 * PERF-NOTES: one socket write per frame did 95k round trips/s, one write per peer per event-loop
 * turn 164k; loopback writes were the biggest CPU item. So `append` copies a small payload, with its
 * length prefix written in place, into a shared arena buffer (one copy, no per-frame allocation),
 * and `take` hands the whole run since the last flush to the socket as one buffer. A large payload
 * is not copied at all: it is queued by reference between two arena runs and goes out in the same
 * corked write. The arena is reused after a flush (new frames go after the bytes already handed
 * out), and a fresh one is allocated only when it fills.
 */
import type { Socket } from 'node:net';
import { assert } from '../core/assert.js';
import { FRAME_HEADER_BYTES } from '../protocol/framing.js';

const ARENA_BYTES = 64 * 1024;
/** From this size on, copying costs more than an extra iovec in the write. */
const BY_REFERENCE_BYTES = 16 * 1024;

export class FrameQueue {
  private ready: Buffer[] = [];
  private readyBytes = 0;
  private arena: Buffer | undefined;
  /** Start of the arena run not yet moved to `ready`, and the end of the bytes written. */
  private runStart = 0;
  private runEnd = 0;

  /** Bytes queued, length prefixes included. */
  get byteLength(): number {
    return this.readyBytes + (this.runEnd - this.runStart);
  }

  append(payload: Uint8Array): void {
    const payloadBytes = payload.byteLength;
    if (payloadBytes >= BY_REFERENCE_BYTES) {
      this.reserve(FRAME_HEADER_BYTES);
      this.writeHeader(payloadBytes);
      this.sealRun();
      this.ready.push(Buffer.from(payload.buffer, payload.byteOffset, payloadBytes));
      this.readyBytes += payloadBytes;
      return;
    }
    this.reserve(FRAME_HEADER_BYTES + payloadBytes);
    this.writeHeader(payloadBytes);
    this.arena!.set(payload, this.runEnd);
    this.runEnd += payloadBytes;
  }

  /** Everything queued, in order, as few buffers as possible; the queue is empty afterwards. */
  take(): Buffer[] {
    this.sealRun();
    const out = this.ready;
    this.ready = [];
    this.readyBytes = 0;
    return out;
  }

  /** Hands everything queued to `socket` as one write (several buffers are corked into one writev); returns how many buffers went. */
  writeTo(socket: Pick<Socket, 'write' | 'cork' | 'uncork'>): number {
    const chunks = this.take();
    if (chunks.length === 1) {
      socket.write(chunks[0]!);
    } else if (chunks.length > 1) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    return chunks.length;
  }

  clear(): void {
    this.take();
    this.arena = undefined;
    this.runStart = this.runEnd = 0;
  }

  private writeHeader(payloadBytes: number): void {
    this.arena!.writeUInt32BE(payloadBytes, this.runEnd);
    this.runEnd += FRAME_HEADER_BYTES;
  }

  private reserve(bytes: number): void {
    if (this.arena !== undefined && this.arena.length - this.runEnd >= bytes) return;
    this.sealRun();
    this.arena = Buffer.allocUnsafe(Math.max(ARENA_BYTES, bytes));
    this.runStart = this.runEnd = 0;
  }

  private sealRun(): void {
    if (this.arena === undefined || this.runEnd === this.runStart) return;
    assert(this.runEnd > this.runStart, 'an arena run never ends before it starts');
    this.ready.push(this.arena.subarray(this.runStart, this.runEnd));
    this.readyBytes += this.runEnd - this.runStart;
    this.runStart = this.runEnd;
  }
}
