/**
 * Which actor id a coordinator mints a key's next version under ("key epochs", as Riak KV does).
 *
 * A dotted version vector is only safe if an actor never mints the same (actor, counter) twice for
 * one key, and a coordinator learns its last counter from its local copy of the key. That copy can
 * be missing or short: the node handed the partition over and owns it again, it coordinates as a
 * fallback, truncation dropped the entry. So the rule for a primary: reuse one of this node's
 * actors only when its entry is in the local copy (the copy then holds the latest counter of that
 * actor, since a primary stores every version it mints in its data before acknowledging it);
 * otherwise mint a fresh actor `<node actor>.<epoch>` from a per-node epoch that only goes up and
 * survives restarts.
 *
 * A coordinator that is not a primary (every primary down, or a write forwarded by a node whose
 * ring already changed) may store what it mints nowhere, or only in a hint that is deleted once
 * delivered, so its copy says nothing sure about its own counters. It mints under fallback actors,
 * `<node actor>/<epoch>`, which a primary never reuses, and reuses one only while this process
 * remembers that actor's last counter for the key and the local copy holds exactly that counter
 * (a node cut off from everyone keeps its hints, so a run of writes through it costs one entry,
 * not one per write). The memory is bounded and dies with the process: forgetting only costs a
 * fresh actor.
 *
 * A copy can also be short because this node handed the partition over and deleted its copies:
 * a stale copy delivered later (an old hint, a repair) holds this node's entry at an old counter,
 * and reusing it would mint a dot already taken (issue 17, seed 1048: an add took the dot of an
 * earlier write and was dropped as seen). So a partition handed over retires, for its keys, every
 * actor minted until then; the watermarks are stored with the node's metadata, since the node
 * may restart before the stale copy comes.
 *
 * Epochs are reserved in blocks so that a new key costs no extra write most of the time: the
 * durable ceiling is raised by EPOCH_BLOCK when reached, and a restart continues above it.
 */
import { assert } from '../../core/assert.js';
import type { SiblingSet } from '../../core/versions/index.js';

export const EPOCH_BLOCK = 1000;
/** Keys whose last fallback actor and counter are remembered; past it the oldest is forgotten. */
export const MAX_REMEMBERED_FALLBACKS = 10_000;

export class ActorEpochs {
  private next: number;
  private ceiling: number;
  /** What every primary actor minted by this node starts with. */
  private readonly prefix: string;
  private readonly fallbackPrefix: string;
  /** Per key (bucket and key), the fallback actor this process last minted under and its counter. */
  private readonly fallbacks = new Map<string, { readonly actor: string; readonly counter: number }>();
  /** Per partition handed over: the first epoch a primary may still reuse for its keys. */
  private readonly retiredBelow = new Map<number, number>();

  /** `reserved`: the durable ceiling found at start (0 on a new node); `retired`: the watermarks stored (retirePartition). */
  constructor(
    base: string,
    reserved: number,
    private readonly persistCeiling: (ceiling: number) => void,
    retired: readonly (readonly [number, number])[] = [],
    private readonly persistRetired: (retired: [number, number][]) => void = () => undefined,
  ) {
    this.next = reserved;
    this.ceiling = reserved;
    for (const [partition, epoch] of retired) this.retiredBelow.set(partition, Math.min(epoch, reserved));
    this.prefix = `${base}.`;
    this.fallbackPrefix = `${base}/`;
  }

  /** The actor for a write a primary coordinates on top of `local` (its data for the key). */
  actorFor(local: SiblingSet | undefined, partition?: number): string {
    const floor = partition === undefined ? undefined : this.retiredBelow.get(partition);
    // A plain loop: this runs on every coordinated write.
    let best: { readonly node: string; readonly counter: number } | undefined;
    for (const e of local?.entries ?? []) {
      if (!e.node.startsWith(this.prefix) || (best !== undefined && e.counter <= best.counter)) continue;
      if (floor === undefined || this.epochOf(e.node) >= floor) best = e;
    }
    return best?.node ?? this.mint(this.prefix);
  }

  /** This node handed `partition` over (it deletes its copies): no actor minted so far is reused for its keys. */
  retirePartition(partition: number): void {
    assert(Number.isInteger(partition) && partition >= 0, 'a partition is an index');
    if (this.retiredBelow.get(partition) === this.next) return;
    this.retiredBelow.set(partition, this.next);
    this.persistRetired([...this.retiredBelow]);
  }

  /** The epoch of one of this node's primary actors; NaN (never reused past a watermark) if malformed. */
  private epochOf(actor: string): number {
    const suffix = actor.slice(this.prefix.length);
    return /^[0-9a-z]+$/.test(suffix) ? parseInt(suffix, 36) : Number.NaN;
  }

  /** The actor for a write coordinated by a node that is not a primary of `key`, on top of `local` (data and hints). */
  fallbackActorFor(key: string, local: SiblingSet | undefined): string {
    const last = this.fallbacks.get(key);
    if (last !== undefined && local?.entries.some((e) => e.node === last.actor && e.counter === last.counter) === true) return last.actor;
    return this.mint(this.fallbackPrefix);
  }

  /** Records the counter a fallback actor just minted for `key` (call it for every fallback write). */
  mintedFallback(key: string, actor: string, counter: number): void {
    if (!actor.startsWith(this.fallbackPrefix)) return;
    this.fallbacks.delete(key);
    if (this.fallbacks.size >= MAX_REMEMBERED_FALLBACKS) this.fallbacks.delete(this.fallbacks.keys().next().value!);
    this.fallbacks.set(key, { actor, counter });
  }

  private mint(prefix: string): string {
    assert(this.next <= this.ceiling, 'no actor is minted beyond the persisted ceiling');
    if (this.next >= this.ceiling) {
      this.ceiling = this.next + EPOCH_BLOCK;
      this.persistCeiling(this.ceiling);
    }
    assert(this.next < this.ceiling, 'the ceiling covers the actor being minted');
    return `${prefix}${(this.next++).toString(36)}`;
  }
}
