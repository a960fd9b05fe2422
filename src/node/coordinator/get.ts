/**
 * The coordinator of one read. Its candidates are the first N reachable nodes of the preference
 * list (primaries, or in sloppy mode the fallbacks holding hints for the ones that are down); it
 * merges what they return.
 *
 * It asks only R of them at first, itself first when it is one (its own copy costs no message), as
 * Cassandra does: when those R agree, the read is answered with a third fewer messages than asking
 * all N. It asks the others when that is not enough or not safe:
 * - a candidate answered "not found", failed or went down: the next one is asked. A "not found"
 *   never counts towards R while a candidate that may hold the key is unasked or pending, so a
 *   freshly restarted, empty replica cannot hide a value the others hold (Riak's notfound_ok=false);
 * - two answers differ: every remaining candidate is asked, so that read repair reaches all of them;
 * - no answer within `readSpeculateMs`: the rest are asked (a speculative retry around a slow node).
 * The read answers once R candidates returned data, or once every candidate answered (then with
 * whatever the merge holds).
 *
 * After answering it keeps collecting until every asked node replied or the deadline passes, then
 * sends the merged set to every primary whose copy was stale or missing (read repair).
 *
 * A bucket whose n is below the ring's N has `lastResort` nodes: the next ones of the preference
 * list (a few). When every candidate answered "not found", those are asked too before the read
 * says 404: while a node joins and becomes a key's first owner, or just after the bucket's n
 * changed, the key may still sit on its previous owner until the transfer to the first n is done,
 * and with n this small no other primary holds it meanwhile. A copy found there is read repaired
 * to the primaries, and never written back to those others.
 */
import { assert } from '../../core/assert.js';
import type { NodeOperation } from '../operation.js';
import type { NodeId } from '../../core/ids.js';
import {
  context,
  decodeSiblingSet,
  equalSets,
  liveValues,
  readableValues,
  readsAsGone,
  resolveLww,
  sync,
  type SiblingSet,
} from '../../core/versions/index.js';
import { MessageType } from '../../protocol/messages.js';
import { clientError } from '../../protocol/requests.js';
import type { ClientRef, NodeContext, Placement } from '../context.js';
import type { KeyIdentity } from '../keys.js';
import { readRepair } from './read-repair.js';
import { joinClocks, resolveCrdt, stateOf, syncKeepingJoins, type CrdtType } from '../../core/crdt/index.js';
import { valueOf } from './crdt-update.js';

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
  /** Nodes asked only when every candidate found nothing (not in strict mode); see above. */
  readonly lastResort?: readonly NodeId[];
  /** A counter or set bucket: the replies are joined into one value (core/crdt). */
  readonly crdt?: CrdtType;
}

interface Candidate {
  readonly node: NodeId;
  readonly primary: boolean;
}

export class GetOperation implements NodeOperation {
  readonly kind = 'get';
  get clientRef(): ClientRef {
    return this.spec.ref;
  }
  /** When the node next calls onDeadline: the speculation point first, then the final deadline. */
  deadlineMs: number;
  private readonly finalDeadlineMs: number;
  /** Candidates not asked yet, in the order they will be. */
  private unasked: Candidate[] = [];
  private readonly sources: Source[] = [];
  private merged: SiblingSet | undefined;
  /**
   * The encoding of `merged` while it is one source's copy. Encodings are canonical, so a reply
   * with the same bytes holds the same set: the usual read (R replicas that agree) then decodes
   * and merges nothing but the first copy.
   */
  private mergedEncoded: Uint8Array | undefined;
  /** The first replica that returned data: the best coordinator for a write that follows this read. */
  private fastest: NodeId | undefined;
  private answered = false;
  private lastResort: readonly NodeId[];
  done = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly id: number,
    private readonly spec: GetSpec,
  ) {
    assert(spec.needed >= 1 && spec.needed <= spec.placement.primaries.length, 'a read waits for 1..n replies');
    assert(ctx.config.readSpeculateMs > 0, 'speculation waits a positive time');
    this.finalDeadlineMs = ctx.now() + ctx.config.requestTimeoutMs;
    this.deadlineMs = Math.min(this.finalDeadlineMs, ctx.now() + ctx.config.readSpeculateMs);
    this.lastResort = spec.strict ? [] : (spec.lastResort ?? []);
  }

  start(): void {
    assert(this.sources.length === 0 && !this.done, 'a read starts once');
    const { placement, strict, needed } = this.spec;
    const n = placement.primaries.length;
    const chosen: Candidate[] = [];
    for (const node of placement.primaries) if (this.ctx.isUp(node)) chosen.push({ node, primary: true });
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
    this.unasked = askingOrder(chosen, this.ctx.selfId, this.id);
    this.askMore(needed);
    this.check();
  }

  /** Asks up to `count` more candidates. */
  private askMore(count: number): void {
    for (let i = 0; i < count && this.unasked.length > 0; i++) {
      const c = this.unasked.shift()!;
      this.ask(c.node, c.primary);
    }
  }

  private ask(node: NodeId, primary: boolean): void {
    const source: Source = { node, primary, state: 'pending', set: undefined };
    this.sources.push(source);
    if (node === this.ctx.selfId) {
      const keepJoins = this.spec.crdt !== undefined;
      const encoded = this.ctx.store.readAnyEncoded(this.spec.identity, keepJoins);
      this.record(source, encoded === undefined ? undefined : this.ctx.store.readAny(this.spec.identity, keepJoins), encoded);
      return;
    }
    const sent = this.ctx.send(node, {
      type: MessageType.ReplicaRead,
      id: this.id,
      hash: this.spec.identity.hash,
      bucket: this.spec.identity.bucket,
      key: this.spec.identity.key,
    });
    if (!sent) this.fail(source);
  }

  private fail(source: Source): void {
    assert(source.state === 'pending', 'only a source still awaited can fail');
    source.state = 'failed';
    this.askMore(1);
  }

  private record(source: Source, set: SiblingSet | undefined, encoded?: Uint8Array): void {
    assert(source.state === 'pending' && this.sources.includes(source), 'a source replies once, to this read');
    assert(encoded === undefined || set !== undefined, 'an encoding comes with its set');
    source.state = 'replied';
    source.set = set;
    if (set === undefined) {
      this.askMore(1);
      return;
    }
    if (this.ctx.config.buggify?.firstReplyWins && this.merged !== undefined) return;
    if (this.merged === undefined) {
      this.merged = set;
      this.mergedEncoded = encoded;
    } else if (set !== this.merged) {
      if (!equalSets(this.merged, set)) this.askMore(this.unasked.length);
      let next = this.spec.crdt !== undefined ? syncKeepingJoins(this.merged, set) : sync(this.merged, set);
      if (this.spec.crdt !== undefined && next !== this.merged) next = resolveCrdt(this.spec.crdt, next);
      if (next !== this.merged) this.mergedEncoded = undefined;
      this.merged = next;
    }
    if (this.fastest === undefined && source.primary) this.fastest = source.node;
  }

  onReply(from: NodeId, encoded: Uint8Array | null): void {
    const source = this.sources.find((s) => s.node === from && s.state === 'pending');
    if (source === undefined) return;
    if (encoded === null) {
      this.record(source, undefined);
    } else if (this.merged !== undefined && this.mergedEncoded !== undefined && sameBytes(encoded, this.mergedEncoded)) {
      this.record(source, this.merged);
    } else {
      try {
        this.record(source, decodeSiblingSet(encoded), encoded);
      } catch {
        this.ctx.metrics.badMessages++;
        this.fail(source);
      }
    }
    this.check();
  }

  onPeerDown(node: NodeId): void {
    for (const s of this.sources) if (s.node === node && s.state === 'pending') this.fail(s);
    this.check();
  }

  onDeadline(): void {
    if (this.ctx.now() < this.finalDeadlineMs) {
      // The speculation point: whoever is still unasked is asked now, and the read waits on.
      this.deadlineMs = this.finalDeadlineMs;
      if (this.sources.some((s) => s.state === 'pending')) this.askMore(this.unasked.length);
      this.check();
      return;
    }
    for (const s of this.sources) if (s.state === 'pending') s.state = 'failed';
    this.unasked = [];
    const replies = this.sources.filter((s) => s.state === 'replied').length;
    if (!this.answered) {
      if (replies >= this.spec.needed) this.answerMerged();
      else this.answerTimeout(replies);
    }
    this.finish();
  }

  private check(): void {
    let replied = 0;
    let withData = 0;
    let pending = false;
    for (const s of this.sources) {
      if (s.state === 'pending') pending = true;
      else if (s.state === 'replied') {
        replied++;
        if (s.set !== undefined) withData++;
      }
    }
    const waiting = pending || this.unasked.length > 0;
    if (!this.answered && !waiting && withData === 0 && this.lastResort.length > 0) return this.askLastResort();
    const firstWins = this.ctx.config.buggify?.firstReplyWins === true && withData > 0;
    if (!this.answered) {
      if (firstWins || withData >= this.spec.needed || (!waiting && replied >= this.spec.needed)) this.answerMerged();
      else if (!waiting) this.answerTimeout(replied);
    }
    if (!pending) this.finish();
  }

  private askLastResort(): void {
    const asked = new Set(this.sources.map((s) => s.node));
    const others = this.lastResort.filter((o) => !asked.has(o) && this.ctx.isUp(o));
    this.lastResort = [];
    for (const node of others) this.ask(node, false);
    this.check();
  }

  private answerMerged(): void {
    let set = this.merged;
    if (set !== undefined && this.spec.crdt !== undefined) return this.answerCrdt(this.spec.crdt, set);
    if (set !== undefined && this.spec.lww) set = resolveLww(set);
    this.answer({
      ok: true,
      op: 'get',
      // Expired versions read as a tombstone does, by this coordinator's clock (expiry.ts).
      values: set === undefined ? [] : readableValues(set, this.ctx.now()),
      context: set === undefined ? [] : context(set),
      tombstone: set !== undefined && readsAsGone(set, this.ctx.now()),
      ...(this.fastest === undefined ? {} : { fastestReplica: this.fastest }),
    });
  }

  private answerCrdt(type: CrdtType, set: SiblingSet): void {
    const bad = { count: 0 };
    const state = stateOf(type, set, bad);
    if (bad.count > 0) this.ctx.metrics.corruptValues += bad.count;
    const gone = liveValues(set).length === 0;
    this.answer({
      ok: true,
      op: 'get',
      values: [],
      // A remove with this context must cover every dot the read saw; the version vector is truncated
      // to maxClockEntries, the set's own clock is not (issue 17: removes were acknowledged and no-ops).
      context: state.type === 'set' ? joinClocks(context(set), state.set.clock) : context(set),
      tombstone: gone,
      ...(gone ? {} : { crdt: valueOf(state) }),
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

  /** The read has answered and every source settled: repair the stale primaries (read-repair.ts). */
  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.merged !== undefined) readRepair(this.ctx, this.spec.identity, this.merged, this.sources, this.spec.lww, this.spec.crdt);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * Itself first (a local read costs no message), then the others rotated by the operation id, so
 * that reads coordinated here spread over the other replicas instead of always asking the same one.
 */
function askingOrder(candidates: readonly Candidate[], self: NodeId, opId: number): Candidate[] {
  // One list and no intermediate ones (this runs on every read; there are at most a few candidates).
  const order: Candidate[] = [];
  let remote = 0;
  for (const c of candidates) {
    if (c.node === self) order.push(c);
    else remote++;
  }
  const shift = remote === 0 ? 0 : opId % remote;
  for (let k = 0; k < remote; k++) {
    const wanted = (shift + k) % remote;
    let seen = 0;
    for (const c of candidates) {
      if (c.node === self) continue;
      if (seen++ === wanted) {
        order.push(c);
        break;
      }
    }
  }
  return order;
}
