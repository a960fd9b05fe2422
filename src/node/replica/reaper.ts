/**
 * Tombstone reaping. A delete leaves a tombstone version so that no replica, hint or repair can
 * bring back what it superseded. Its coordinator schedules a reap only when every primary
 * acknowledged the tombstone directly; after the grace period, if all primaries are up, each is
 * told to drop the key when what it stores is still exactly that tombstone (a newer write since
 * then wins and is kept). A reap that cannot happen (a primary down, this node restarted) leaves
 * the tombstone in place: wasted space, never lost or resurrected data. The grace period must
 * exceed the time a hint can stay undelivered (see docs/operations.md).
 */
import { assert } from '../../core/assert.js';
import type { NodeId } from '../../core/ids.js';
import { digest, isTombstone } from '../../core/versions/index.js';
import { MessageType } from '../../protocol/messages.js';
import type { NodeContext } from '../context.js';
import { dataKey, identify } from '../keys.js';

interface PendingReap {
  readonly dueMs: number;
  readonly bucket: string;
  readonly key: string;
  readonly digest: Uint8Array;
  readonly primaries: readonly NodeId[];
}

/** Scheduled reaps kept in memory at most; beyond it tombstones simply stay. */
const MAX_PENDING_REAPS = 100_000;

export class Reaper {
  private readonly queue: PendingReap[] = [];

  schedule(ctx: NodeContext, bucket: string, key: string, tombstoneDigest: Uint8Array, primaries: readonly NodeId[]): void {
    assert(primaries.length > 0 && tombstoneDigest.length > 0, 'a reap names the primaries and the tombstone it removes');
    // Due times only grow (the node's clock never goes back and the grace is fixed): the queue stays in due order.
    assert(this.queue.length === 0 || this.queue[this.queue.length - 1]!.dueMs <= ctx.now() + ctx.config.tombstoneGraceMs, 'reaps are scheduled in due order');
    if (this.queue.length >= MAX_PENDING_REAPS) {
      ctx.metrics.reapsDropped++;
      return;
    }
    this.queue.push({ dueMs: ctx.now() + ctx.config.tombstoneGraceMs, bucket, key, digest: tombstoneDigest, primaries });
  }

  tick(ctx: NodeContext): void {
    while (this.queue.length > 0 && this.queue[0]!.dueMs <= ctx.now()) {
      const reap = this.queue.shift()!;
      if (!reap.primaries.every((p) => ctx.isUp(p))) continue;
      for (const p of reap.primaries) {
        if (p === ctx.selfId) this.apply(ctx, reap.bucket, reap.key, reap.digest);
        else ctx.send(p, { type: MessageType.Reap, bucket: reap.bucket, key: reap.key, digest: reap.digest });
      }
    }
  }

  apply(ctx: NodeContext, bucket: string, key: string, expected: Uint8Array): void {
    const id = identify(bucket, key);
    const current = ctx.store.readData(id);
    if (current === undefined || !isTombstone(current)) return;
    if (Buffer.compare(digest(current), expected) !== 0) return;
    ctx.store.put(dataKey(id), null);
    ctx.metrics.tombstonesReaped++;
  }

  /** When each scheduled reap is due, in queue order (invariants: it is due order). */
  dueTimes(): number[] {
    return this.queue.map((r) => r.dueMs);
  }

  get pending(): number {
    return this.queue.length;
  }
}
