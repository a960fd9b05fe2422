/**
 * Getting into a cluster and keeping the cluster's metadata in agreement.
 *
 * Joining: a node with no membership on disk asks its seeds to admit it. A seed already in a
 * cluster admits it and answers with the membership; a seed still waiting answers "none". A node
 * listed among its own seeds founds a new cluster when, after `seedWaitMs`, no seed has a cluster
 * and no waiting seed has a lower address (so seeds started together found exactly one).
 *
 * Agreement: every heartbeat carries digests of the membership and the bucket table; a receiver
 * whose digests differ starts a push-pull gossip exchange. Besides, every gossip interval the node
 * gossips with one random member, and every few rounds with a random seed, which merges clusters
 * that seeds founded apart. Both values are join-semilattices, so any order of exchanges converges.
 */
import { createHash } from 'node:crypto';
import { assert } from '../../core/assert.js';
import { bucketsDigest, mergeBucketTables, parseBucketTable, type BucketTable } from '../../core/buckets/index.js';
import { REPLICAS_MAX } from '../../core/limits.js';
import type { NodeId, PeerAddress } from '../../core/ids.js';
import { activeMembers, admit, digest, getMember, memberSpecProblem, merge, newCluster, parseMembership, sharedAddress, updateMember, type Membership } from '../../core/membership/index.js';
import type { Rng } from '../../core/random.js';
import { MessageType, type Gossip, type Heartbeat, type JoinReply, type JoinRequest, type PeerMessage } from '../../protocol/messages.js';
import type { NodeConfig } from '../config.js';


export interface ClusterStateHost {
  membership(): Membership | null;
  setMembership(m: Membership): void;
  buckets(): BucketTable;
  setBuckets(t: BucketTable): void;
  /** Minted at founding, adopted when joining; null for a node that never had one. */
  clusterId(): string | null;
  setClusterId(id: string): void;
  sendTo(address: PeerAddress, body: PeerMessage): void;
  send(node: NodeId, body: PeerMessage): boolean;
  isUp(node: NodeId): boolean;
  log(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void;
}

const SEED_GOSSIP_EVERY_ROUNDS = 5;

/** How long a member that left keeps getting heartbeats (so it learns that everyone knows), and the most it waits for that. */
export const LEAVE_LINGER_MAX_MS = 30_000;

export class MembershipAgent {
  private readonly startedMs: number;
  private lastJoinAttemptMs = -Infinity;
  private lastHeartbeatMs = -Infinity;
  private lastGossipMs = -Infinity;
  private gossipRounds = 0;
  /** Seeds that said they are waiting too, with when they said it. */
  private readonly waitingSeeds = new Map<PeerAddress, number>();

  constructor(
    private readonly config: NodeConfig,
    private readonly host: ClusterStateHost,
    private readonly rng: Rng,
    nowMs: number,
  ) {
    this.startedMs = nowMs;
    const m = host.membership();
    if (m !== null) this.refreshSelf(m);
  }

  /**
   * After a restart the address may have changed; the stored entry is corrected and spread. The
   * weight is not: it took part in every claim since the node was admitted, and the ring is a fold
   * of those claims, so a new weight would reshuffle far more than its own share (3-6× the minimum
   * measured). A node started with another weight says so and keeps the one it was admitted with.
   */
  private refreshSelf(m: Membership): void {
    const self = getMember(m, this.config.self.id);
    const spec = this.config.self;
    if (self === undefined || self.state === 'left') {
      this.host.setMembership(admit(m, spec, 'up'));
      return;
    }
    if (self.weight !== spec.weight) this.warnWeight(self.weight);
    const next = updateMember(m, spec.id, { address: spec.address, httpAddress: spec.httpAddress, clientAddress: spec.clientAddress });
    if (next !== m) this.host.setMembership(next);
  }

  private warnWeight(kept: number): void {
    this.host.log('warn', 'the weight given at start differs from the one this node was admitted with, which it keeps; to change it, remove the node (leave) and add it back as a new node', {
      given: this.config.self.weight,
      kept,
    });
  }

  tick(nowMs: number): void {
    const m = this.host.membership();
    if (m === null) {
      this.tryJoin(nowMs);
      return;
    }
    if (nowMs - this.lastHeartbeatMs >= this.config.heartbeatIntervalMs) {
      this.lastHeartbeatMs = nowMs;
      this.heartbeat(m, nowMs);
    }
    if (nowMs - this.lastGossipMs >= this.config.gossipIntervalMs) {
      this.lastGossipMs = nowMs;
      this.gossipRound(m);
    }
  }

  private readonly extraSeeds: PeerAddress[] = [];

  /** An operator named a seed at run time (`dynamo join`). */
  addSeed(seed: PeerAddress): void {
    if (!this.extraSeeds.includes(seed)) this.extraSeeds.push(seed);
    this.lastJoinAttemptMs = -Infinity;
  }

  private otherSeeds(): PeerAddress[] {
    return [...this.config.seeds, ...this.extraSeeds].filter((s) => s !== this.config.self.address);
  }

  private tryJoin(nowMs: number): void {
    if (nowMs - this.lastJoinAttemptMs >= this.config.joinRetryMs) {
      this.lastJoinAttemptMs = nowMs;
      const request: JoinRequest = { type: MessageType.JoinRequest, spec: this.config.self };
      for (const seed of this.otherSeeds()) this.host.sendTo(seed, request);
    }
    const selfIsSeed = this.config.seeds.includes(this.config.self.address);
    if (!selfIsSeed || nowMs - this.startedMs < this.config.seedWaitMs) return;
    const recent = [...this.waitingSeeds].filter(([, at]) => nowMs - at <= 3 * this.config.joinRetryMs).map(([a]) => a);
    if (recent.some((a) => a < this.config.self.address)) return;
    assert(this.host.membership() === null, 'only a node in no cluster founds one');
    this.host.log('info', 'no seed has a cluster: founding a new one', { partitions: this.config.partitions, replicas: this.config.replicas });
    this.host.setClusterId(this.mintClusterId(nowMs));
    this.host.setMembership(newCluster(this.config.self, this.config.partitions, this.config.replicas));
  }

  /**
   * Unique without drawing from the node's random stream (the simulator's runs stay as they were):
   * the actor id carries the data directory's random incarnation, and the founding time.
   */
  private mintClusterId(nowMs: number): string {
    return createHash('sha256').update(`${this.config.actor}/${nowMs}`).digest('hex').slice(0, 16);
  }

  /** A node with no cluster id takes the one its cluster's members send (joining, or after an upgrade). */
  private adoptClusterId(theirs: string | undefined): void {
    if (theirs !== undefined && this.host.clusterId() === null) this.host.setClusterId(theirs);
  }

  /** Metadata of another cluster (a peer its transport did not stop, such as the in-memory one) is not merged. */
  private foreign(theirs: string | undefined): boolean {
    const mine = this.host.clusterId();
    return theirs !== undefined && mine !== null && theirs !== mine;
  }

  /** Every member in small clusters; a random subset in large ones, so heartbeats stay O(fanout) per node. */
  /** When this node first saw each member as `left`. */
  private readonly leftSeenAt = new Map<NodeId, number>();

  private heartbeat(m: Membership, nowMs: number): void {
    const body: Heartbeat = { type: MessageType.Heartbeat, membershipDigest: digest(m), bucketsDigest: bucketsDigest(this.host.buckets()) };
    for (const member of m.members) if (member.state === 'left' && !this.leftSeenAt.has(member.id)) this.leftSeenAt.set(member.id, nowMs);
    const lingering = m.members.filter((x) => x.state === 'left' && nowMs - this.leftSeenAt.get(x.id)! < LEAVE_LINGER_MAX_MS);
    const others = [...activeMembers(m), ...lingering].filter((member) => member.id !== this.config.self.id);
    const fanout = this.config.heartbeatFanout;
    if (others.length <= fanout * 4) {
      for (const member of others) this.host.send(member.id, body);
      return;
    }
    for (let i = 0; i < fanout; i++) this.host.send(others[this.rng.int(others.length)]!.id, body);
  }

  private gossipMessage(reply: boolean): Gossip {
    const clusterId = this.host.clusterId();
    return { type: MessageType.Gossip, membership: this.host.membership(), buckets: this.host.buckets(), reply, ...(clusterId === null ? {} : { clusterId }) };
  }

  private gossipRound(m: Membership): void {
    const peers = activeMembers(m).filter((p) => p.id !== this.config.self.id && this.host.isUp(p.id));
    if (peers.length > 0) this.host.send(peers[this.rng.int(peers.length)]!.id, this.gossipMessage(true));
    const seeds = this.otherSeeds();
    if (++this.gossipRounds % SEED_GOSSIP_EVERY_ROUNDS === 0 && seeds.length > 0) {
      this.host.sendTo(seeds[this.rng.int(seeds.length)]!, this.gossipMessage(true));
    }
  }

  /** Pushes the current metadata to every member now (after an operator change). */
  broadcast(): void {
    const m = this.host.membership();
    if (m === null) return;
    for (const member of activeMembers(m)) if (member.id !== this.config.self.id) this.host.send(member.id, this.gossipMessage(false));
  }

  /** The membership digest each peer last reported in a heartbeat. */
  private readonly peerDigests = new Map<NodeId, string>();

  /**
   * True when every live member other than this one last reported exactly this membership, and at
   * least one did (from there gossip carries it to the rest; a node cut off from everyone must not
   * count "nobody is up" as "everyone knows").
   */
  everyoneHasSeen(m: Membership): boolean {
    const mine = digest(m);
    const others = activeMembers(m).filter((x) => x.id !== this.config.self.id);
    const seen = others.filter((x) => this.peerDigests.get(x.id) === mine).length;
    return seen > 0 && others.every((x) => !this.host.isUp(x.id) || this.peerDigests.get(x.id) === mine);
  }

  onHeartbeat(from: NodeId, fromAddress: PeerAddress, body: Heartbeat): void {
    assert(from.length > 0 && fromAddress.length > 0, 'the decoder checked the sender');
    const m = this.host.membership();
    if (m === null) return;
    // Digests are kept for members only, so made-up sender ids cannot grow the map.
    if (getMember(m, from) !== undefined) this.peerDigests.set(from, body.membershipDigest);
    if (body.membershipDigest !== digest(m) || body.bucketsDigest !== bucketsDigest(this.host.buckets())) {
      if (!this.host.send(from, this.gossipMessage(true))) this.host.sendTo(fromAddress, this.gossipMessage(true));
    }
  }

  onGossip(fromAddress: PeerAddress, body: Gossip): void {
    if (this.foreign(body.clusterId)) {
      this.host.log('warn', 'ignored gossip from a node of another cluster', { from: fromAddress, theirs: body.clusterId, mine: this.host.clusterId() });
      return;
    }
    if (this.host.membership() !== null) this.adoptClusterId(body.clusterId);
    const before = this.digests();
    this.absorb(body.membership, body.buckets);
    const mine = this.host.membership();
    if (body.reply && mine !== null) {
      const theirs = body.membership === null ? '' : digest(parseMembership(body.membership) ?? mine);
      if (theirs !== digest(mine) || before !== this.digests()) this.host.sendTo(fromAddress, this.gossipMessage(false));
    }
  }

  private digests(): string {
    const m = this.host.membership();
    return `${m === null ? '' : digest(m)}/${bucketsDigest(this.host.buckets())}`;
  }

  private absorb(rawMembership: Membership | null, buckets: BucketTable): void {
    const mine = this.host.membership();
    if (rawMembership !== null) {
      const shape = mine === null ? undefined : { partitions: mine.partitions, replicas: mine.replicas };
      const theirs = parseMembership(rawMembership, shape);
      if (theirs === null) {
        this.host.log('warn', 'ignored a malformed or foreign membership from gossip', {});
      } else if (mine !== null) {
        const merged = merge(mine, theirs);
        assert(merged.members.length >= mine.members.length, 'a merge never drops a member');
        const shared = sharedAddress(merged.members);
        if (shared !== null) this.host.log('warn', 'ignored a membership from gossip that would put two members on one address', { problem: shared });
        else if (digest(merged) !== digest(mine)) this.host.setMembership(merged);
      }
    }
    const parsed = parseBucketTable(buckets, this.host.membership()?.replicas ?? REPLICAS_MAX);
    if (parsed.refused.length > 0) this.host.log('warn', 'ignored bucket properties from gossip that break the bucket rules', { refused: parsed.refused.slice(0, 5) });
    const mergedBuckets = mergeBucketTables(this.host.buckets(), parsed.table);
    if (bucketsDigest(mergedBuckets) !== bucketsDigest(this.host.buckets())) this.host.setBuckets(mergedBuckets);
  }

  onJoinRequest(fromAddress: PeerAddress, body: JoinRequest): void {
    const m = this.host.membership();
    if (m === null) {
      const reply: JoinReply = { type: MessageType.JoinReply, membership: null };
      this.host.sendTo(fromAddress, reply);
      return;
    }
    const spec = body.spec;
    const problem = memberSpecProblem(spec as unknown as Record<string, unknown>);
    if (problem !== null) {
      this.host.log('warn', 'refused a malformed join request', { problem });
      return;
    }
    // Two members on one address would each receive the other's messages and never be answered by
    // the one they asked: a join that takes an active member's address is refused (IP reuse).
    const holder = m.members.find((x) => x.address === spec.address && x.state !== 'left');
    if (holder !== undefined && holder.id !== spec.id) {
      this.host.log('warn', 'refused a join request for an address another member holds', { id: spec.id, address: spec.address, holder: holder.id });
      return;
    }
    const next = admit(m, { id: spec.id, address: spec.address, httpAddress: spec.httpAddress, clientAddress: spec.clientAddress ?? null, weight: spec.weight }, 'joining');
    if (next !== m) {
      this.host.log('info', 'admitted a member', { id: spec.id, address: spec.address });
      this.host.setMembership(next);
    }
    const clusterId = this.host.clusterId();
    this.host.sendTo(fromAddress, { type: MessageType.JoinReply, membership: this.host.membership(), buckets: this.host.buckets(), ...(clusterId === null ? {} : { clusterId }) });
  }

  onJoinReply(fromAddress: PeerAddress, body: JoinReply, nowMs: number): void {
    if (body.membership === null) {
      // Only seeds take part in the founding election, and only they can grow this map.
      if (this.otherSeeds().includes(fromAddress)) this.waitingSeeds.set(fromAddress, nowMs);
      return;
    }
    if (this.foreign(body.clusterId)) return;
    if (this.host.membership() !== null) {
      this.absorb(body.membership, body.buckets ?? {});
      return;
    }
    const theirs = parseMembership(body.membership);
    if (theirs === null || getMember(theirs, this.config.self.id) === undefined) return;
    // A wiped node that rejoins under its old id is still the member admitted with the old weight.
    const admitted = getMember(theirs, this.config.self.id)!.weight;
    if (admitted !== this.config.self.weight) this.warnWeight(admitted);
    this.host.log('info', 'joined the cluster', { through: fromAddress, members: theirs.members.length, clusterId: body.clusterId });
    this.adoptClusterId(body.clusterId);
    this.host.setMembership(theirs);
    // The bucket types come with the membership: serving a set bucket as kv until the next gossip would answer siblings.
    this.absorb(null, body.buckets ?? {});
  }
}
