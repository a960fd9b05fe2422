/**
 * Hinted handoff: a node delivers the hints it holds to their owners once those are reachable
 * again, and deletes a hint only after the owner acknowledged it (and only if the hint did not
 * change in the meantime; a newer hint waits for the next round). Delivery is throttled: at most
 * `handoffConcurrency` hints in flight, scanned from a rotating cursor every handoff interval,
 * so a long queue drains steadily without starving client requests.
 */
import type { NodeId } from '../core/ids.js';
import { decodeSiblingSet } from '../core/versions/index.js';
import { MessageType } from '../protocol/messages.js';
import type { NodeContext } from './context.js';
import { ALL_HINTS, parseKey, type ParsedKey } from './keys.js';

export type HintRoute = { readonly to: NodeId; readonly hintFor: NodeId | null } | 'self' | null;
import type { StorageView } from './storage-view.js';
import { mergeOptions } from './merge-options.js';

export class HandoffOperation {
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
    this.deadlineMs = ctx.now() + ctx.config.requestTimeoutMs;
  }

  start(): void {
    const sent = this.ctx.send(this.target, { type: MessageType.ReplicaWrite, id: this.id, hash: this.key.subarray(1, 17), bucket: this.bucket, key: this.userKey, set: this.value, hintFor: this.relayFor, base: null });
    if (!sent) this.done = true;
  }

  onAck(from: NodeId, ok: boolean): void {
    if (from !== this.target) return;
    this.done = true;
    if (!ok) return;
    const current = this.ctx.store.getRaw(this.key);
    if (current !== undefined && Buffer.compare(current, this.value) === 0) {
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
