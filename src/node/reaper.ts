/**
 * Tombstone reaping. A delete leaves a tombstone version so that no replica, hint or repair can
 * bring back what it superseded. Its coordinator schedules a reap only when every primary
 * acknowledged the tombstone directly; after the grace period, if all primaries are up, each is
 * told to drop the key when what it stores is still exactly that tombstone (a newer write since
 * then wins and is kept). A reap that cannot happen (a primary down, this node restarted) leaves
 * the tombstone in place: wasted space, never lost or resurrected data. The grace period must
 * exceed the time a hint can stay undelivered (see docs/operations.md).
 *
 * An expiring version is reaped under the same rule, due at its expiry plus the grace: what a
 * replica drops must still be exactly that version, and gone (deleted or expired) by its clock.
 * A reap due while a primary is down is tried again later, a few times, so a replica that was
 * restarted does not keep every expired session forever.
 */
import type { NodeId } from '../core/ids.js';
import { digest, isGoneBy } from '../core/versions/index.js';
import { MessageType } from '../protocol/messages.js';
import type { NodeContext } from './context.js';
import { dataKey, identify } from './keys.js';

interface PendingReap {
  readonly dueMs: number;
  readonly bucket: string;
  readonly key: string;
  readonly digest: Uint8Array;
  readonly primaries: readonly NodeId[];
  readonly attempts: number;
}

/** Reaps that find a primary down are tried again this many times, one grace period apart. */
const REAP_ATTEMPTS_MAX = 5;

/** Scheduled reaps kept in memory at most; beyond it tombstones simply stay. */
const MAX_PENDING_REAPS = 100_000;

export class Reaper {
  private readonly queue: PendingReap[] = [];

  /** `goneAtMs`: when the key's versions were all deleted or expired; the reap is due a grace later. */
  schedule(ctx: NodeContext, bucket: string, key: string, tombstoneDigest: Uint8Array, primaries: readonly NodeId[], goneAtMs = ctx.now()): void {
    if (this.queue.length >= MAX_PENDING_REAPS) return;
    this.enqueue({ dueMs: goneAtMs + ctx.config.tombstoneGraceMs, bucket, key, digest: tombstoneDigest, primaries, attempts: 1 });
  }

  /** Kept sorted by due time (expiring writes are not scheduled in due order). */
  private enqueue(reap: PendingReap): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.dueMs <= reap.dueMs) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.queue.length) this.queue.push(reap);
    else this.queue.splice(lo, 0, reap);
  }

  tick(ctx: NodeContext): void {
    while (this.queue.length > 0 && this.queue[0]!.dueMs <= ctx.now()) {
      const reap = this.queue.shift()!;
      if (!reap.primaries.every((p) => ctx.isUp(p))) {
        if (reap.attempts < REAP_ATTEMPTS_MAX) this.enqueue({ ...reap, dueMs: ctx.now() + ctx.config.tombstoneGraceMs, attempts: reap.attempts + 1 });
        continue;
      }
      for (const p of reap.primaries) {
        if (p === ctx.selfId) this.apply(ctx, reap.bucket, reap.key, reap.digest);
        else ctx.send(p, { type: MessageType.Reap, bucket: reap.bucket, key: reap.key, digest: reap.digest });
      }
    }
  }

  apply(ctx: NodeContext, bucket: string, key: string, expected: Uint8Array): void {
    const id = identify(bucket, key);
    const current = ctx.store.readData(id);
    if (current === undefined || !isGoneBy(current, ctx.now())) return;
    if (Buffer.compare(digest(current), expected) !== 0) return;
    ctx.store.put(dataKey(id), null);
    ctx.metrics.tombstonesReaped++;
  }

  get pending(): number {
    return this.queue.length;
  }
}
