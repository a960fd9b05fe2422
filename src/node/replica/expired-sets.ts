/**
 * Expired sets past the grace, as replicas meet them. The reaper drops an expired key on every
 * primary at once, but its Reap messages reach the replicas at slightly different moments (or
 * one is lost), and an exchange in between would copy the expired set back to a replica that
 * already dropped it: physically resurrected, and never reaped again. So once a set's every
 * version expired more than the grace ago, no replica still needs it (the grace bounds how long
 * a write, a hint or a repair of it can be in flight, as for tombstones), and:
 * - a replica that holds nothing for the key does not store it when it arrives (anti-entropy,
 *   transfer, read repair);
 * - a replica whose peer lacks it drops its own copy instead of pushing it.
 * Both decisions use this node's clock, but only a grace after the expiry, so the skew between
 * clocks only shifts when a copy goes; the Merkle hashes never depend on a clock.
 */
import { allExpiredBy, decodeSiblingSet, type SiblingSet } from '../../core/versions/index.js';
import type { NodeContext } from '../context.js';
import { dataKey, identify } from '../keys.js';

export function isPastGrace(ctx: NodeContext, set: SiblingSet): boolean {
  return allExpiredBy(set, ctx.now() - ctx.config.tombstoneGraceMs);
}

/** The same for a stored encoding; an undecodable one is not judged here (false). */
export function isEncodedPastGrace(ctx: NodeContext, encoded: Uint8Array): boolean {
  try {
    return isPastGrace(ctx, decodeSiblingSet(encoded));
  } catch {
    return false;
  }
}

/** Drops this node's copy of a key whose every version expired past the grace (the peer let go of it already). */
export function dropIfPastGrace(ctx: NodeContext, bucket: string, key: string): void {
  const id = identify(bucket, key);
  const current = ctx.store.readData(id);
  if (current === undefined || !isPastGrace(ctx, current)) return;
  ctx.store.put(dataKey(id), null);
  ctx.metrics.expiredDropped++;
}
