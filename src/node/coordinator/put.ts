/**
 * The coordinator of one write (put or delete). It already holds the new sibling set (made from
 * the client's context and its local copy); this object gets it onto W nodes.
 *
 * Sloppy mode (default): each primary that is up gets the set; each one that is down is replaced
 * by the next healthy fallback in ring order, which stores it as a hint for that primary. When no
 * fallback is left the coordinator keeps the hint itself (it does not count towards W), so the
 * missed replica always gets the write back. A target that fails later (its connection drops, or
 * it never answers before the deadline) is replaced or hinted the same way.
 * Strict mode: only primaries count, nothing is hinted to fallbacks, and a write that cannot reach
 * W primaries is refused before anything is written.
 */
import { assert } from '../../core/assert.js';
import type { NodeOperation } from '../operation.js';
import type { NodeId } from '../../core/ids.js';
import type { SiblingSet } from '../../core/versions/index.js';
import { context } from '../../core/versions/index.js';
import { MessageType } from '../../protocol/messages.js';
import { clientError, type CrdtValue } from '../../protocol/requests.js';
import type { ClientRef, NodeContext, Placement } from '../context.js';
import type { KeyIdentity } from '../keys.js';
import type { MergeOptions } from '../replica/local-store.js';

interface Target {
  readonly node: NodeId;
  /** The primary this target stands in for (a hinted write), or null for a primary itself. */
  readonly hintFor: NodeId | null;
  state: 'pending' | 'acked' | 'failed';
}

export interface PutSpec {
  readonly ref: ClientRef;
  readonly op: 'put' | 'delete' | 'update';
  /** For an update: what the answer reports besides the context. */
  readonly updated?: { readonly value: CrdtValue; readonly added: number; readonly removed: number };
  readonly identity: KeyIdentity;
  readonly set: SiblingSet;
  readonly encoded: Uint8Array;
  /** The digest of the copy `set` was made from, when `set` supersedes exactly that copy (ReplicaWrite.base). */
  readonly base: Uint8Array | null;
  readonly needed: number;
  readonly strict: boolean;
  readonly placement: Placement;
  readonly merge: MergeOptions;
}

export class PutOperation implements NodeOperation {
  readonly kind = 'put';
  get clientRef(): ClientRef {
    return this.spec.ref;
  }
  readonly deadlineMs: number;
  private readonly targets: Target[] = [];
  private nextFallback = 0;
  private acks = 0;
  private answered = false;
  done = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly id: number,
    private readonly spec: PutSpec,
  ) {
    assert(spec.needed >= 1 && spec.needed <= spec.placement.primaries.length, 'a write waits for 1..n acknowledgements');
    assert(!spec.placement.fallbacks.some((f) => spec.placement.primaries.includes(f)), 'fallbacks are not primaries');
    this.deadlineMs = ctx.now() + ctx.config.requestTimeoutMs;
  }

  /** Refuses up front what cannot succeed; otherwise sends to every target. */
  start(): void {
    assert(this.targets.length === 0 && !this.done, 'a write starts once');
    const { placement, strict, needed } = this.spec;
    const up = placement.primaries.filter((n) => this.ctx.isUp(n));
    if (strict && up.length < needed) {
      this.fail(`strict write needs ${needed} primary replicas but only ${up.length} are reachable; nothing was written`, up.length);
      return;
    }
    for (const primary of placement.primaries) {
      if (up.includes(primary)) this.addTarget(primary, null);
      else if (!strict) this.substitute(primary);
    }
    this.check();
  }

  private addTarget(node: NodeId, hintFor: NodeId | null): void {
    assert(!this.targets.some((t) => t.node === node), 'each replica is a target once');
    assert(hintFor === null || hintFor !== node, 'a hint is held by a node other than its owner');
    const target: Target = { node, hintFor, state: 'pending' };
    this.targets.push(target);
    if (node === this.ctx.selfId) {
      this.storeLocally(hintFor);
      target.state = 'acked';
      this.acks++;
      return;
    }
    const sent = this.ctx.send(node, {
      type: MessageType.ReplicaWrite,
      id: this.id,
      hash: this.spec.identity.hash,
      bucket: this.spec.identity.bucket,
      key: this.spec.identity.key,
      set: this.spec.encoded,
      hintFor,
      base: this.spec.base,
    });
    if (!sent) this.targetFailed(target);
  }

  private storeLocally(hintFor: NodeId | null): void {
    const { identity, set, merge } = this.spec;
    if (hintFor === null || hintFor === this.ctx.selfId) this.ctx.store.mergeWrite(identity, this.spec.encoded, this.spec.base, merge, set);
    else if (this.ctx.config.buggify?.noHintedHandoff) return;
    else {
      this.ctx.store.mergeHint(identity, hintFor, set, merge);
      this.ctx.metrics.hintsStored++;
    }
  }

  /** Finds a healthy fallback for `owner`'s copy, or keeps the hint here. */
  private substitute(owner: NodeId): void {
    if (this.ctx.config.buggify?.noHintedHandoff) return;
    const { fallbacks } = this.spec.placement;
    while (this.nextFallback < fallbacks.length) {
      const candidate = fallbacks[this.nextFallback++]!;
      if (this.ctx.isUp(candidate) && !this.targets.some((t) => t.node === candidate)) {
        this.addTarget(candidate, owner);
        return;
      }
    }
    if (owner !== this.ctx.selfId) this.storeLocally(owner);
  }

  private targetFailed(target: Target): void {
    assert(this.targets.includes(target), 'a failed target is one of this write');
    if (target.state !== 'pending') return;
    target.state = 'failed';
    if (!this.spec.strict) this.substitute(target.hintFor ?? target.node);
  }

  onAck(from: NodeId, ok: boolean): void {
    const target = this.pendingTarget(from);
    if (target === undefined) return;
    if (!ok) {
      this.targetFailed(target);
    } else {
      target.state = 'acked';
      this.acks++;
    }
    assert(this.acks <= this.targets.length, 'no more acknowledgements than targets');
    this.check();
  }

  onPeerDown(node: NodeId): void {
    for (const target of this.targets) if (target.node === node) this.targetFailed(target);
    this.check();
  }

  onDeadline(): void {
    if (!this.answered) this.fail(`write timed out with ${this.acks} of ${this.spec.needed} acknowledgements`, this.acks);
    // Whoever has not acknowledged by now may have missed the write: keep a hint for its owner.
    for (const target of this.targets) {
      if (target.state !== 'pending') continue;
      target.state = 'failed';
      const owner = target.hintFor ?? target.node;
      if (owner !== this.ctx.selfId) this.storeLocally(owner);
    }
    this.done = true;
  }

  // Plain loops over the (at most a handful of) targets: this runs on every acknowledgement.
  private pendingTarget(node: NodeId): Target | undefined {
    for (const t of this.targets) if (t.node === node && t.state === 'pending') return t;
    return undefined;
  }

  private check(): void {
    let acked = 0;
    let pending = false;
    for (const t of this.targets) {
      if (t.state === 'pending') pending = true;
      else if (t.state === 'acked' && (!this.spec.strict || t.hintFor === null)) acked++;
    }
    if (!this.answered && acked >= this.spec.needed) {
      this.answered = true;
      const { op, updated } = this.spec;
      const written = context(this.spec.set);
      if (op === 'update') this.ctx.respond(this.spec.ref, { ok: true, op, context: written, value: updated!.value, added: updated!.added, removed: updated!.removed });
      else this.ctx.respond(this.spec.ref, { ok: true, op, context: written });
    }
    if (pending) return;
    if (!this.answered) {
      this.fail(`only ${acked} of the ${this.spec.needed} replicas needed acknowledged the write`, acked);
    }
    this.done = true;
  }

  private fail(message: string, acked: number): void {
    assert(!this.answered, 'a write answers its client once');
    assert(acked < this.spec.needed, 'a write fails only short of its quorum');
    this.answered = true;
    this.done = true;
    this.ctx.metrics.quorumFailures++;
    const note = acked > 0 ? ' (the write may have reached some replicas)' : '';
    this.ctx.respond(this.spec.ref, clientError('quorum_failed', message + note, { needed: this.spec.needed, acked }));
  }
}
