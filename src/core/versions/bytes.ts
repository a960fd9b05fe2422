/**
 * The byte-level pieces both codecs share: unsigned LEB128 varints up to 2^53 and length-prefixed
 * UTF-8 strings. Writers fill a buffer sized exactly beforehand (sizes come from the `*Size`
 * functions), so encoding allocates once. The reader checks every bound and throws `ByteError`,
 * which each codec turns into its own error value.
 */
export class ByteError extends Error {
  override readonly name = 'ByteError';
}

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 128) {
    buf[at++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

export function stringSize(s: string): number {
  const bytes = Buffer.byteLength(s, 'utf8');
  return varintSize(bytes) + bytes;
}

export function writeString(buf: Buffer, at: number, s: string): number {
  const bytes = Buffer.byteLength(s, 'utf8');
  at = writeVarint(buf, at, bytes);
  return at + buf.write(s, at, bytes, 'utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_VARINT_BYTES = 8; // 56 bits, enough for any safe integer

export class ByteReader {
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new ByteError('ends early');
    return this.bytes[this.offset++]!;
  }

  /** Rejects overlong forms, so every number has one encoding. */
  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.byte();
      n += (b & 127) * scale;
      if (b < 128) {
        if (b === 0 && i > 0) throw new ByteError('has an overlong number');
        if (!Number.isSafeInteger(n)) throw new ByteError('has a number too large');
        return n;
      }
      scale *= 128;
    }
    throw new ByteError('has a number too large');
  }

  /** A count of items that each take at least `minItemBytes`, bounded by what is left. */
  count(minItemBytes: number): number {
    const n = this.varint();
    if (n * minItemBytes > this.remaining) throw new ByteError('claims more items than it holds');
    return n;
  }

  /**
   * A copy: the caller's buffer may be reused (storage engines recycle read buffers). Taken from
   * Node's shared slab rather than `new Uint8Array`, which mallocs a backing store per value (and
   * the GC's sweeper frees each one): values are small and short-lived.
   */
  bytesCopy(length: number): Uint8Array {
    const end = this.take(length);
    const copy = Buffer.allocUnsafe(length);
    copy.set(this.bytes.subarray(end - length, end));
    return copy;
  }

  string(): string {
    const length = this.varint();
    const end = this.take(length);
    return ascii(this.bytes, end - length, end) ?? decodeUtf8(this.bytes.subarray(end - length, end));
  }

  /** The bytes read so far. */
  consumed(): Uint8Array {
    return this.bytes.subarray(0, this.offset);
  }

  private take(length: number): number {
    if (length > this.remaining) throw new ByteError('ends early');
    this.offset += length;
    return this.offset;
  }
}

/**
 * Actor ids are ASCII in practice, and a short ASCII string is read fastest as latin1. (They are
 * not worth interning: a coordinator mints a fresh actor per key epoch, so a table of recent ids
 * mostly missed and kept promoting its strings to the old generation.)
 */
function ascii(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > 64) return undefined;
  for (let i = start; i < end; i++) if (bytes[i]! >= 128) return undefined;
  const buf = bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('latin1', start, end);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ByteError('holds a string that is not UTF-8');
  }
}
