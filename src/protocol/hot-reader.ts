/**
 * The bounds-checked reader behind the hand-written frame layouts (replica messages in
 * hot-codec.ts, the client protocol's hot frames in client/hot-wire.ts): any overrun or malformed
 * field is a HotDecodeError, never a RangeError from deep inside, so a bad frame is answered or
 * dropped and never crashes a node.
 */
export class HotDecodeError extends Error {
  override readonly name = 'HotDecodeError';
}

export class HotReader {
  at = 0;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new HotDecodeError('truncated frame');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** Six bytes: ids, counters and millisecond timestamps, exact up to 2^48. */
  u48(): number {
    this.need(6);
    const v = this.buf.readUIntBE(this.at, 6);
    this.at += 6;
    return v;
  }

  text(length: number): string {
    this.need(length);
    const s = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return s;
  }

  /** A view into the frame, not a copy. */
  bytes(length: number): Uint8Array {
    this.need(length);
    const b = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return b;
  }

  end(): void {
    if (this.at !== this.buf.length) throw new HotDecodeError('trailing bytes');
  }
}
