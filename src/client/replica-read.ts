/**
 * Client-coordinated reads, the paper's §6.4: the client asks R primaries of the key for their
 * copies directly (the replicaRead operation) and answers the read itself when they agree, which
 * is two hops instead of the four of a read coordinated by a node (client, coordinator, replica,
 * coordinator, client). Replicas answer with their stored bytes as they are; encodings are
 * canonical, so equal bytes are equal copies and the usual read decodes one copy, once.
 *
 * Anything but agreement is handed back to a read coordinated by a node, which asks the others,
 * merges and repairs what is stale: copies that differ, a copy missing on some replicas, an error,
 * a node that is no longer a primary by its own ring (the client's ring was stale), a bucket whose
 * n changed or whose R grew past what was asked, an unreadable copy, or no answer within the
 * deadline. That node is one that answered, when one did, so that a replica that went silent is
 * not also given the read to coordinate.
 *
 * When every copy asked is missing, the remaining primaries are asked too, and the read says "not
 * found" only when all of the key's primaries did, as the node's read does (a freshly restarted,
 * empty replica cannot hide a value).
 */
import { context, decodeSiblingSet, readableValues, readsAsGone, resolveLww, type SiblingSet } from '../core/versions/index.js';
import type { ClientResponse, GetResult } from '../protocol/requests.js';

/** Sends a replicaRead for the key to one node; rejects when the node cannot be reached in time. */
export type AskReplica = (node: string) => Promise<ClientResponse>;

export interface ReplicaReadPlan {
  /** The key's usable primaries, in the order to ask them. */
  readonly primaries: readonly string[];
  /** How many copies the read needs (R). */
  readonly needed: number;
  /** The bucket's n as the client knows it (its primaries are the first n of the preference list). */
  readonly n: number;
  /** R came from the request, not from the bucket: the bucket's current R does not matter then. */
  readonly explicitR: boolean;
  /**
   * Every primary of the key is in `primaries`. When one is left out (believed down), a value the
   * others lack may sit on a fallback as a hint, which only a node's read asks.
   */
  readonly allPrimaries: boolean;
}

/**
 * The read's answer when the copies agree; otherwise the node that should coordinate it: the first
 * replica that answered, known to be alive (undefined when none did).
 */
export type ReplicaReadOutcome = { readonly agreed: GetResult } | { readonly coordinator: string | undefined };

export function readFromReplicas(plan: ReplicaReadPlan, ask: AskReplica): Promise<ReplicaReadOutcome> {
  return new Promise((resolve) => new ReplicaRead(plan, ask, resolve).start());
}

interface Copy {
  readonly node: string;
  readonly set: Uint8Array | null;
  readonly lww: boolean;
}

class ReplicaRead {
  private readonly copies: Copy[] = [];
  /** The first node that answered without an error. */
  private answered: string | undefined;
  private asked = 0;
  private outstanding = 0;
  private done = false;

  constructor(
    private readonly plan: ReplicaReadPlan,
    private readonly ask: AskReplica,
    private readonly resolve: (outcome: ReplicaReadOutcome) => void,
  ) {}

  start(): void {
    this.askNext(this.plan.needed);
  }

  private askNext(count: number): void {
    const { primaries } = this.plan;
    for (let i = 0; i < count && this.asked < primaries.length; i++) {
      const node = primaries[this.asked++]!;
      this.outstanding++;
      this.ask(node).then(
        (response) => this.onAnswer(node, response),
        () => this.finish(null),
      );
    }
  }

  private onAnswer(node: string, response: ClientResponse): void {
    if (this.done) return;
    this.outstanding--;
    if (!response.ok || response.op !== 'replicaRead') return this.finish(null);
    this.answered ??= node;
    if (!response.primary) return this.finish(null);
    // The bucket changed since the client learned it: which nodes are its primaries, or how many
    // copies a read needs, may be other than what was asked.
    if (response.n !== this.plan.n || (!this.plan.explicitR && response.r > this.plan.needed)) return this.finish(null);
    this.copies.push({ node, set: response.set, lww: response.lww });
    if (this.outstanding === 0) this.decide();
  }

  private decide(): void {
    const first = this.copies[0]!;
    let found = 0;
    for (const c of this.copies) if (c.set !== null) found++;
    if (found === 0) {
      if (this.asked < this.plan.primaries.length) return this.askNext(this.plan.primaries.length - this.asked);
      return this.finish(this.plan.allPrimaries ? { ok: true, op: 'get', values: [], context: [], tombstone: false } : null);
    }
    if (found < this.copies.length) return this.finish(null);
    const bytes = first.set!;
    for (let i = 1; i < this.copies.length; i++) if (!sameBytes(this.copies[i]!.set!, bytes)) return this.finish(null);
    let set: SiblingSet;
    try {
      set = decodeSiblingSet(bytes);
    } catch {
      return this.finish(null);
    }
    if (this.copies.some((c) => c.lww)) set = resolveLww(set);
    // Expiry by the client's clock here (as bounded as the nodes' skew; docs/operations.md).
    const now = Date.now();
    this.finish({ ok: true, op: 'get', values: readableValues(set, now), context: context(set), tombstone: readsAsGone(set, now), fastestReplica: first.node });
  }

  private finish(result: GetResult | null): void {
    if (this.done) return;
    this.done = true;
    this.resolve(result === null ? { coordinator: this.answered } : { agreed: result });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
