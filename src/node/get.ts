/**
 * The coordinator of one read. It asks the first N reachable nodes of the preference list
 * (primaries, or in sloppy mode the fallbacks holding hints for the ones that are down) and merges
 * what they return.
 *
 * A "not found" does not count towards R while a replica that may hold the key has not answered:
 * the read answers once R replicas returned data, or once every asked replica answered (then with
 * whatever the merge holds). This is what keeps a freshly restarted, empty replica from hiding a
 * value that the others hold (Riak's notfound_ok=false).
 *
 * After answering it keeps collecting until everyone replied or the deadline passes, then sends the
 * merged set to every primary whose copy was stale or missing (read repair).
 */
import type { NodeId } from '../core/ids.js';
import {
  context,
  decodeSiblingSet,
  encodeSiblingSet,
  equalSets,
  isTombstone,
  liveValues,
  resolveLww,
  sync,
  type SiblingSet,
} from '../core/versions/index.js';
import { MessageType } from '../protocol/messages.js';
import { clientError } from '../protocol/requests.js';
import type { ClientRef, NodeContext, Placement } from './context.js';
import type { KeyIdentity } from './keys.js';

interface Source {
  readonly node: NodeId;
  readonly primary: boolean;
  state: 'pending' | 'replied' | 'failed';
  set: SiblingSet | undefined;
}

export interface GetSpec {
  readonly ref: ClientRef;
  readonly identity: KeyIdentity;
  readonly needed: number;
  readonly strict: boolean;
  readonly lww: boolean;
  readonly placement: Placement;
}

export class GetOperation {
  readonly kind = 'get';
  get clientRef(): ClientRef {
    return this.spec.ref;
  }
  readonly deadlineMs: number;
  private readonly sources: Source[] = [];
  private merged: SiblingSet | undefined;
  /** The first replica that returned data: the best coordinator for a write that follows this read. */
  private fastest: NodeId | undefined;
  private answered = false;
  done = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly id: number,
    private readonly spec: GetSpec,
  ) {
    this.deadlineMs = ctx.now() + ctx.config.requestTimeoutMs;
  }

  start(): void {
    const { placement, strict, needed } = this.spec;
    const n = placement.primaries.length;
    const chosen = placement.primaries.filter((p) => this.ctx.isUp(p)).map((node) => ({ node, primary: true }));
    if (!strict) {
      for (const f of placement.fallbacks) {
        if (chosen.length >= n) break;
        if (this.ctx.isUp(f)) chosen.push({ node: f, primary: false });
      }
    }
    if (chosen.length < needed) {
      this.answer(clientError('quorum_failed', `read needs ${needed} replicas but only ${chosen.length} are reachable`, { needed, acked: 0 }));
      this.done = true;
      return;
    }
    for (const c of chosen) this.ask(c.node, c.primary);
    this.check();
  }

  private ask(node: NodeId, primary: boolean): void {
    const source: Source = { node, primary, state: 'pending', set: undefined };
    this.sources.push(source);
    if (node === this.ctx.selfId) {
      this.record(source, this.ctx.store.readAny(this.spec.identity));
      return;
    }
    const sent = this.ctx.send(node, {
      type: MessageType.ReplicaRead,
      id: this.id,
      bucket: this.spec.identity.bucket,
      key: this.spec.identity.key,
    });
    if (!sent) source.state = 'failed';
  }

  private record(source: Source, set: SiblingSet | undefined): void {
    source.state = 'replied';
    source.set = set;
    if (set === undefined) return;
    if (this.ctx.config.buggify?.firstReplyWins && this.merged !== undefined) return;
    this.merged = this.merged === undefined ? set : sync(this.merged, set);
    if (this.fastest === undefined && source.primary) this.fastest = source.node;
  }

  onReply(from: NodeId, encoded: Uint8Array | null): void {
    const source = this.sources.find((s) => s.node === from && s.state === 'pending');
    if (source === undefined) return;
    if (encoded === null) {
      this.record(source, undefined);
    } else {
      try {
        this.record(source, decodeSiblingSet(encoded));
      } catch {
        this.ctx.metrics.badMessages++;
        source.state = 'failed';
      }
    }
    this.check();
  }

  onPeerDown(node: NodeId): void {
    for (const s of this.sources) if (s.node === node && s.state === 'pending') s.state = 'failed';
    this.check();
  }

  onDeadline(): void {
    for (const s of this.sources) if (s.state === 'pending') s.state = 'failed';
    const replies = this.sources.filter((s) => s.state === 'replied').length;
    if (!this.answered) {
      if (replies >= this.spec.needed) this.answerMerged();
      else this.answerTimeout(replies);
    }
    this.finish();
  }

  private check(): void {
    const replied = this.sources.filter((s) => s.state === 'replied');
    const withData = replied.filter((s) => s.set !== undefined).length;
    const pending = this.sources.some((s) => s.state === 'pending');
    const firstWins = this.ctx.config.buggify?.firstReplyWins === true && withData > 0;
    if (!this.answered) {
      if (firstWins || withData >= this.spec.needed || (!pending && replied.length >= this.spec.needed)) this.answerMerged();
      else if (!pending) this.answerTimeout(replied.length);
    }
    if (!pending) this.finish();
  }

  private answerMerged(): void {
    let set = this.merged;
    if (set !== undefined && this.spec.lww) set = resolveLww(set);
    this.answer({
      ok: true,
      op: 'get',
      values: set === undefined ? [] : liveValues(set),
      context: set === undefined ? [] : context(set),
      tombstone: set !== undefined && isTombstone(set),
      ...(this.fastest === undefined ? {} : { fastestReplica: this.fastest }),
    });
  }

  private answerTimeout(replies: number): void {
    this.ctx.metrics.quorumFailures++;
    const { needed } = this.spec;
    this.answer(clientError('quorum_failed', `only ${replies} of the ${needed} replicas needed answered the read`, { needed, acked: replies }));
  }

  private answer(response: Parameters<NodeContext['respond']>[1]): void {
    this.answered = true;
    this.ctx.respond(this.spec.ref, response);
  }

  /** Read repair: every primary that replied with less than the merge gets the merge. */
  private finish(): void {
    if (this.done) return;
    this.done = true;
    const merged = this.merged;
    if (merged === undefined) return;
    let encoded: Uint8Array | undefined;
    for (const s of this.sources) {
      if (!s.primary || s.state !== 'replied') continue;
      if (s.set !== undefined && equalSets(s.set, merged)) continue;
      encoded ??= encodeSiblingSet(merged);
      this.ctx.metrics.readRepairs++;
      if (s.node === this.ctx.selfId) {
        this.ctx.store.mergeData(this.spec.identity, merged, { lww: this.spec.lww, maxClockEntries: this.ctx.config.maxClockEntries });
      } else {
        this.ctx.send(s.node, { type: MessageType.ReplicaWrite, id: 0, bucket: this.spec.identity.bucket, key: this.spec.identity.key, set: encoded, hintFor: null });
      }
    }
  }
}
