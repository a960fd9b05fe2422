/**
 * Big-endian bit fields of a keyHash. Bit 0 is the most significant bit of byte 0, so reading the
 * first k bits of a hash gives its position among 2^k equal slices of the ring, in ring order.
 * Widths stay at most 32 bits so a field fits a JS number exactly.
 */
import { fail } from '../assert.js';

export const KEY_HASH_BYTES = 16;

/** 2^0 .. 2^40: `2 ** n` compiles to a pow() call, and readBits runs on every write. */
const POW2 = Array.from({ length: 41 }, (_, n) => 2 ** n);

/** The unsigned integer held in bits [offset, offset + width) of bytes. */
export function readBits(bytes: Uint8Array, offset: number, width: number): number {
  if (!(width >= 0 && width <= 32)) fail(`bit field width ${width} outside 0..32`);
  if (!(offset >= 0 && offset + width <= bytes.length * 8)) fail(`bit field [${offset}, ${offset + width}) outside ${bytes.length} bytes`);
  if (width === 0) return 0;
  const end = offset + width;
  const firstByte = offset >>> 3;
  const lastByte = (end - 1) >>> 3;
  let acc = 0;
  // At most 5 bytes (40 bits): exact in a double, so plain arithmetic avoids 32-bit sign traps.
  for (let i = firstByte; i <= lastByte; i++) acc = acc * 256 + bytes[i]!;
  const dropLow = (lastByte + 1) * 8 - end;
  return Math.floor(acc / POW2[dropLow]!) % POW2[width]!;
}

/** Writes value into bits [offset, offset + width) of bytes, leaving the other bits alone. */
export function writeBits(bytes: Uint8Array, offset: number, width: number, value: number): void {
  if (!(width >= 0 && width <= 32)) fail(`bit field width ${width} outside 0..32`);
  if (!(offset >= 0 && offset + width <= bytes.length * 8)) fail(`bit field [${offset}, ${offset + width}) outside ${bytes.length} bytes`);
  if (!(Number.isInteger(value) && value >= 0 && value < 2 ** width)) fail(`value ${value} does not fit ${width} bits`);
  for (let i = 0; i < width; i++) {
    const bit = Math.floor(value / 2 ** (width - 1 - i)) % 2;
    const pos = offset + i;
    const mask = 0x80 >>> (pos & 7);
    if (bit === 1) bytes[pos >>> 3]! |= mask;
    else bytes[pos >>> 3]! &= ~mask;
  }
}

/** Adds one at bit (offset - 1), i.e. to the integer formed by the first `offset` bits. Returns the carry out of bit 0. */
export function incrementPrefix(bytes: Uint8Array, offset: number): boolean {
  if (!(offset >= 1 && offset <= bytes.length * 8)) fail(`prefix length ${offset} outside 1..${bytes.length * 8}`);
  let i = (offset - 1) >>> 3;
  let sum = bytes[i]! + (0x80 >>> ((offset - 1) & 7));
  while (sum > 0xff) {
    bytes[i] = sum & 0xff;
    if (i === 0) return true;
    i--;
    sum = bytes[i]! + 1;
  }
  bytes[i] = sum;
  return false;
}
