/**
 * Which actor id a coordinator mints a key's next version under ("key epochs", as Riak KV does).
 *
 * A dotted version vector is only safe if an actor never mints the same (actor, counter) twice for
 * one key, and a coordinator learns its last counter from its local copy of the key. That copy can
 * be missing or short: the node handed the partition over and owns it again, it coordinates as a
 * fallback, truncation dropped the entry. So the rule: reuse one of this node's actors only when its
 * entry is in the local copy (the copy then holds the latest counter of that actor, since a primary
 * stores every version it mints in its data before acknowledging it); otherwise mint a fresh actor
 * `<node actor>.<epoch>` from a per-node epoch that only goes up and survives restarts. A
 * coordinator that is not a primary may store what it mints nowhere, so it passes no copy and
 * always gets a fresh actor (client-requests.ts).
 *
 * Epochs are reserved in blocks so that a new key costs no extra write most of the time: the
 * durable ceiling is raised by EPOCH_BLOCK when reached, and a restart continues above it.
 */
import { assert } from '../../core/assert.js';
import type { SiblingSet } from '../../core/versions/index.js';

export const EPOCH_BLOCK = 1000;

export class ActorEpochs {
  private next: number;
  private ceiling: number;
  /** What every actor minted by this node starts with. */
  private readonly prefix: string;

  /** `reserved`: the durable ceiling found at start (0 on a new node). */
  constructor(
    base: string,
    reserved: number,
    private readonly persistCeiling: (ceiling: number) => void,
  ) {
    this.next = reserved;
    this.ceiling = reserved;
    this.prefix = `${base}.`;
  }

  /** The actor for a write coordinated on top of `local` (this node's data and hints for the key). */
  actorFor(local: SiblingSet | undefined): string {
    // A plain loop: this runs on every coordinated write.
    let best: { readonly node: string; readonly counter: number } | undefined;
    for (const e of local?.entries ?? []) if (e.node.startsWith(this.prefix) && (best === undefined || e.counter > best.counter)) best = e;
    return best?.node ?? this.mint();
  }

  private mint(): string {
    assert(this.next <= this.ceiling, 'no actor is minted beyond the persisted ceiling');
    if (this.next >= this.ceiling) {
      this.ceiling = this.next + EPOCH_BLOCK;
      this.persistCeiling(this.ceiling);
    }
    assert(this.next < this.ceiling, 'the ceiling covers the actor being minted');
    return `${this.prefix}${(this.next++).toString(36)}`;
  }
}
