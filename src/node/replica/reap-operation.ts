/**
 * One attempt to reap a tombstone: first ask every primary of the key (the bucket's n of them)
 * what it holds, then, only if each holds exactly that tombstone or nothing at all, tell each to
 * drop it (Reap; a replica drops only that very tombstone, so a write that arrived in between is
 * kept). A primary that still holds an older value (it missed the delete, and neither handoff nor
 * anti-entropy has brought it the tombstone yet) or a newer one makes the attempt end as 'retry':
 * reaping the others would let its value come back. A primary down, a lost reply or a timeout: the
 * same. "Nothing at all" is safe: such a replica has nothing to bring back, and any hint of an
 * older value meant for it has expired by then (handoff.ts).
 */
import type { NodeOperation } from '../operation.js';
import { assert } from '../../core/assert.js';
import type { NodeId } from '../../core/ids.js';
import { digestEncoded } from '../../core/versions/index.js';
import { MessageType } from '../../protocol/messages.js';
import type { NodeContext } from '../context.js';
import { identify, type KeyIdentity } from '../keys.js';
import type { QueuedReap } from './reap-queue.js';

export type ReapOutcome = 'reaped' | 'retry';

export class ReapOperation implements NodeOperation {
  readonly kind = 'reap';
  readonly deadlineMs: number;
  done = false;
  private readonly pending = new Set<NodeId>();
  private readonly identity: KeyIdentity;

  constructor(
    private readonly ctx: NodeContext,
    readonly id: number,
    private readonly reap: QueuedReap,
    private readonly primaries: readonly NodeId[],
    private readonly apply: () => void,
    private readonly onDone: (outcome: ReapOutcome) => void,
  ) {
    assert(reap.digest.length === 16, 'a tombstone digest is an MD5');
    assert(new Set(primaries).size === primaries.length, 'the primaries are distinct nodes');
    this.deadlineMs = ctx.now() + ctx.config.requestTimeoutMs;
    this.identity = identify(reap.bucket, reap.key);
  }

  start(): void {
    if (this.primaries.length === 0 || !this.primaries.every((p) => this.ctx.isUp(p))) return this.finish('retry');
    for (const p of this.primaries) if (p !== this.ctx.selfId) this.pending.add(p);
    if (this.primaries.includes(this.ctx.selfId) && !this.holdsOnly(this.ctx.store.readAnyEncoded(this.identity) ?? null)) return this.finish('retry');
    for (const p of [...this.pending]) {
      const sent = this.ctx.send(p, { type: MessageType.ReplicaRead, id: this.id, hash: this.identity.hash, bucket: this.reap.bucket, key: this.reap.key });
      if (!sent) return this.finish('retry');
    }
    this.maybeReap();
  }

  onReply(from: NodeId, set: Uint8Array | null): void {
    if (this.done || !this.pending.delete(from)) return;
    if (!this.holdsOnly(set)) return this.finish('retry');
    this.maybeReap();
  }

  onPeerDown(node: NodeId): void {
    if (this.pending.has(node)) this.finish('retry');
  }

  onDeadline(): void {
    this.finish('retry');
  }

  /** The replica holds this tombstone and nothing else, or nothing. */
  private holdsOnly(set: Uint8Array | null): boolean {
    return set === null || Buffer.compare(digestEncoded(set), this.reap.digest) === 0;
  }

  private maybeReap(): void {
    if (this.done || this.pending.size > 0) return;
    for (const p of this.primaries) {
      if (p === this.ctx.selfId) this.apply();
      else this.ctx.send(p, { type: MessageType.Reap, bucket: this.reap.bucket, key: this.reap.key, digest: this.reap.digest });
    }
    this.finish('reaped');
  }

  private finish(outcome: ReapOutcome): void {
    if (this.done) return;
    this.done = true;
    this.onDone(outcome);
  }
}
