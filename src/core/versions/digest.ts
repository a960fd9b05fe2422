/**
 * A 16-byte fingerprint of a sibling set for anti-entropy: MD5 over the canonical encoding. The
 * encoding is a function of the set's content alone (sorted entries and anonymous values), so
 * equal sets have equal digests, and any difference changes the bytes and so the digest.
 */
import { hash } from 'node:crypto';
import { encodeSiblingSet } from './codec.js';
import type { SiblingSet } from './sibling-set.js';

export const DIGEST_BYTES = 16;

export function digest(s: SiblingSet): Uint8Array {
  return digestEncoded(encodeSiblingSet(s));
}

/** The same digest from an already encoded set (what storage holds), without decoding it. */
export function digestEncoded(encoded: Uint8Array): Uint8Array {
  return hash('md5', encoded, 'buffer');
}
