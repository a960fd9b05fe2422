/**
 * Tombstone reaping. A delete leaves a tombstone version so that no replica, hint or repair can
 * bring back what it superseded. Every coordinated delete schedules a reap of its tombstone one
 * grace period (`tombstoneGraceMs`) later; then a ReapOperation asks every primary of the key
 * (the bucket's n of them, in the ring of that moment) what it holds, and drops the tombstone
 * everywhere only if each holds exactly it or nothing. Otherwise (a primary down, or one that
 * missed the delete and still holds the old value) the attempt is made again half a grace later,
 * up to MAX_REAP_ATTEMPTS times; after that the tombstone stays: wasted space, never lost or
 * resurrected data.
 *
 * An expiring version is reaped under the same rule, due at its expiry plus the grace: what a
 * replica drops must still be exactly that version, and gone (deleted or expired) by its clock.
 *
 * The queue is kept in storage (reap-queue.ts) as well as in memory, so a restart resumes it.
 *
 * The rule for copies that come back after a reap (docs/operations.md, "Deletes and tombstone
 * grace"): a hint is delivered only within half the grace after its newest version was written,
 * and a node that was stopped longer than the grace refuses to start with its data (its old copies
 * could resurrect keys reaped meanwhile); it rejoins empty under the same id and is refilled.
 */
import { assert } from '../../core/assert.js';
import { digest, isGoneBy } from '../../core/versions/index.js';
import type { NodeContext, Placement } from '../context.js';
import { dataKey, identify, type KeyIdentity } from '../keys.js';
import { ReapOperation, type ReapOutcome } from './reap-operation.js';
import { ALL_REAPS, parseReap, reapKey, reapValue, type QueuedReap } from './reap-queue.js';
import type { StorageView } from '../storage-view.js';

/** Scheduled reaps kept at most; beyond it tombstones simply stay. */
export const MAX_PENDING_REAPS = 100_000;
/** Checks of one tombstone before it is left in place for good. */
export const MAX_REAP_ATTEMPTS = 8;
/** Reap checks running at once: background work, like handoff. */
const MAX_REAPS_IN_FLIGHT = 16;

export interface ReapHost {
  readonly ctx: NodeContext;
  placement(identity: KeyIdentity, n: number): Placement | null;
  launch(op: ReapOperation): void;
}

export class Reaper {
  /** Due order (the oldest first), mirrored in storage. */
  private readonly queue: QueuedReap[] = [];
  private inFlight = 0;

  /** Resumes the reaps a previous run of this node left in storage. */
  constructor(storage: StorageView) {
    for (const { key, value } of storage.range(ALL_REAPS.from, ALL_REAPS.to, { limit: MAX_PENDING_REAPS })) {
      const reap = parseReap(key, value);
      if (reap !== null) this.queue.push(reap);
    }
  }

  /** `goneAtMs`: when the key's versions were all deleted or expired; the reap is due a grace later. */
  schedule(ctx: NodeContext, bucket: string, key: string, tombstoneDigest: Uint8Array, goneAtMs = ctx.now()): void {
    this.add(ctx, { dueMs: goneAtMs + ctx.config.tombstoneGraceMs, bucket, key, digest: Buffer.from(tombstoneDigest), attempts: 0 });
  }

  private add(ctx: NodeContext, reap: QueuedReap): void {
    assert(Number.isSafeInteger(reap.dueMs) && reap.dueMs >= 0, 'a reap is due at a whole millisecond');
    if (this.queue.length >= MAX_PENDING_REAPS) {
      ctx.metrics.reapsDropped++;
      return;
    }
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.dueMs > reap.dueMs) i--;
    this.queue.splice(i, 0, reap);
    assert(i === 0 || this.queue[i - 1]!.dueMs <= reap.dueMs, 'the reap queue stays in due order');
    ctx.store.put(reapKey(reap), reapValue(reap));
  }

  tick(host: ReapHost): void {
    const { ctx } = host;
    while (this.queue.length > 0 && this.queue[0]!.dueMs <= ctx.now() && this.inFlight < MAX_REAPS_IN_FLIGHT) {
      const reap = this.queue.shift()!;
      ctx.store.put(reapKey(reap), null);
      const identity = identify(reap.bucket, reap.key);
      const primaries = host.placement(identity, ctx.props(reap.bucket).n)?.primaries ?? [];
      this.inFlight++;
      const op = new ReapOperation(ctx, ctx.nextOpId(), reap, primaries, () => this.apply(ctx, reap.bucket, reap.key, reap.digest), (outcome) => {
        this.inFlight--;
        this.finished(ctx, reap, outcome);
      });
      host.launch(op);
    }
  }

  private finished(ctx: NodeContext, reap: QueuedReap, outcome: ReapOutcome): void {
    if (outcome === 'reaped' || reap.attempts + 1 >= MAX_REAP_ATTEMPTS) return;
    const retryMs = Math.max(100, Math.floor(ctx.config.tombstoneGraceMs / 2));
    this.add(ctx, { ...reap, dueMs: ctx.now() + retryMs, attempts: reap.attempts + 1 });
  }

  apply(ctx: NodeContext, bucket: string, key: string, expected: Uint8Array): void {
    const id = identify(bucket, key);
    const current = ctx.store.readData(id);
    if (current === undefined || !isGoneBy(current, ctx.now())) return;
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

  /** The queue is in due order (DynamoNode.invariants and tests). */
  inDueOrder(): boolean {
    return this.queue.every((r, i) => i === 0 || this.queue[i - 1]!.dueMs <= r.dueMs);
  }
}

