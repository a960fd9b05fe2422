/**
 * The client's picture of the ring (GET /ring from any node) and the routing decision made with
 * it: a key's partition is computed here exactly as the nodes compute it (MD5 of bucket and key,
 * top bits), so a request can go straight to a replica in the key's preference list, which then
 * coordinates it without forwarding (client-driven coordination, one hop saved).
 *
 * Among the primaries the choice rotates, spreading coordination work evenly; a preferred node
 * (the fastest replica of the read a write follows) goes first. When no primary can be used, any
 * other member with a client port will do: it coordinates a read itself and forwards a write.
 */
import { keyHash, partitionOf } from '../core/ring/index.js';

export interface RingMember {
  readonly id: string;
  readonly httpAddress: string;
  readonly clientAddress: string | null;
  readonly up: boolean;
}

/** The JSON of GET /ring. */
export interface RingSnapshot {
  readonly partitions: number;
  readonly replicas: number;
  readonly owners: readonly (readonly string[])[];
  readonly members: readonly RingMember[];
  readonly version: string;
}

/** The snapshot, or a sentence saying what is wrong with the JSON a node sent. */
export function parseRing(raw: unknown): RingSnapshot | string {
  if (typeof raw !== 'object' || raw === null) return 'the ring is not a JSON object';
  const r = raw as Record<string, unknown>;
  if (typeof r.partitions !== 'number' || !Number.isInteger(r.partitions) || r.partitions < 1) return 'the ring has no partition count';
  if (!Array.isArray(r.owners) || r.owners.length !== r.partitions) return 'the ring does not list the owners of every partition';
  if (!r.owners.every((o) => Array.isArray(o) && o.every((id) => typeof id === 'string'))) return 'the ring has malformed owners';
  if (!Array.isArray(r.members)) return 'the ring has no members';
  for (const m of r.members as unknown[]) {
    const member = m as Record<string, unknown> | null;
    if (typeof member !== 'object' || member === null || typeof member.id !== 'string' || typeof member.httpAddress !== 'string') return 'the ring has a malformed member';
    if (member.clientAddress !== null && typeof member.clientAddress !== 'string') return 'the ring has a malformed member';
  }
  return raw as RingSnapshot;
}

export class Routing {
  private readonly members = new Map<string, RingMember>();
  private rotation = 0;

  constructor(readonly ring: RingSnapshot) {
    for (const m of ring.members) this.members.set(m.id, m);
  }

  get version(): string {
    return this.ring.version;
  }

  clientAddressOf(id: string): string | null {
    return this.members.get(id)?.clientAddress ?? null;
  }

  httpAddresses(): string[] {
    return this.ring.members.map((m) => m.httpAddress);
  }

  /** The key's preference list: its partition's replicas in ring order (the first n are its primaries). */
  preferenceList(bucket: string, key: string): readonly string[] {
    return this.ring.owners[partitionOf(keyHash(bucket, key), this.ring.partitions)]!;
  }

  get replicas(): number {
    return this.ring.replicas;
  }

  /**
   * The key's first `n` preference-list nodes that the client can use now, starting at a rotating
   * one so that reads spread over the replicas, and whether that is all of them.
   */
  usablePrimaries(bucket: string, key: string, n: number, usable: (id: string) => boolean): { readonly nodes: string[]; readonly all: boolean } {
    const owners = this.preferenceList(bucket, key);
    const count = Math.max(1, Math.min(n, owners.length));
    const start = this.rotation++ % count;
    const nodes: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = owners[(start + i) % count]!;
      const member = this.members.get(id);
      if (member !== undefined && member.up && member.clientAddress !== null && usable(id)) nodes.push(id);
    }
    return { nodes, all: nodes.length === count && count === n };
  }

  /**
   * The node to send a request to: `preferred` when usable, else a usable primary of the key
   * (one of the first `n` of its preference list, rotating), else any usable member, else any
   * member with a client port not yet tried. `usable` says whether the client currently believes
   * it can reach a node.
   */
  pick(
    bucket: string | null,
    key: string | null,
    n: number,
    preferred: string | undefined,
    usable: (id: string) => boolean,
    tried: ReadonlySet<string> | null,
  ): string | undefined {
    const ok = (id: string): boolean => (tried === null || !tried.has(id)) && this.members.get(id)?.clientAddress != null && this.members.get(id)!.up && usable(id);
    if (preferred !== undefined && ok(preferred)) return preferred;
    if (bucket !== null && key !== null) {
      const owners = this.preferenceList(bucket, key);
      const primaries = Math.max(1, Math.min(n, owners.length));
      const start = this.rotation++ % primaries;
      for (let i = 0; i < primaries; i++) {
        const id = owners[(start + i) % primaries]!;
        if (ok(id)) return id;
      }
    }
    const all = this.ring.members;
    const start = this.rotation++ % Math.max(1, all.length);
    for (let i = 0; i < all.length; i++) {
      const id = all[(start + i) % all.length]!.id;
      if (ok(id)) return id;
    }
    // Last resort: a member believed down or unreachable may be back.
    for (const m of all) if (m.clientAddress !== null && (tried === null || !tried.has(m.id))) return m.id;
    return undefined;
  }
}
