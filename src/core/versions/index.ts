/**
 * Versions: dotted version vector sets holding a key's siblings, their causal comparison and
 * merge, last-writer-wins, truncation, and the storage and context codecs. All pure.
 */
export { version, tombstone, compareVersions, equalVersions, type Version } from './value.js';
export { compareVectors, mergeVectors, counterOf, isVersionVector, type Order, type VersionVector } from './vector.js';
export {
  fresh,
  withContext,
  update,
  sync,
  context,
  values,
  liveValues,
  isTombstone,
  siblingCount,
  compareSets,
  equalSets,
  type ClockEntry,
  type SiblingSet,
} from './sibling-set.js';
export { siblingSetProblem } from './invariants.js';
export { resolveLww } from './lww.js';
export { truncate } from './truncate.js';
export { digest, digestEncoded, DIGEST_BYTES } from './digest.js';
export { VersionDecodeError } from './errors.js';
export { encodeSiblingSet, decodeSiblingSet } from './codec.js';
export { encodeContext, decodeContext, MAX_CONTEXT_LENGTH, type ContextDecodeResult } from './context-codec.js';
export { expiryAfter, isExpired, readableValues, readsAsGone, isGoneBy, allExpiredBy, latestExpiry } from './expiry.js';
