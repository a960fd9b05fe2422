/**
 * Hinted handoff: a node delivers the hints it holds to their owners once those are reachable
 * again, and deletes a hint only after the owner acknowledged it (and only if the hint did not
 * change in the meantime; a newer hint waits for the next round). Delivery is throttled: at most
 * `handoffConcurrency` hints in flight, scanned from a rotating cursor every handoff interval,
 * so a long queue drains steadily without starving client requests.
 *
 * A hint is delivered only within half the tombstone grace after its newest version was written
 * (hintExpired): by the time a tombstone that superseded it can be reaped, the hint is older than
 * the whole grace, so a late delivery can never bring back a reaped key (reaper.ts). An expired
 * hint is dropped and counted; the primaries that took the write still hold it, and anti-entropy
 * brings it to the replica the hint was meant for.
 */
import { assert } from '../../core/assert.js';
import type { NodeOperation } from '../operation.js';
import type { NodeId } from '../../core/ids.js';
import { decodeSiblingSet, VersionDecodeError, type SiblingSet } from '../../core/versions/index.js';
import { MessageType } from '../../protocol/messages.js';
import type { NodeContext } from '../context.js';
import { ALL_HINTS, parseKey, type ParsedKey } from '../keys.js';

export type HintRoute = { readonly to: NodeId; readonly hintFor: NodeId | null } | 'self' | null;
import type { StorageView } from '../storage-view.js';
import { mergeOptions } from '../replica/merge-options.js';

export class HandoffOperation implements NodeOperation {
  readonly kind = 'handoff';
  readonly deadlineMs: number;
  done = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly id: number,
    readonly hintKey: string,
    private readonly key: Uint8Array,
    private readonly value: Uint8Array,
    private readonly target: NodeId,
    private readonly bucket: string,
    private readonly userKey: string,
    /** Set when the hint is relayed to another node (this one is leaving and the owner is down). */
    private readonly relayFor: NodeId | null = null,
  ) {
    assert(target !== ctx.selfId, 'a hint is delivered to another node (one for this node is merged in place)');
    assert(key.length >= 17 && relayFor !== target, 'a hint key holds the key hash, and a relay is not the owner');
    this.deadlineMs = ctx.now() + ctx.config.requestTimeoutMs;
  }

  start(): void {
    assert(!this.done, 'a delivery starts once');
    const sent = this.ctx.send(this.target, { type: MessageType.ReplicaWrite, id: this.id, hash: this.key.subarray(1, 17), bucket: this.bucket, key: this.userKey, set: this.value, hintFor: this.relayFor, base: null });
    if (!sent) this.done = true;
  }

  onAck(from: NodeId, ok: boolean): void {
    if (from !== this.target) return;
    this.done = true;
    if (!ok) return;
    const current = this.ctx.store.getRaw(this.key);
    if (current !== undefined && Buffer.compare(current, this.value) === 0) {
      assert(this.ctx.store.hintCount > 0, 'a hint that is stored is counted');
      this.ctx.store.deleteHint(this.key);
      this.ctx.metrics.hintsDelivered++;
    }
  }

  onPeerDown(node: NodeId): void {
    if (node === this.target) this.done = true;
  }

  onDeadline(): void {
    this.done = true;
  }
}

/** Walks the hint store from a rotating cursor and starts deliveries for hints whose owner is up. */
export class HandoffScheduler {
  private cursor: Buffer = ALL_HINTS.from;
  readonly inFlight = new Set<string>();

  constructor(private readonly storage: StorageView) {}

  /**
   * `route` says where a hint goes now: to its owner; while this node is leaving and the owner is
   * down, still as a hint to another live node (leaving never waits for an owner to come back);
   * when the owner has left the cluster, as data to the key's current primaries ('self' when this
   * node is one). null: not now.
   */
  scan(ctx: NodeContext, launch: (op: HandoffOperation) => void, route: (hint: ParsedKey) => HintRoute): void {
    const budget = ctx.config.handoffConcurrency - this.inFlight.size;
    assert(budget >= 0, 'no more deliveries in flight than the handoff concurrency allows');
    if (budget <= 0 || ctx.store.hintCount <= 0 || ctx.config.buggify?.noHintedHandoff) return;
    let started = 0;
    let seen = 0;
    let last: Buffer | null = null;
    for (const { key, value } of this.storage.range(this.cursor, ALL_HINTS.to, { limit: budget * 4 })) {
      seen++;
      last = Buffer.from(key);
      const id = last.toString('latin1');
      const parsed = parseKey(key);
      if (parsed === null || parsed.target === null || this.inFlight.has(id)) continue;
      if (hintExpired(ctx, value)) {
        ctx.store.deleteHint(last);
        ctx.metrics.hintsExpired++;
        ctx.log('warn', 'dropped a hint older than half the tombstone grace', { bucket: parsed.bucket, owner: parsed.target });
        continue;
      }
      const where = parsed.target === ctx.selfId ? 'self' : route(parsed);
      if (where === 'self') {
        this.deliverToSelf(ctx, last, value);
        continue;
      }
      if (where === null) continue;
      const op = new HandoffOperation(ctx, ctx.nextOpId(), id, last, Buffer.from(value), where.to, parsed.bucket, parsed.key, where.hintFor);
      this.inFlight.add(id);
      launch(op);
      if (++started >= budget) break;
    }
    // Past the end (or an empty range): start over from the beginning next time.
    this.cursor = seen < budget * 4 && started < budget ? ALL_HINTS.from : Buffer.concat([last ?? ALL_HINTS.from, Buffer.from([0])]);
  }

  /** A hint addressed to this very node (it was down in someone's view when the write happened). */
  private deliverToSelf(ctx: NodeContext, key: Buffer, value: Uint8Array): void {
    const parsed = parseKey(key);
    if (parsed === null) return;
    try {
      const set = decodeSiblingSet(value);
      ctx.store.mergeData(parsed, set, mergeOptions(ctx.props(parsed.bucket), ctx.config));
      ctx.store.deleteHint(key);
    } catch {
      ctx.metrics.corruptValues++;
    }
  }

  finished(op: HandoffOperation): void {
    this.inFlight.delete(op.hintKey);
  }
}

/** True when the hint's newest version is older than half the grace (an undecodable hint is left to the delivery path). */
export function hintExpired(ctx: NodeContext, value: Uint8Array): boolean {
  let set: SiblingSet;
  try {
    set = decodeSiblingSet(value);
  } catch (err) {
    if (err instanceof VersionDecodeError) return false;
    throw err;
  }
  return ctx.now() - newestTimestampMs(set) > ctx.config.tombstoneGraceMs / 2;
}

function newestTimestampMs(set: SiblingSet): number {
  let newest = 0;
  for (const e of set.entries) {
    newest = Math.max(newest, e.timestampMs);
    for (const v of e.values) newest = Math.max(newest, v.timestampMs);
  }
  for (const v of set.anonymous) newest = Math.max(newest, v.timestampMs);
  return newest;
}
