/**
 * The ring of the current membership and the placement of each partition, built on first use after
 * a membership change (folding the claims into a ring is the costly part of a change) and cached
 * per (partition, n) until the next one. One value, replaced whole: a stale entry can only survive
 * a change by a bug, which the node's invariants look for (invariants.ts).
 */
import { assert } from '../core/assert.js';
import { assignmentOf, type Membership } from '../core/membership/index.js';
import { Ring } from '../core/ring/index.js';

/** Cache keys are partition × 32 + n: n stays below 32 (REPLICAS_MAX is 16). */
const REPLICAS_MAX_FOR_CACHE = 32;
import type { Placement } from './context.js';
import { partitionOfIdentity, type KeyIdentity } from './keys.js';

export class PlacementCache {
  private membership: Membership | null = null;
  private ringValue: Ring | null = null;
  private readonly cached = new Map<number, Placement>();

  /** A new membership: everything cached is of the old one. */
  reset(membership: Membership): void {
    this.membership = membership;
    this.ringValue = null;
    this.cached.clear();
  }

  get ring(): Ring | null {
    if (this.ringValue === null && this.membership !== null) this.ringValue = new Ring(assignmentOf(this.membership));
    return this.ringValue;
  }

  placement(identity: KeyIdentity, n: number): Placement | null {
    const ring = this.ring;
    if (ring === null) return null;
    assert(Number.isInteger(n) && n >= 1 && n < REPLICAS_MAX_FOR_CACHE, 'a bucket n fits the cache key');
    const partition = partitionOfIdentity(identity, ring.assignment.partitions);
    const cacheKey = partition * REPLICAS_MAX_FOR_CACHE + n;
    let p = this.cached.get(cacheKey);
    if (p === undefined) {
      const list = ring.preferenceList(partition);
      p = { partition, primaries: list.slice(0, n), fallbacks: list.slice(n) };
      this.cached.set(cacheKey, p);
    }
    return p;
  }

  /** Every cached placement by (partition × 32 + n), for the invariants. */
  entries(): ReadonlyMap<number, Placement> {
    return this.cached;
  }
}
