/**
 * One Dynamo node as a deterministic state machine. The driver feeds it inputs (client requests,
 * peer messages, connectivity changes, ticks) with the current time; the node reads its storage
 * synchronously and answers with effects (writes, messages, replies) that the driver applies in
 * the order "persist, then send". No sockets, timers, disks or clocks in here: the same class runs
 * in a real process (runtime/) and in the deterministic simulator (sim/).
 */
import { DEFAULT_BUCKET_PROPS, EMPTY_BUCKET_TABLE, bucketProps, setBucket, type BucketProps, type BucketTable } from '../core/buckets/index.js';
import { assertNever } from '../core/assert.js';
import type { NodeId, PeerAddress } from '../core/ids.js';
import { IdTable } from '../core/id-table.js';
import { assignmentOf, digest, getMember, updateMember, type Membership } from '../core/membership/index.js';
import type { Rng } from '../core/random.js';
import { Ring } from '../core/ring/index.js';
import { decodeSiblingSet, type SiblingSet } from '../core/versions/index.js';
import { MessageType, type Envelope, type PeerMessage } from '../protocol/messages.js';
import { clientError, type ClientRequest, type ClientResponse } from '../protocol/requests.js';
import { validateClientRequest } from '../protocol/validate-request.js';
import { handleClientRequest, type CoordinationHost } from './client-requests.js';
import type { NodeConfig } from './config.js';
import type { ClientRef, Placement } from './context.js';
import { EffectsBuilder, type Effects, type LogEvent } from './effects.js';
import { ForwardOperation } from './forward.js';
import { GetOperation } from './get.js';
import { HandoffOperation, HandoffScheduler, type HintRoute } from './handoff.js';
import { ALL_HINTS, dataKey, identify, metaKey, parseKey, partitionDataRange, partitionOfIdentity, type KeyIdentity, type ParsedKey } from './keys.js';
import { Liveness } from './liveness.js';
import { LocalStore } from './local-store.js';
import { LEAVE_LINGER_MAX_MS, MembershipAgent } from './membership-agent.js';
import { parseMembership } from './membership-wire.js';
import { newMetrics, type NodeMetrics } from './metrics.js';
import { PutOperation } from './put.js';
import { Reaper } from './reaper.js';
import { ActorEpochs } from './actors.js';
import { ExchangeOperation, leafEntries, type ExchangeDeps } from './exchange.js';
import { MerkleIndex } from './merkle-index.js';
import { PartitionSync } from './partition-sync.js';
import { partitionPage, type PartitionPage } from './partition-dump.js';
import type { StorageView } from './storage-view.js';
import { clusterView, type ClusterView, type RingView } from './views.js';

export type NodeInput =
  | { readonly kind: 'client'; readonly requestId: number; readonly request: ClientRequest }
  | { readonly kind: 'peer'; readonly from: PeerAddress; readonly envelope: Envelope }
  | { readonly kind: 'peerUp'; readonly address: PeerAddress }
  | { readonly kind: 'peerDown'; readonly address: PeerAddress }
  | { readonly kind: 'tick' }
  /** An operator asked this node to leave the cluster (decommission). */
  | { readonly kind: 'leave' }
  /** An operator gave this node a seed to join through. */
  | { readonly kind: 'join'; readonly seed: PeerAddress };

type Operation = GetOperation | PutOperation | ForwardOperation | HandoffOperation | ExchangeOperation;

const META_MEMBERSHIP = 'membership';
const META_BUCKETS = 'buckets';
const META_ACTOR_EPOCH = 'actor-epoch-ceiling';

export class DynamoNode implements CoordinationHost {
  readonly selfId: NodeId;
  readonly store: LocalStore;
  readonly metrics: NodeMetrics = newMetrics();
  private readonly out = new EffectsBuilder();
  private nowMs: number;
  private opCounter = 0;
  /** Operations in flight by id (an IdTable, not a Map: see id-table.ts). */
  private readonly ops = new IdTable<Operation>();
  private membershipValue: Membership | null;
  private bucketTable: BucketTable;
  /** Built on first use after a membership change: folding the ring is the costly part of a change. */
  private ringCache: Ring | null = null;
  private readonly placements = new Map<number, Placement>();
  private readonly addressIndex = new Map<PeerAddress, NodeId>();
  private readonly liveness: Liveness;
  private readonly agent: MembershipAgent;
  private readonly handoff: HandoffScheduler;
  private readonly reaper = new Reaper();
  private readonly actors: ActorEpochs;
  private lastHandoffMs = -Infinity;
  private merkle: MerkleIndex | null = null;
  readonly sync: PartitionSync;
  private leftAtMs: number | null = null;
  /** Client requests that arrived before this node joined a cluster (see waitForCluster). */
  private waitingForCluster: { readonly ref: ClientRef; readonly request: ClientRequest; readonly untilMs: number }[] = [];

  constructor(
    readonly config: NodeConfig,
    private readonly storage: StorageView,
    rng: Rng,
    nowMs: number,
  ) {
    this.selfId = config.self.id;
    this.nowMs = nowMs;
    this.store = new LocalStore(storage, (w) => this.out.write(w), {
      corrupt: (key, error) => {
        this.metrics.corruptValues++;
        this.log('error', 'undecodable value in storage', { key: Buffer.from(key).toString('hex'), error });
      },
      written: (key, before, after) => this.merkle?.change(key, before, after),
    });
    this.store.hintCount = storage.count(ALL_HINTS.from, ALL_HINTS.to);
    this.liveness = new Liveness(config.detector);
    this.handoff = new HandoffScheduler(storage);
    this.membershipValue = null;
    this.bucketTable = this.loadJson(META_BUCKETS) as BucketTable | null ?? EMPTY_BUCKET_TABLE;
    this.actors = new ActorEpochs(config.actor, Number(this.loadJson(META_ACTOR_EPOCH) ?? 0), (ceiling) =>
      this.store.put(metaKey(META_ACTOR_EPOCH), Buffer.from(JSON.stringify(ceiling))),
    );
    this.sync = new PartitionSync(this.syncHost());
    const stored = parseMembership(this.loadJson(META_MEMBERSHIP));
    if (stored !== null) this.adoptMembership(stored, false);
    this.agent = new MembershipAgent(config, this.clusterHost(), rng, nowMs);
  }

  // ---- driving -------------------------------------------------------------------------------

  step(input: NodeInput, nowMs: number): void {
    this.nowMs = Math.max(this.nowMs, nowMs);
    this.store.beginStep();
    try {
      this.apply(input);
      if (this.waitingForCluster.length > 0) this.releaseWaiting();
    } finally {
      this.store.endStep();
    }
  }

  private apply(input: NodeInput): void {
    switch (input.kind) {
      case 'client': {
        const ref: ClientRef = { kind: 'local', requestId: input.requestId };
        if (this.membershipValue === null) this.waitForCluster(ref, input.request);
        else handleClientRequest(this, ref, input.request, true);
        break;
      }
      case 'peer':
        this.onEnvelope(input.from, input.envelope);
        break;
      case 'peerUp': {
        const node = this.addressIndex.get(input.address);
        if (node !== undefined) this.liveness.connectionUp(node);
        break;
      }
      case 'peerDown':
        this.onPeerDown(input.address);
        break;
      case 'tick':
        this.tick();
        break;
      case 'leave':
        this.startLeaving();
        break;
      case 'join':
        this.agent.addSeed(input.seed);
        break;
      default:
        assertNever(input, 'node input');
    }
  }

  /**
   * A request that reaches a node before it has joined a cluster (it is starting, or waiting for
   * its seeds) waits up to the request timeout for the join instead of failing at once: clients
   * and load balancers that send to a node as soon as it listens then see no spurious 503.
   */
  private waitForCluster(ref: ClientRef, request: ClientRequest): void {
    if (this.waitingForCluster.length >= this.config.maxPendingRequests) {
      return this.respond(ref, clientError('overloaded', 'too many requests are waiting for this node to join a cluster'));
    }
    this.waitingForCluster.push({ ref, request, untilMs: this.nowMs + this.config.requestTimeoutMs });
  }

  private releaseWaiting(): void {
    const waiting = this.waitingForCluster;
    this.waitingForCluster = [];
    for (const w of waiting) {
      if (this.membershipValue !== null) handleClientRequest(this, w.ref, w.request, true);
      else if (w.untilMs <= this.nowMs) this.respond(w.ref, clientError('unavailable', 'this node has not joined a cluster yet'));
      else this.waitingForCluster.push(w);
    }
  }

  /** Takes the effects produced since the last drain (a shared, frozen empty set when there are none). */
  drain(): Effects {
    return this.out.take();
  }

  private tick(): void {
    this.expireOperations();
    this.agent.tick(this.nowMs);
    if (this.nowMs - this.lastHandoffMs >= this.config.handoffIntervalMs && this.membershipValue !== null) {
      this.lastHandoffMs = this.nowMs;
      this.handoff.scan(this, (op) => this.launch(op), (hint) => this.routeHint(hint));
    }
    this.reaper.tick(this);
    this.sync.tick();
  }

  private expireOperations(): void {
    for (const op of this.ops.values()) {
      if (op.deadlineMs > this.nowMs) continue;
      op.onDeadline();
      this.settle(op);
    }
  }

  // ---- peer messages -------------------------------------------------------------------------

  private onEnvelope(fromAddress: PeerAddress, envelope: Envelope): void {
    const from = envelope.from;
    this.liveness.heard(from, this.nowMs);
    const body = envelope.body;
    switch (body.type) {
      case MessageType.ReplicaWrite:
        return this.onReplicaWrite(from, fromAddress, body);
      case MessageType.WriteAck:
        return this.withOp(body.id, (op) => (op.kind === 'put' || op.kind === 'handoff') && op.onAck(from, body.ok));
      case MessageType.ReplicaRead: {
        this.metrics.replicaReads++;
        const set = this.store.readAnyEncoded({ hash: body.hash, bucket: body.bucket, key: body.key });
        return this.sendTo(fromAddress, { type: MessageType.ReadReply, id: body.id, set: set ?? null });
      }
      case MessageType.ReadReply:
        return this.withOp(body.id, (op) => op.kind === 'get' && op.onReply(from, body.set));
      case MessageType.Forward: {
        const request = validateClientRequest(body.request);
        const ref: ClientRef = { kind: 'forwarded', node: from, address: fromAddress, id: body.id };
        if (typeof request === 'string') return this.respond(ref, { ok: false, error: 'bad_request', message: request });
        return handleClientRequest(this, ref, request, false);
      }
      case MessageType.ForwardReply:
        return this.withOp(body.id, (op) => op.kind === 'forward' && op.onForwardReply(from, body.response));
      case MessageType.Heartbeat:
        return this.agent.onHeartbeat(from, fromAddress, body);
      case MessageType.Gossip:
        return this.agent.onGossip(fromAddress, body);
      case MessageType.JoinRequest:
        return this.agent.onJoinRequest(fromAddress, body);
      case MessageType.JoinReply:
        return this.agent.onJoinReply(fromAddress, body, this.nowMs);
      case MessageType.Reap:
        return this.reaper.apply(this, body.bucket, body.key, body.digest);
      case MessageType.TreeRequest:
        return this.answerTree(fromAddress, body);
      case MessageType.KeysRequest:
        return this.answerKeys(fromAddress, body);
      case MessageType.Exchange:
        return this.answerExchange(fromAddress, body);
      case MessageType.TreeReply:
        return this.withOp(body.id, (op) => op.kind === 'exchange' && op.onTreeReply(from, body));
      case MessageType.KeysReply:
        return this.withOp(body.id, (op) => op.kind === 'exchange' && op.onKeysReply(from, body));
      case MessageType.ExchangeReply:
        return this.withOp(body.id, (op) => op.kind === 'exchange' && op.onExchangeReply(from, body));
      default:
        assertNever(body, 'peer message');
    }
  }

  private onReplicaWrite(from: NodeId, fromAddress: PeerAddress, body: Extract<PeerMessage, { type: 1 }>): void {
    let ok = true;
    try {
      const identity = { hash: body.hash, bucket: body.bucket, key: body.key };
      const merge = { lww: this.props(body.bucket).conflict === 'lww', maxClockEntries: this.config.maxClockEntries };
      if (body.hintFor === null || body.hintFor === this.selfId) this.store.mergeWrite(identity, body.set, body.base, merge);
      else {
        this.store.mergeHint(identity, body.hintFor, decodeSiblingSet(body.set), merge);
        this.metrics.hintsStored++;
      }
    } catch (err) {
      ok = false;
      this.metrics.badMessages++;
      this.log('warn', 'rejected a replica write', { from, error: (err as Error).message });
    }
    if (body.id !== 0) this.sendTo(fromAddress, { type: MessageType.WriteAck, id: body.id, ok });
  }

  // ---- anti-entropy responder (stateless: answers from the trees and storage) --------------------

  private answerTree(to: PeerAddress, body: Extract<PeerMessage, { type: 12 }>): void {
    const index = this.merkle;
    if (index === null || !this.validPartition(body.partition)) return;
    const tree = index.tree(body.partition);
    const { fanout, depth } = tree.shape;
    const width = fanout ** body.level;
    if (body.level < 0 || body.level >= depth || body.indices.some((i) => i < 0 || i >= width)) return;
    const hashes = body.indices.map((i) => Buffer.concat(tree.childHashes(body.level, i)));
    this.sendTo(to, { type: MessageType.TreeReply, id: body.id, hashes });
  }

  private answerKeys(to: PeerAddress, body: Extract<PeerMessage, { type: 14 }>): void {
    const index = this.merkle;
    if (index === null || !this.validPartition(body.partition)) return;
    const leaves = index.shape.fanout ** index.shape.depth;
    if (body.leaves.some((l) => l < 0 || l >= leaves)) return;
    const entries: [string, string, Uint8Array][] = [];
    for (const leaf of body.leaves) {
      for (const e of leafEntries(this.storage, index, body.partition, leaf)) entries.push([e.bucket, e.key, Buffer.from(e.digest, 'hex')]);
    }
    this.sendTo(to, { type: MessageType.KeysReply, id: body.id, entries });
  }

  private answerExchange(to: PeerAddress, body: Extract<PeerMessage, { type: 16 }>): void {
    for (const [bucket, key, encoded] of body.push) this.mergeReceived(bucket, key, encoded);
    const sets: [string, string, Uint8Array][] = [];
    for (const [bucket, key] of body.want) {
      const raw = this.store.getRaw(dataKey(identify(bucket, key)));
      if (raw !== undefined) sets.push([bucket, key, raw]);
    }
    this.sendTo(to, { type: MessageType.ExchangeReply, id: body.id, sets });
  }

  private validPartition(p: number): boolean {
    return this.membershipValue !== null && Number.isInteger(p) && p >= 0 && p < this.membershipValue.partitions;
  }

  /** Merges a sibling set that arrived by anti-entropy or transfer into this node's data. */
  private mergeReceived(bucket: string, key: string, encoded: Uint8Array): void {
    try {
      const set = decodeSiblingSet(encoded);
      this.store.mergeData(identify(bucket, key), set, { lww: this.props(bucket).conflict === 'lww', maxClockEntries: this.config.maxClockEntries });
    } catch {
      this.metrics.badMessages++;
    }
  }

  private syncHost(): ConstructorParameters<typeof PartitionSync>[0] {
    return {
      ctx: this,
      membership: () => this.membershipValue,
      ring: () => this.ring,
      index: () => this.merkle,
      exchangeDeps: (): ExchangeDeps | null =>
        this.merkle === null ? null : { ctx: this, index: this.merkle, storage: this.storage, mergeReceived: (b, k, e) => this.mergeReceived(b, k, e) },
      launch: (op) => this.launch(op),
      markSelf: (state) => this.markSelf(state),
      deleteKey: (key) => this.store.put(key, null),
    };
  }

  private markSelf(state: 'up' | 'left'): void {
    const m = this.membershipValue;
    if (m === null) return;
    const next = updateMember(m, this.selfId, { state });
    if (next === m) return;
    this.adoptMembership(next, true);
    this.agent.broadcast();
    if (state === 'left') this.leftAtMs = this.nowMs;
  }

  /**
   * True once this node has left the cluster and the others know it: every live member's heartbeat
   * carries the membership in which it is `left` (or, at worst, LEAVE_LINGER_MAX_MS passed). A node
   * that stopped before its last gossip arrived would stay `leaving` in everyone else's view forever.
   */
  hasLeft(): boolean {
    if (this.leftAtMs === null || this.membershipValue === null) return false;
    const waited = this.nowMs - this.leftAtMs;
    if (waited < this.config.leaveLingerMs) return false;
    return waited >= LEAVE_LINGER_MAX_MS || this.agent.everyoneHasSeen(this.membershipValue);
  }

  private withOp(id: number, handle: (op: Operation) => unknown): void {
    const op = this.ops.get(id);
    if (op === undefined) return;
    handle(op);
    this.settle(op);
  }

  private settle(op: Operation): void {
    if (!op.done) return;
    this.ops.delete(op.id);
    if (op.kind === 'handoff') this.handoff.finished(op);
  }

  private onPeerDown(address: PeerAddress): void {
    const node = this.addressIndex.get(address);
    if (node === undefined) return;
    this.liveness.connectionLost(node);
    for (const op of this.ops.values()) {
      op.onPeerDown(node);
      this.settle(op);
    }
  }

  // ---- NodeContext / CoordinationHost ---------------------------------------------------------

  now(): number {
    return this.nowMs;
  }

  isUp(node: NodeId): boolean {
    return node === this.selfId || this.liveness.isUp(node, this.nowMs);
  }

  send(node: NodeId, body: PeerMessage): boolean {
    if (node === this.selfId) return false;
    const member = this.membershipValue === null ? undefined : getMember(this.membershipValue, node);
    if (member === undefined) return false;
    this.out.message({ to: member.address, toNode: node, body });
    return true;
  }

  sendTo(address: PeerAddress, body: PeerMessage): void {
    this.out.message({ to: address, toNode: this.addressIndex.get(address) ?? null, body });
  }

  respond(ref: ClientRef, response: ClientResponse): void {
    if (ref.kind === 'local') this.out.reply({ requestId: ref.requestId, response });
    else this.sendTo(ref.address, { type: MessageType.ForwardReply, id: ref.id, response });
  }

  log(level: LogEvent['level'], msg: string, fields: Record<string, unknown> = {}): void {
    this.out.log({ level, msg, fields });
  }

  nextOpId(): number {
    this.opCounter = this.opCounter >= 0x7fff_ffff ? 1 : this.opCounter + 1;
    return this.opCounter;
  }

  props(bucket: string): BucketProps {
    return bucketProps(this.bucketTable, bucket, this.config.bucketDefaults ?? DEFAULT_BUCKET_PROPS);
  }

  ringReplicas(): number {
    return this.membershipValue?.replicas ?? this.config.replicas;
  }

  launch(op: Operation): void {
    if (op.kind !== 'handoff' && op.kind !== 'exchange' && this.ops.size >= this.config.maxPendingRequests) {
      this.respond(op.clientRef, { ok: false, error: 'overloaded', message: 'too many requests in flight on this node' });
      return;
    }
    this.ops.set(op.id, op);
    op.start();
    this.settle(op);
  }

  private get ring(): Ring | null {
    if (this.ringCache === null && this.membershipValue !== null) this.ringCache = new Ring(assignmentOf(this.membershipValue));
    return this.ringCache;
  }

  placement(identity: KeyIdentity, n: number): Placement | null {
    const ring = this.ring;
    if (ring === null) return null;
    const partition = partitionOfIdentity(identity, ring.assignment.partitions);
    const cacheKey = partition * 32 + n;
    let p = this.placements.get(cacheKey);
    if (p === undefined) {
      const list = ring.preferenceList(partition);
      p = { partition, primaries: list.slice(0, n), fallbacks: list.slice(n) };
      this.placements.set(cacheKey, p);
    }
    return p;
  }

  actorFor(local: SiblingSet | undefined): string {
    return this.actors.actorFor(local);
  }

  changeBucket(bucket: string, props: BucketProps): void {
    this.setBuckets(setBucket(this.bucketTable, bucket, { props, updatedAtMs: this.nowMs, updatedBy: this.selfId }));
    this.agent.broadcast();
  }

  scheduleReap(bucket: string, key: string, tombstoneDigest: Uint8Array, primaries: readonly NodeId[]): void {
    this.reaper.schedule(this, bucket, key, tombstoneDigest, primaries);
  }

  // ---- cluster metadata ------------------------------------------------------------------------

  private clusterHost(): ConstructorParameters<typeof MembershipAgent>[1] {
    return {
      membership: () => this.membershipValue,
      setMembership: (m) => this.adoptMembership(m, true),
      buckets: () => this.bucketTable,
      setBuckets: (t) => this.setBuckets(t),
      sendTo: (address, body) => this.sendTo(address, body),
      send: (node, body) => this.send(node, body),
      isUp: (node) => this.isUp(node),
      log: (level, msg, fields) => this.log(level, msg, fields),
    };
  }

  private adoptMembership(m: Membership, persist: boolean): void {
    this.membershipValue = m;
    this.ringCache = null;
    if (this.merkle === null) this.merkle = MerkleIndex.build(this.storage, m.partitions);
    this.placements.clear();
    this.addressIndex.clear();
    for (const member of m.members) this.addressIndex.set(member.address, member.id);
    if (persist) this.store.put(metaKey(META_MEMBERSHIP), Buffer.from(JSON.stringify(m)));
  }

  private setBuckets(t: BucketTable): void {
    this.bucketTable = t;
    this.store.put(metaKey(META_BUCKETS), Buffer.from(JSON.stringify(t)));
  }

  private loadJson(name: string): unknown {
    const raw = this.storage.get(metaKey(name));
    if (raw === undefined) return null;
    try {
      return JSON.parse(Buffer.from(raw).toString('utf8')) as unknown;
    } catch {
      this.log('error', 'unreadable metadata in storage; ignoring it', { name });
      return null;
    }
  }

  private selfState(): string | undefined {
    return this.membershipValue === null ? undefined : getMember(this.membershipValue, this.selfId)?.state;
  }

  /** Where a held hint goes now (see HandoffScheduler.scan). */
  private routeHint(hint: ParsedKey): HintRoute {
    const owner = hint.target!;
    const member = this.membershipValue === null ? undefined : getMember(this.membershipValue, owner);
    if (member !== undefined && member.state !== 'left') {
      if (this.isUp(owner)) return { to: owner, hintFor: null };
      if (this.selfState() !== 'leaving') return null;
      const via = this.relayFor(owner);
      return via === undefined ? null : { to: via, hintFor: owner };
    }
    // The owner left: the key's data belongs with its current primaries.
    const placement = this.placement(hint, this.props(hint.bucket).n);
    if (placement === null) return null;
    if (placement.primaries.includes(this.selfId)) return 'self';
    const to = placement.primaries.find((p) => this.isUp(p));
    return to === undefined ? null : { to, hintFor: null };
  }

  /** Another live member to hold a hint for a down owner while this node leaves. */
  private relayFor(owner: NodeId): NodeId | undefined {
    const m = this.membershipValue;
    if (m === null) return undefined;
    return m.members.find((x) => x.id !== this.selfId && x.id !== owner && (x.state === 'up' || x.state === 'joining') && this.isUp(x.id))?.id;
  }

  /** Keys stored here per partition (a scan, for tests and operators). */
  keyCounts(): { total: number; bytes: number; partitions: Record<number, number> } {
    const q = this.membershipValue?.partitions ?? 0;
    const partitions: Record<number, number> = {};
    let total = 0;
    let bytes = 0;
    for (let p = 0; p < q; p++) {
      const { from, to } = partitionDataRange(p, q);
      let n = 0;
      for (const { key, value } of this.storage.range(from, to)) {
        n++;
        bytes += key.length + value.length;
      }
      if (n > 0) partitions[p] = n;
      total += n;
    }
    return { total, bytes, partitions };
  }

  /** Every bucket's properties as this node holds them (for `dynamo backup`). */
  bucketTableView(): BucketTable {
    return this.bucketTable;
  }

  /** A page of one partition's stored sets, data and hints, for `dynamo backup` (partition-dump.ts); null for no such partition. */
  partitionPage(partition: number, after: Uint8Array | null, limit: number, buckets: ReadonlySet<string> | null): PartitionPage | null {
    const m = this.membershipValue;
    if (m === null || !this.validPartition(partition)) return null;
    return partitionPage(this.storage, partition, m.partitions, after, limit, buckets);
  }

  private startLeaving(): void {
    const m = this.membershipValue;
    if (m === null) return;
    const self = getMember(m, this.selfId);
    if (self === undefined || self.state === 'leaving' || self.state === 'left') return;
    this.log('info', 'leaving the cluster: handing partitions over', {});
    this.adoptMembership(updateMember(m, this.selfId, { state: 'leaving' }), true);
    this.agent.broadcast();
  }

  /** The partition table and the members' addresses: what a partition-aware client needs. */
  ringView(): RingView | null {
    const m = this.membershipValue;
    const ring = this.ring;
    if (m === null || ring === null) return null;
    return {
      partitions: m.partitions,
      replicas: m.replicas,
      owners: ring.assignment.owners.map((o) => [...o]),
      members: m.members
        .filter((x) => x.state !== 'left')
        .map((x) => ({ id: x.id, httpAddress: x.httpAddress, clientAddress: x.clientAddress, up: this.isUp(x.id) })),
      version: digest(m),
    };
  }

  // ---- views for the API -------------------------------------------------------------------------

  /** True once the node belongs to a cluster and can coordinate requests. */
  isServing(): boolean {
    return this.membershipValue !== null;
  }

  membership(): Membership | null {
    return this.membershipValue;
  }

  cluster(): ClusterView | null {
    const ring = this.ring;
    if (this.membershipValue === null || ring === null) return null;
    return clusterView(this.selfId, this.membershipValue, ring, (id) => this.isUp(id));
  }

  /** What this node itself stores for a key, without asking anyone (debugging and tests). */
  localCopy(bucket: string, key: string): { data: ReturnType<LocalStore['readData']>; hints: ReturnType<LocalStore['readHints']> } {
    const id = identify(bucket, key);
    return { data: this.store.readData(id), hints: this.store.readHints(id) };
  }

  /** Hints held here per intended owner (a scan: for status, not for hot paths). */
  hintsByTarget(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { key } of this.storage.range(ALL_HINTS.from, ALL_HINTS.to)) {
      const target = parseKey(key)?.target;
      if (target) out[target] = (out[target] ?? 0) + 1;
    }
    return out;
  }

  pendingOperations(): number {
    return this.ops.size;
  }

  pendingReaps(): number {
    return this.reaper.pending;
  }

  phi(node: NodeId): number {
    return this.liveness.phi(node, this.nowMs);
  }

}
