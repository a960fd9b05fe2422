/**
 * One Dynamo node as a deterministic state machine. The driver feeds it inputs (client requests,
 * peer messages, connectivity changes, ticks) with the current time; the node reads its storage
 * synchronously and answers with effects (writes, messages, replies) that the driver applies in
 * the order "persist, then send". No sockets, timers, disks or clocks in here: the same class runs
 * in a real process (runtime/) and in the deterministic simulator (sim/).
 */
import { DEFAULT_BUCKET_PROPS, bucketProps, bucketType, setBucket, type BucketProps, type BucketTable } from '../core/buckets/index.js';
import { assert, assertNever } from '../core/assert.js';
import type { NodeId, PeerAddress } from '../core/ids.js';
import { IdTable } from '../core/id-table.js';
import { activeMembers, digest, getMember, updateMember, type Membership } from '../core/membership/index.js';
import type { Rng } from '../core/random.js';
import type { Ring } from '../core/ring/index.js';
import { PlacementCache } from './placement.js';
import type { NodeOperation } from './operation.js';
import { loadActorEpochCeiling, loadRetiredActors, saveRetiredActors, loadAliveMark, loadClusterId, loadUsers, saveClusterId, saveUsers, loadBuckets, loadMembership, saveActorEpochCeiling, saveAliveMark, saveBuckets, saveMembership, type MetadataLog } from './metadata.js';
import type { SiblingSet } from '../core/versions/index.js';
import { MessageType, type Envelope, type PeerMessage } from '../protocol/messages.js';
import { clientError, type ClientRequest, type ClientResponse } from '../protocol/requests.js';
import { validateClientRequest } from '../protocol/validate-request.js';
import { handleClientRequest, type CoordinationHost } from './coordinator/client-requests.js';
import type { NodeConfig } from './config.js';
import type { ClientRef, Placement } from './context.js';
import { EffectsBuilder, type Effects, type LogEvent } from './effects.js';
import { FORWARD_SLACK_MS, ForwardOperation } from './coordinator/forward.js';
import { invariantProblems } from './invariants.js';
import { GetOperation } from './coordinator/get.js';
import { HandoffOperation, HandoffScheduler } from './handoff/handoff.js';
import { ALL_HINTS, identify, partitionOfIdentity, type KeyIdentity } from './keys.js';
import { Liveness } from './gossip/liveness.js';
import { LocalStore } from './replica/local-store.js';
import { LEAVE_LINGER_MAX_MS, MembershipAgent } from './gossip/membership-agent.js';

import { newMetrics, type NodeMetrics } from './metrics.js';
import { PutOperation } from './coordinator/put.js';
import { Reaper, type ReapHost } from './replica/reaper.js';
import type { ReapOperation } from './replica/reap-operation.js';
import { DEFAULT_SHAPE } from '../core/merkle/index.js';
import { ReplicaClasses, holdsClass } from './replica/replica-classes.js';
import { AliveMark } from './replica/alive-mark.js';
import { ActorEpochs } from './replica/actors.js';
import { ExchangeOperation, type ExchangeDeps } from './anti-entropy/exchange.js';
import { answerExchange, answerKeys, answerTree, mergeReceived, type ResponderHost } from './anti-entropy/responder.js';
import { applyReplicaWrite, type ReplicaWriteHost } from './replica/replica-write.js';
import { routeHint, type HintRoutingHost } from './handoff/hint-routing.js';
import { MerkleIndex } from './anti-entropy/merkle-index.js';
import { PartitionSync } from './transfer/partition-sync.js';
import { ExpirySweep } from './replica/expiry-sweep.js';
import { dropIfPastGrace } from './replica/expired-sets.js';
import { ListKeysOperation } from './listing/list-keys.js';
import { LIST_LIMIT_MAX, listStep, validAfter, type ListStep } from './listing/key-listing.js';
import { partitionPage, type PartitionPage } from './backup/partition-dump.js';
import type { StorageView } from './storage-view.js';
import { clusterView, hintsByTargetOf, keyCountsOf, type ClusterView, type KeyCounts, type RingView } from './views.js';
import { UsersAgent, type UserChange } from './gossip/users-agent.js';

export type NodeInput =
  | { readonly kind: 'client'; readonly requestId: number; readonly request: ClientRequest }
  | { readonly kind: 'peer'; readonly from: PeerAddress; readonly envelope: Envelope }
  | { readonly kind: 'peerUp'; readonly address: PeerAddress }
  | { readonly kind: 'peerDown'; readonly address: PeerAddress }
  | { readonly kind: 'tick' }
  /** An operator asked this node to leave the cluster (decommission). */
  | { readonly kind: 'leave' }
  /** An operator gave this node a seed to join through. */
  | { readonly kind: 'join'; readonly seed: PeerAddress }
  /** An operator created, changed or removed a user (security/…; the hash was made at the edge). */
  | { readonly kind: 'user'; readonly name: string; readonly change: UserChange };

/** Every kind of operation in flight, each of the one shape of operation.ts (the union lets replies narrow by kind). */
type Operation = (GetOperation | PutOperation | ForwardOperation | HandoffOperation | ExchangeOperation | ReapOperation | ListKeysOperation) & NodeOperation;

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
  private readonly placements = new PlacementCache();
  private readonly addressIndex = new Map<PeerAddress, NodeId>();
  private readonly liveness: Liveness;
  private readonly agent: MembershipAgent;
  readonly users: UsersAgent;
  private clusterIdValue: string | null;
  private readonly handoff: HandoffScheduler;
  private readonly reaper: Reaper;
  private readonly reapHost: ReapHost;
  private readonly expirySweep: ExpirySweep;
  private readonly actors: ActorEpochs;
  private lastHandoffMs = -Infinity;
  private merkle: MerkleIndex | null = null;
  /** Which owners hold which bucket's keys (replica-classes.ts); follows the bucket table. */
  private classes: ReplicaClasses;
  readonly sync: PartitionSync;
  private leftAtMs: number | null = null;
  private readonly responder: ResponderHost;
  private readonly replicaHost: ReplicaWriteHost;
  private readonly hintRouting: HintRoutingHost;
  private readonly alive: AliveMark;
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
    this.reaper = new Reaper(storage);
    this.reapHost = { ctx: this, placement: (identity, n) => this.placement(identity, n), launch: (op) => this.launch(op) };
    this.membershipValue = null;
    const logError: MetadataLog = (msg, fields) => this.log('error', msg, fields);
    this.clusterIdValue = loadClusterId(storage, logError);
    this.bucketTable = loadBuckets(storage, logError);
    this.classes = new ReplicaClasses(this.bucketTable, config.bucketDefaults ?? DEFAULT_BUCKET_PROPS, config.replicas);
    this.actors = new ActorEpochs(config.actor, loadActorEpochCeiling(storage, logError), (ceiling) => saveActorEpochCeiling(this.store, ceiling), loadRetiredActors(storage, logError), (retired) => saveRetiredActors(this.store, retired));
    this.sync = new PartitionSync(this.syncHost());
    this.alive = new AliveMark(loadAliveMark(storage, logError));
    this.expirySweep = new ExpirySweep({
      ctx: this,
      storage,
      placement: (identity, n) => this.placement(identity, n),
      scheduleReap: (bucket, key, setDigest, goneAtMs) => this.scheduleReap(bucket, key, setDigest, goneAtMs),
    });
    this.responder = this.responderHost();
    this.replicaHost = { ctx: this, isMember: (node) => this.isMember(node), sendTo: (a, b) => this.sendTo(a, b) };
    this.hintRouting = { ctx: this, membership: () => this.membershipValue, placement: (id, n) => this.placement(id, n) };
    const stored = loadMembership(storage, logError);
    if (stored !== null) this.adoptMembership(stored, false);
    this.agent = new MembershipAgent(config, this.clusterHost(), rng, nowMs);
    this.users = new UsersAgent(this.selfId, config.gossipIntervalMs, this.usersHost(), rng, loadUsers(storage, logError));
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
      case 'user':
        if (!this.users.change(input.name, input.change, this.nowMs)) this.log('warn', 'refused a user change: the users table is full', { name: input.name });
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
      this.metrics.operationsRefused++;
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

  /**
   * Asserts everything that must hold between steps (invariants.ts). The simulator calls it after
   * every step of every node; it reads the whole hint store, so the real runtime does not.
   */
  invariants(): void {
    const problems = invariantProblems({
      selfId: this.selfId,
      nowMs: this.nowMs,
      membership: this.membershipValue,
      buckets: this.bucketTable,
      operations: this.ops.values().map((op) => ({ filedUnderOwnId: this.ops.get(op.id) === op, id: op.id, done: op.done, deadlineMs: op.deadlineMs })),
      operationSpanMaxMs: this.config.requestTimeoutMs + FORWARD_SLACK_MS,
      hintCount: this.store.hintCount,
      hintsStored: this.storage.count(ALL_HINTS.from, ALL_HINTS.to),
      reapDueTimes: this.reaper.dueTimes(),
      placements: this.placements.entries(),
      ring: this.membershipValue === null ? null : this.ring,
      addressIndex: this.addressIndex,
      livenessIds: this.liveness.ids(),
      waitingForCluster: this.waitingForCluster.length,
    });
    assert(problems.length === 0, `node ${this.selfId} breaks its invariants: ${problems.join('; ')}`);
  }

  /** Takes the effects produced since the last drain (a shared, frozen empty set when there are none). */
  drain(): Effects {
    return this.out.take();
  }

  private tick(): void {
    this.expireOperations();
    this.agent.tick(this.nowMs);
    this.users.tick(this.nowMs);
    if (this.nowMs - this.lastHandoffMs >= this.config.handoffIntervalMs && this.membershipValue !== null) {
      this.lastHandoffMs = this.nowMs;
      this.handoff.scan(this, (op) => this.launch(op), (hint) => routeHint(this.hintRouting, hint));
    }
    this.reaper.tick(this.reapHost);
    if (this.membershipValue !== null) this.expirySweep.tick();
    this.sync.tick();
    this.alive.tick(this.nowMs, this.config.tombstoneGraceMs, (now) => saveAliveMark(this.store, now));
  }

  /** How long before `nowMs` the previous run of this node last noted it was alive (alive-mark.ts); null for a new node. */
  awayMs(nowMs: number): number | null {
    return this.alive.awayMs(nowMs);
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
    // Only members have liveness state: a stranger's made-up sender ids must not grow the table.
    if (this.isMember(from)) this.liveness.heard(from, this.nowMs);
    const body = envelope.body;
    switch (body.type) {
      case MessageType.ReplicaWrite:
        return applyReplicaWrite(this.replicaHost, from, fromAddress, body);
      case MessageType.WriteAck:
        return this.withOp(body.id, (op) => (op.kind === 'put' || op.kind === 'handoff') && op.onAck(from, body.ok));
      case MessageType.ReplicaRead: {
        this.metrics.replicaReads++;
        const keepJoins = this.store.hintCount > 0 && bucketType(this.props(body.bucket)) !== 'kv';
        const set = this.store.readAnyEncoded({ hash: body.hash, bucket: body.bucket, key: body.key }, keepJoins);
        return this.sendTo(fromAddress, { type: MessageType.ReadReply, id: body.id, set: set ?? null });
      }
      case MessageType.ReadReply:
        return this.withOp(body.id, (op) => (op.kind === 'get' || op.kind === 'reap') && op.onReply(from, body.set));
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
        return answerTree(this.responder, fromAddress, body);
      case MessageType.KeysRequest:
        return answerKeys(this.responder, fromAddress, body);
      case MessageType.Exchange:
        return answerExchange(this.responder, fromAddress, body);
      case MessageType.TreeReply:
        return this.withOp(body.id, (op) => op.kind === 'exchange' && op.onTreeReply(from, body));
      case MessageType.KeysReply:
        return this.withOp(body.id, (op) => op.kind === 'exchange' && op.onKeysReply(from, body));
      case MessageType.ExchangeReply:
        return this.withOp(body.id, (op) => op.kind === 'exchange' && op.onExchangeReply(from, body));
      case MessageType.ListKeys: {
        if (!this.isPartition(body.partition) || body.limit < 1 || body.limit > LIST_LIMIT_MAX || !validAfter(body.after)) {
          this.metrics.badMessages++;
          return;
        }
        const step = this.localStep(body.bucket, body.partition, body.after, body.limit);
        return this.sendTo(fromAddress, { type: MessageType.ListKeysReply, id: body.id, keys: step.keys, resumeAfter: step.resumeAfter });
      }
      case MessageType.ListKeysReply:
        return this.withOp(body.id, (op) => op.kind === 'listKeys' && op.onReply(from, body));
      case MessageType.UsersDigest:
        return this.users.onDigest(from, body);
      case MessageType.UsersSync:
        return this.users.onSync(from, body);
      default:
        assertNever(body, 'peer message');
    }
  }

  private isPartition(p: number): boolean {
    return this.membershipValue !== null && Number.isInteger(p) && p >= 0 && p < this.membershipValue.partitions;
  }

  private isMember(node: NodeId): boolean {
    return this.membershipValue !== null && getMember(this.membershipValue, node) !== undefined;
  }

  private responderHost(): ResponderHost {
    return {
      ctx: this,
      storage: this.storage,
      index: () => this.merkle,
      partitions: () => this.membershipValue?.partitions ?? null,
      sendTo: (a, b) => this.sendTo(a, b),
      replicaOfClass: (partition, n) => this.replicaOfClass(partition, n),
      classOfBucket: (bucket) => this.classes.classOfBucket(bucket),
      placement: (identity, n) => this.placement(identity, n),
    };
  }

  /** A replica of class n of the partition: among its first n owners (replica-classes.ts). */
  private replicaOfClass(partition: number, n: number): boolean {
    const ring = this.ring;
    if (ring === null || !Number.isInteger(n) || n < 1 || n > this.classes.ringN) return false;
    return holdsClass(ring.owners(partition), this.selfId, n);
  }


  private syncHost(): ConstructorParameters<typeof PartitionSync>[0] {
    return {
      ctx: this,
      membership: () => this.membershipValue,
      ring: () => this.ring,
      index: () => this.merkle,
      exchangeDeps: (): ExchangeDeps | null =>
        this.merkle === null
          ? null
          : {
              ctx: this,
              index: this.merkle,
              storage: this.storage,
              mergeReceived: (b, k, e) => mergeReceived(this.responder, b, k, e) === 'kept',
              classOfBucket: (b) => this.classes.classOfBucket(b),
              dropExpired: (b, k) => dropIfPastGrace(this, b, k),
            },
      launch: (op) => this.launch(op),
      markSelf: (state) => this.markSelf(state),
      deleteKey: (key) => this.store.put(key, null),
      retirePartition: (p) => this.actors.retirePartition(p),
      classesInUse: () => this.classes.inUse,
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

  /** Whether the bucket's properties were ever set (otherwise `props` gives the defaults). */
  hasBucketProps(bucket: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.bucketTable, bucket);
  }

  ringReplicas(): number {
    return this.membershipValue?.replicas ?? this.config.replicas;
  }

  launch(op: Operation): void {
    if (op.kind !== 'handoff' && op.kind !== 'exchange' && op.kind !== 'reap' && this.ops.size >= this.config.maxPendingRequests) {
      this.metrics.operationsRefused++;
      this.respond(op.clientRef, { ok: false, error: 'overloaded', message: 'too many requests in flight on this node' });
      return;
    }
    this.ops.set(op.id, op);
    op.start();
    this.settle(op);
  }

  private get ring(): Ring | null {
    return this.placements.ring;
  }

  placement(identity: KeyIdentity, n: number): Placement | null {
    return this.placements.placement(identity, n);
  }

  partitionCount(): number {
    return this.membershipValue?.partitions ?? 0;
  }

  partitionPrimaries(partition: number, n: number): readonly NodeId[] {
    return this.ring?.preferenceList(partition).slice(0, n) ?? [];
  }

  localStep(bucket: string, partition: number, after: Uint8Array | null, limit: number): ListStep {
    return listStep(this.storage, this.partitionCount(), bucket, partition, after, limit, this.nowMs, bucketType(this.props(bucket)) !== 'kv');
  }

  actorFor(local: SiblingSet | undefined, identity: KeyIdentity): string {
    const partitions = this.membershipValue?.partitions;
    return this.actors.actorFor(local, partitions === undefined ? undefined : partitionOfIdentity(identity, partitions));
  }

  fallbackActorFor(key: string, local: SiblingSet | undefined): string {
    return this.actors.fallbackActorFor(key, local);
  }

  mintedFallback(key: string, actor: string, counter: number): void {
    this.actors.mintedFallback(key, actor, counter);
  }

  changeBucket(bucket: string, props: BucketProps): void {
    this.setBuckets(setBucket(this.bucketTable, bucket, { props, updatedAtMs: this.nowMs, updatedBy: this.selfId }));
    this.agent.broadcast();
  }

  scheduleReap(bucket: string, key: string, tombstoneDigest: Uint8Array, goneAtMs: number): void {
    this.reaper.schedule(this, bucket, key, tombstoneDigest, goneAtMs);
  }

  // ---- cluster metadata ------------------------------------------------------------------------

  private clusterHost(): ConstructorParameters<typeof MembershipAgent>[1] {
    return {
      membership: () => this.membershipValue,
      setMembership: (m) => this.adoptMembership(m, true),
      buckets: () => this.bucketTable,
      setBuckets: (t) => this.setBuckets(t),
      clusterId: () => this.clusterIdValue,
      setClusterId: (id) => {
        this.clusterIdValue = id;
        saveClusterId(this.store, id);
      },
      sendTo: (address, body) => this.sendTo(address, body),
      send: (node, body) => this.send(node, body),
      isUp: (node) => this.isUp(node),
      log: (level, msg, fields) => this.log(level, msg, fields),
    };
  }

  private usersHost(): ConstructorParameters<typeof UsersAgent>[2] {
    return {
      peersUp: () => (this.membershipValue === null ? [] : activeMembers(this.membershipValue).map((m) => m.id).filter((id) => id !== this.selfId && this.isUp(id))),
      send: (node, body) => this.send(node, body),
      persist: (t) => saveUsers(this.store, t),
      log: (level, msg, fields) => this.log(level, msg, fields),
    };
  }

  private adoptMembership(m: Membership, persist: boolean): void {
    this.membershipValue = m;
    if (this.classes.ringN !== m.replicas) this.classes = new ReplicaClasses(this.bucketTable, this.config.bucketDefaults ?? DEFAULT_BUCKET_PROPS, m.replicas);
    if (this.merkle === null) this.merkle = MerkleIndex.build(this.storage, m.partitions, DEFAULT_SHAPE, (key) => this.classes.classOfKey(key));
    this.placements.reset(m);
    this.addressIndex.clear();
    for (const member of m.members) this.addressIndex.set(member.address, member.id);
    if (persist) saveMembership(this.store, m);
  }

  private setBuckets(t: BucketTable): void {
    this.bucketTable = t;
    saveBuckets(this.store, t);
    this.reclassify();
  }

  /**
   * Some bucket's n changed: its keys move to another class, so the trees are rebuilt (merkle-index.ts).
   * The rebuild reads the engine, which holds every earlier step's writes but not this step's; it
   * runs from a gossip merge or a bucket request, steps that write no data key before it.
   */
  private reclassify(): void {
    const next = new ReplicaClasses(this.bucketTable, this.config.bucketDefaults ?? DEFAULT_BUCKET_PROPS, this.membershipValue?.replicas ?? this.config.replicas);
    const changed = next.signature !== this.classes.signature;
    this.classes = next;
    if (!changed || this.merkle === null || this.membershipValue === null) return;
    this.merkle = MerkleIndex.build(this.storage, this.membershipValue.partitions, DEFAULT_SHAPE, (key) => this.classes.classOfKey(key));
    this.sync.reclassified();
    this.log('info', 'a bucket n changed: anti-entropy trees rebuilt by replica class', { classes: next.inUse });
  }

  /** Keys stored here per partition (a scan, for tests and operators). */
  keyCounts(): KeyCounts {
    return keyCountsOf(this.storage, this.membershipValue?.partitions ?? 0);
  }

  /** Every bucket's properties as this node holds them (for `dynamo backup`). */
  bucketTableView(): BucketTable {
    return this.bucketTable;
  }

  /** A page of one partition's stored sets, data and hints, for `dynamo backup` (partition-dump.ts); null for no such partition. */
  partitionPage(partition: number, after: Uint8Array | null, limit: number, buckets: ReadonlySet<string> | null): PartitionPage | null {
    const m = this.membershipValue;
    if (m === null || !this.isPartition(partition)) return null;
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

  /** The cluster-wide bucket table as this node holds it. */
  buckets(): BucketTable {
    return this.bucketTable;
  }

  membership(): Membership | null {
    return this.membershipValue;
  }

  cluster(): ClusterView | null {
    const ring = this.ring;
    if (this.membershipValue === null || ring === null) return null;
    return clusterView(this.selfId, this.membershipValue, ring, (id) => this.isUp(id));
  }

  /** The id of this node's cluster (minted at founding), null before it joined one. */
  clusterId(): string | null {
    return this.clusterIdValue;
  }

  /** What this node itself stores for a key, without asking anyone (debugging and tests). */
  localCopy(bucket: string, key: string): { data: ReturnType<LocalStore['readData']>; hints: ReturnType<LocalStore['readHints']> } {
    const id = identify(bucket, key);
    return { data: this.store.readData(id), hints: this.store.readHints(id) };
  }

  /** Hints held here per intended owner (a scan: for status, not for hot paths). */
  hintsByTarget(): Record<string, number> {
    return hintsByTargetOf(this.storage);
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
