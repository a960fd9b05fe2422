/**
 * MD5 (RFC 1321) in plain TypeScript, for the short inputs the ring hashes: a bucket and a key
 * are a few dozen bytes, one or two 64-byte blocks. For those, node:crypto's one-shot `hash`
 * spends more on crossing into C++ and making its result Buffer than on the digest itself, and
 * every request hashes its key twice (on the client, to route it, and on the node). md5.test.ts
 * checks this against node:crypto; the figures are in docs/benchmarks-history.md (2026-12-05).
 *
 * The 64 steps are written out, with their constants from RFC 1321 section 3.4, and without helper
 * functions: V8 stops inlining 64 calls in one function, and the calls then cost more than the
 * arithmetic.
 */

/** The block being compressed, as 16 little-endian words; and the padded tail of the input. */
const words = new Int32Array(16);
const tail = new Uint8Array(128);
const state = new Int32Array(4);

/** Writes the 16-byte MD5 of `input[0..length)` into `out[at..at+16)`. */
export function md5Into(input: Uint8Array, length: number, out: Uint8Array, at = 0): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const whole = length & ~63;
  for (let offset = 0; offset < whole; offset += 64) {
    loadWords(input, offset);
    compress();
  }
  // The rest of the input, 0x80, zeros, then the length in bits (64-bit little-endian) make one
  // last block, or two when fewer than 9 bytes are left in the first.
  const rest = length - whole;
  for (let i = 0; i < rest; i++) tail[i] = input[whole + i]!;
  tail[rest] = 0x80;
  const blocks = rest < 56 ? 1 : 2;
  const bitsAt = blocks * 64 - 8;
  tail.fill(0, rest + 1, bitsAt);
  const bits = length * 8;
  writeWord(tail, bitsAt, bits | 0);
  writeWord(tail, bitsAt + 4, Math.floor(bits / 2 ** 32) | 0);
  for (let b = 0; b < blocks; b++) {
    loadWords(tail, b * 64);
    compress();
  }
  for (let i = 0; i < 4; i++) writeWord(out, at + 4 * i, state[i]!);
}

function loadWords(bytes: Uint8Array, offset: number): void {
  for (let i = 0, p = offset; i < 16; i++, p += 4) {
    words[i] = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
  }
}

function writeWord(out: Uint8Array, at: number, word: number): void {
  out[at] = word;
  out[at + 1] = word >>> 8;
  out[at + 2] = word >>> 16;
  out[at + 3] = word >>> 24;
}

/** Folds the block in `words` into `state`. */
function compress(): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  const w0 = words[0]!, w1 = words[1]!, w2 = words[2]!, w3 = words[3]!;
  const w4 = words[4]!, w5 = words[5]!, w6 = words[6]!, w7 = words[7]!;
  const w8 = words[8]!, w9 = words[9]!, w10 = words[10]!, w11 = words[11]!;
  const w12 = words[12]!, w13 = words[13]!, w14 = words[14]!, w15 = words[15]!;
  let t: number;
  t = (a + ((b & c) | (~b & d)) + w0 + -680876936) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w1 + -389564586) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w2 + 606105819) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w3 + -1044525330) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + w4 + -176418897) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w5 + 1200080426) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w6 + -1473231341) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w7 + -45705983) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + w8 + 1770035416) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w9 + -1958414417) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w10 + -42063) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w11 + -1990404162) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & c) | (~b & d)) + w12 + 1804603682) | 0;
  a = (((t << 7) | (t >>> 25)) + b) | 0;
  t = (d + ((a & b) | (~a & c)) + w13 + -40341101) | 0;
  d = (((t << 12) | (t >>> 20)) + a) | 0;
  t = (c + ((d & a) | (~d & b)) + w14 + -1502002290) | 0;
  c = (((t << 17) | (t >>> 15)) + d) | 0;
  t = (b + ((c & d) | (~c & a)) + w15 + 1236535329) | 0;
  b = (((t << 22) | (t >>> 10)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w1 + -165796510) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w6 + -1069501632) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w11 + 643717713) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w0 + -373897302) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w5 + -701558691) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w10 + 38016083) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w15 + -660478335) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w4 + -405537848) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w9 + 568446438) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w14 + -1019803690) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w3 + -187363961) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w8 + 1163531501) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + ((b & d) | (c & ~d)) + w13 + -1444681467) | 0;
  a = (((t << 5) | (t >>> 27)) + b) | 0;
  t = (d + ((a & c) | (b & ~c)) + w2 + -51403784) | 0;
  d = (((t << 9) | (t >>> 23)) + a) | 0;
  t = (c + ((d & b) | (a & ~b)) + w7 + 1735328473) | 0;
  c = (((t << 14) | (t >>> 18)) + d) | 0;
  t = (b + ((c & a) | (d & ~a)) + w12 + -1926607734) | 0;
  b = (((t << 20) | (t >>> 12)) + c) | 0;
  t = (a + (b ^ c ^ d) + w5 + -378558) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w8 + -2022574463) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w11 + 1839030562) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w14 + -35309556) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + w1 + -1530992060) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w4 + 1272893353) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w7 + -155497632) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w10 + -1094730640) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + w13 + 681279174) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w0 + -358537222) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w3 + -722521979) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w6 + 76029189) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (b ^ c ^ d) + w9 + -640364487) | 0;
  a = (((t << 4) | (t >>> 28)) + b) | 0;
  t = (d + (a ^ b ^ c) + w12 + -421815835) | 0;
  d = (((t << 11) | (t >>> 21)) + a) | 0;
  t = (c + (d ^ a ^ b) + w15 + 530742520) | 0;
  c = (((t << 16) | (t >>> 16)) + d) | 0;
  t = (b + (c ^ d ^ a) + w2 + -995338651) | 0;
  b = (((t << 23) | (t >>> 9)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w0 + -198630844) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w7 + 1126891415) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w14 + -1416354905) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w5 + -57434055) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w12 + 1700485571) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w3 + -1894986606) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w10 + -1051523) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w1 + -2054922799) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w8 + 1873313359) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w15 + -30611744) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w6 + -1560198380) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w13 + 1309151649) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  t = (a + (c ^ (b | ~d)) + w4 + -145523070) | 0;
  a = (((t << 6) | (t >>> 26)) + b) | 0;
  t = (d + (b ^ (a | ~c)) + w11 + -1120210379) | 0;
  d = (((t << 10) | (t >>> 22)) + a) | 0;
  t = (c + (a ^ (d | ~b)) + w2 + 718787259) | 0;
  c = (((t << 15) | (t >>> 17)) + d) | 0;
  t = (b + (d ^ (c | ~a)) + w9 + -343485551) | 0;
  b = (((t << 21) | (t >>> 11)) + c) | 0;
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}
