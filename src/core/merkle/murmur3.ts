/**
 * MurmurHash3 x86_128 (Austin Appleby, public domain): the item hash of the Merkle trees, computed
 * on every write, twice (the old item out, the new one in), on every replica. MD5 through
 * node:crypto costs ~1.3 µs a call here, mostly the native call; this costs ~0.2 µs in plain JS.
 * A Merkle item needs good spread, not collision resistance against an adversary: a crafted pair
 * of values that collide could at worst hide one difference from anti-entropy, which a read of that
 * key still repairs. The implementation passes SMHasher's verification value (murmur3.test.ts).
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function word(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/** Bytes i..i+n-1 (n < 4) as the little-endian tail word. */
function tail(b: Uint8Array, i: number, n: number): number {
  let k = 0;
  for (let j = n - 1; j >= 0; j--) k = (k << 8) | b[i + j]!;
  return k;
}

/** The 16-byte hash, as the reference implementation lays out its four 32-bit words (little-endian). */
export function murmur3x86128(data: Uint8Array, seed = 0): Uint8Array {
  const len = data.length;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  let i = 0;
  for (const end = len & ~15; i < end; i += 16) {
    h1 ^= Math.imul(rotl(Math.imul(word(data, i), C1), 15), C2);
    h1 = (Math.imul(((rotl(h1, 19) + h2) | 0), 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(word(data, i + 4), C2), 16), C3);
    h2 = (Math.imul(((rotl(h2, 17) + h3) | 0), 5) + 0x0bcaa747) | 0;
    h3 ^= Math.imul(rotl(Math.imul(word(data, i + 8), C3), 17), C4);
    h3 = (Math.imul(((rotl(h3, 15) + h4) | 0), 5) + 0x96cd1c35) | 0;
    h4 ^= Math.imul(rotl(Math.imul(word(data, i + 12), C4), 18), C1);
    h4 = (Math.imul(((rotl(h4, 13) + h1) | 0), 5) + 0x32ac3b17) | 0;
  }
  const rest = len & 15;
  if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(tail(data, i + 12, rest - 12), C4), 18), C1);
  if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(tail(data, i + 8, Math.min(rest - 8, 4)), C3), 17), C4);
  if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(tail(data, i + 4, Math.min(rest - 4, 4)), C2), 16), C3);
  if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(tail(data, i, Math.min(rest, 4)), C1), 15), C2);
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  const out = new Uint8Array(16);
  putWord(out, 0, h1);
  putWord(out, 4, h2);
  putWord(out, 8, h3);
  putWord(out, 12, h4);
  return out;
}

function putWord(out: Uint8Array, at: number, h: number): void {
  out[at] = h;
  out[at + 1] = h >>> 8;
  out[at + 2] = h >>> 16;
  out[at + 3] = h >>> 24;
}
