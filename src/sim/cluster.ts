/**
 * A whole cluster of real DynamoNode state machines in one process, on virtual time: a seeded
 * network that delays, drops, duplicates, reorders and cuts messages (network.ts), storage that
 * loses uncommitted writes on a crash, node pauses and clock skew, and clients whose requests are
 * answered through the same effects as in production. Every choice comes from one seeded Rng and
 * every event goes through one queue ordered by (time, insertion), so a run replays exactly; a
 * hash of the events is the run's fingerprint and a ring of the latest ones explains a failure.
 *
 * Effects are applied as the runtime does: stage writes, commit, then send and reply. A "torn"
 * crash strikes in the middle of that: the step's writes are staged, never committed, and nothing
 * it meant to send leaves the node.
 */
import { createHash } from 'node:crypto';
import { assignmentOf, type Membership } from '../core/membership/index.js';
import { seededRng, type Rng } from '../core/random.js';
import { keyHash, partitionOf, Ring } from '../core/ring/index.js';
import { decodeSiblingSet, type SiblingSet } from '../core/versions/index.js';
import { buildNodeConfig, type NodeConfig } from '../node/config.js';
import { deliverEffects, stageWrites } from '../node/apply-effects.js';
import type { Effects } from '../node/effects.js';
import { ALL_DATA, ALL_HINTS, dataKey, identify } from '../node/keys.js';
import { DynamoNode, type NodeInput } from '../node/node.js';
import { decodeEnvelope, encodeEnvelope } from '../protocol/codec.js';
import { PROTOCOL_VERSION, type Envelope } from '../protocol/messages.js';
import { forgedSender } from '../node/gossip/peer-identity.js';
import type { ClientRequest, ClientResponse } from '../protocol/requests.js';
import { createCrashableMemoryEngine } from '../storage/memory.js';
import { EventQueue } from './event-queue.js';
import { NO_FAULTS, SimNetwork, type NetworkFaults } from './network.js';
import { describeInput, messageName } from './describe.js';
import { RecentEvents } from './recent-events.js';

export { NO_FAULTS, type NetworkFaults } from './network.js';
export { messageName } from './describe.js';

export interface SimClusterOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly faults?: NetworkFaults;
  readonly config?: Partial<Omit<NodeConfig, 'self' | 'actor' | 'seeds'>>;
  readonly tickIntervalMs?: number;
  /** Virtual time at the start (a realistic epoch keeps timestamps positive under negative skew). */
  readonly startMs?: number;
  /** How many recent events to keep for a failure report. */
  readonly recentEvents?: number;
}

type Engine = ReturnType<typeof createCrashableMemoryEngine>;

interface SimNode {
  readonly id: string;
  readonly address: string;
  readonly engine: Engine;
  node: DynamoNode | null;
  incarnation: number;
  /** Bumped when the node's data is wiped: its actor id changes, as a real data directory's does. */
  dataGeneration: number;
  /** Skew of this node's clock against virtual time. */
  clockSkewMs: number;
  /** A paused process (SIGSTOP, a long GC) handles nothing until then; its events wait. */
  pausedUntilMs: number;
  /** Crash in the middle of the next step, after staging its writes and before committing them. */
  tornCrashPending: boolean;
  /** Stopped for good (it left the cluster). */
  stopped: boolean;
  seeds: readonly string[];
}

type SimEvent =
  /** `sender`: the node that really sent it (what its certificate names); the envelope may claim another. */
  | { readonly kind: 'deliver'; readonly to: string; readonly from: string; readonly sender: string; readonly bytes: Uint8Array; readonly incarnation: number }
  | { readonly kind: 'input'; readonly to: string; readonly input: NodeInput; readonly incarnation: number }
  | { readonly kind: 'tick'; readonly to: string; readonly incarnation: number }
  | { readonly kind: 'timer'; readonly label: string; readonly fn: () => void };

/** Background chatter kept out of the recent-events ring (it stays in the trace hash): the ring is for the data path and faults. */
const BACKGROUND = /Heartbeat|Gossip|Tree(Request|Reply)|Keys(Request|Reply)|Exchange/;

export type ReplyHandler = (response: ClientResponse, pending: PendingRequest) => void;

export interface PendingRequest {
  readonly id: number;
  readonly node: string;
  readonly request: ClientRequest;
  readonly sentMs: number;
  response: ClientResponse | null;
  answeredMs: number | null;
  /** The coordinating node crashed before answering: the request may or may not have been applied. */
  lostInCrash: boolean;
  readonly onReply?: ReplyHandler | undefined;
}

export class SimCluster {
  readonly rng: Rng;
  nowMs: number;
  readonly startMs: number;
  readonly recent: RecentEvents;
  readonly network: SimNetwork;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes = new Map<string, SimNode>();
  private readonly byAddress = new Map<string, SimNode>();
  private readonly requests = new Map<number, PendingRequest>();
  private requestCounter = 0;
  private readonly trace = createHash('sha256');
  private readonly tickIntervalMs: number;
  private readonly rings = new WeakMap<Membership, Ring>();
  eventsProcessed = 0;
  messagesSent = 0;

  constructor(private readonly options: SimClusterOptions) {
    this.rng = seededRng(options.seed);
    this.startMs = options.startMs ?? 0;
    this.nowMs = this.startMs;
    this.network = new SimNetwork(options.faults ?? NO_FAULTS);
    this.recent = new RecentEvents(options.recentEvents ?? 256);
    this.tickIntervalMs = options.tickIntervalMs ?? 20;
    const seeds = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}:7000`);
    for (let i = 1; i <= options.nodes; i++) this.addNode(`n${i}`, seeds);
  }

  /** Adds a node with empty storage; with seeds other than itself it joins through them. */
  addNode(id: string, seeds: readonly string[], engine: Engine = createCrashableMemoryEngine()): void {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists already`);
    const sim: SimNode = {
      id, address: `${id}:7000`, engine, node: null, incarnation: 0, dataGeneration: 1, clockSkewMs: 0,
      pausedUntilMs: -Infinity, tornCrashPending: false, stopped: false, seeds,
    };
    this.nodes.set(id, sim);
    this.byAddress.set(sim.address, sim);
    this.note(id, 'add', `seeds ${seeds.length}`);
    this.boot(sim);
  }

  private boot(sim: SimNode): void {
    sim.incarnation++;
    const config = buildNodeConfig(
      { self: { id: sim.id, address: sim.address, httpAddress: `${sim.id}:8000`, clientAddress: null, weight: 1 }, actor: `${sim.id}:d${sim.dataGeneration}`, seeds: sim.seeds },
      this.options.config,
    );
    sim.node = new DynamoNode(config, sim.engine, seededRng(this.rng.int(2 ** 31)), this.localTime(sim));
    this.applyEffects(sim, sim.node.drain());
    this.queue.push(this.nowMs + this.rng.int(this.tickIntervalMs), { kind: 'tick', to: sim.id, incarnation: sim.incarnation });
  }

  private localTime(sim: SimNode): number {
    return Math.max(0, this.nowMs + sim.clockSkewMs);
  }

  node(id: string): DynamoNode {
    const n = this.nodes.get(id)?.node;
    if (n === null || n === undefined) throw new Error(`node ${id} is not running`);
    return n;
  }

  nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  runningIds(): string[] {
    return [...this.nodes.values()].filter((s) => s.node !== null).map((s) => s.id);
  }

  isRunning(id: string): boolean {
    return this.nodes.get(id)?.node != null;
  }

  isPaused(id: string): boolean {
    return (this.nodes.get(id)?.pausedUntilMs ?? -Infinity) > this.nowMs;
  }

  // ---- faults --------------------------------------------------------------------------------

  setFaults(faults: NetworkFaults): void {
    this.network.setFaults(faults);
    this.note('-', 'faults', JSON.stringify(faults));
  }

  /** Crash: the process is gone; what it had not committed is lost. Peers see connections fail. */
  crash(id: string): void {
    const sim = this.simNode(id);
    if (sim.node === null) return;
    sim.node = null;
    sim.engine.crash();
    sim.tornCrashPending = false;
    sim.pausedUntilMs = -Infinity;
    this.note(id, 'crash');
    for (const other of this.nodes.values()) {
      if (other.node !== null) this.queue.push(this.nowMs + 1, { kind: 'input', to: other.id, input: { kind: 'peerDown', address: sim.address }, incarnation: other.incarnation });
    }
    for (const p of this.requests.values()) {
      if (p.node === id && p.response === null) {
        p.lostInCrash = true;
        this.answer(p, { ok: false, error: 'unavailable', message: `${id} crashed before answering` });
      }
    }
  }

  /** Crashes the node in the middle of its next step that writes: its writes staged but not committed, nothing sent. */
  crashDuringNextStep(id: string): void {
    const sim = this.simNode(id);
    if (sim.node !== null) sim.tornCrashPending = true;
  }

  /** Forgets every torn crash not yet struck (the fault phase is over). */
  cancelPendingCrashes(): void {
    for (const sim of this.nodes.values()) sim.tornCrashPending = false;
  }

  restart(id: string): void {
    const sim = this.simNode(id);
    if (sim.node !== null || sim.stopped) return;
    this.note(id, 'restart');
    this.boot(sim);
  }

  pause(id: string, durationMs: number): void {
    const sim = this.simNode(id);
    if (sim.node === null) return;
    sim.pausedUntilMs = Math.max(sim.pausedUntilMs, this.nowMs + durationMs);
    this.note(id, 'pause', `${durationMs} ms`);
  }

  setClockSkew(id: string, skewMs: number): void {
    this.simNode(id).clockSkewMs = skewMs;
    this.note(id, 'skew', `${skewMs} ms`);
  }

  /** Cuts the network between the groups: messages across are silently lost. */
  split(groups: readonly (readonly string[])[]): void {
    this.network.split(groups);
    this.note('-', 'split', groups.map((g) => g.join(',')).join(' | '));
  }

  cutOneWay(from: readonly string[], to: readonly string[]): void {
    this.network.cutOneWay(from, to);
    this.note('-', 'cut', `${from.join(',')} -> ${to.join(',')}`);
  }

  heal(): void {
    this.network.heal();
    this.note('-', 'heal');
  }

  /** The operator asks `id` to leave the cluster. */
  leave(id: string): void {
    this.submitInput(id, { kind: 'leave' });
  }

  /** Stops a node for good (a node that left the cluster): it is never restarted. */
  stop(id: string): void {
    const sim = this.simNode(id);
    if (sim.node === null) return;
    this.crash(id);
    sim.stopped = true;
    this.note(id, 'stopped');
  }

  isStopped(id: string): boolean {
    return this.simNode(id).stopped;
  }

  // ---- clients and timers --------------------------------------------------------------------

  submit(node: string, request: ClientRequest, onReply?: ReplyHandler): PendingRequest {
    const sim = this.simNode(node);
    const pending: PendingRequest = { id: ++this.requestCounter, node, request, sentMs: this.nowMs, response: null, answeredMs: null, lostInCrash: false, onReply };
    this.requests.set(pending.id, pending);
    if (sim.node === null) {
      pending.response = { ok: false, error: 'unavailable', message: 'node is down' };
      pending.answeredMs = this.nowMs;
      this.requests.delete(pending.id);
      if (onReply !== undefined) this.at(0, 'refused', () => onReply(pending.response!, pending));
      return pending;
    }
    this.queue.push(this.nowMs, { kind: 'input', to: node, input: { kind: 'client', requestId: pending.id, request }, incarnation: sim.incarnation });
    return pending;
  }

  /** Feeds a node an operator input (leave, join) now. */
  submitInput(node: string, input: NodeInput): void {
    const sim = this.simNode(node);
    if (sim.node === null) return;
    this.note(node, 'operator', input.kind);
    this.queue.push(this.nowMs, { kind: 'input', to: node, input, incarnation: sim.incarnation });
  }

  /** Submits and runs until answered (or maxMs of virtual time). */
  call(node: string, request: ClientRequest, maxMs = 10_000): ClientResponse {
    const p = this.submit(node, request);
    this.runUntil(() => p.response !== null, maxMs);
    if (p.response === null) throw new Error(`no response within ${maxMs} ms to ${JSON.stringify(request.op)} on ${node}`);
    return p.response;
  }

  /** Runs `fn` after `delayMs` of virtual time, in order with every other event. */
  at(delayMs: number, label: string, fn: () => void): void {
    this.queue.push(this.nowMs + delayMs, { kind: 'timer', label, fn });
  }

  openRequests(): number {
    return this.requests.size;
  }

  // ---- inspection ----------------------------------------------------------------------------

  /** What a node holds as data for a key, read from its storage even while it is down. */
  localData(id: string, bucket: string, key: string): SiblingSet | undefined {
    const sim = this.simNode(id);
    if (sim.node !== null) return sim.node.localCopy(bucket, key).data;
    const raw = sim.engine.get(dataKey(identify(bucket, key)));
    return raw === undefined ? undefined : decodeSiblingSet(raw);
  }

  /** Every data and hint value a node stores, raw, read from its storage even while it is down. */
  *storedValues(id: string): IterableIterator<{ readonly key: Uint8Array; readonly value: Uint8Array }> {
    const engine = this.simNode(id).engine;
    yield* engine.range(ALL_DATA.from, ALL_DATA.to);
    yield* engine.range(ALL_HINTS.from, ALL_HINTS.to);
  }

  /** The key's N primaries as node `viewer` (or the first running node) sees the ring. */
  primaries(bucket: string, key: string, n: number, viewer?: string): string[] {
    const id = viewer ?? this.runningIds()[0];
    const m = id === undefined ? null : this.nodes.get(id)?.node?.membership() ?? null;
    if (m === null) return [];
    let ring = this.rings.get(m);
    if (ring === undefined) {
      ring = new Ring(assignmentOf(m));
      this.rings.set(m, ring);
    }
    return ring.preferenceList(partitionOf(keyHash(bucket, key), ring.partitions)).slice(0, n);
  }

  // ---- running -------------------------------------------------------------------------------

  runFor(ms: number): void {
    this.runUntil(() => false, ms);
  }

  runUntil(done: () => boolean, maxMs: number): boolean {
    const end = this.nowMs + maxMs;
    while (!done()) {
      const next = this.queue.peekTime();
      if (next === undefined || next > end) {
        this.nowMs = end;
        return done();
      }
      const item = this.queue.pop()!;
      this.nowMs = Math.max(this.nowMs, item.atMs);
      this.process(item.event);
    }
    return true;
  }

  private process(event: SimEvent): void {
    if (event.kind === 'timer') {
      this.trace.update(`${this.nowMs} timer ${event.label}\n`);
      event.fn();
      return;
    }
    const sim = this.nodes.get(event.to);
    if (sim === undefined || sim.node === null || sim.incarnation !== event.incarnation) return;
    if (sim.pausedUntilMs > this.nowMs) {
      this.queue.push(sim.pausedUntilMs, event);
      return;
    }
    const input = this.inputOf(sim, event);
    if (input === null) return;
    this.eventsProcessed++;
    const detail = describeInput(input);
    this.trace.update(`${this.nowMs} ${sim.id} ${detail}\n`);
    if (input.kind !== 'tick' && !BACKGROUND.test(detail)) this.recent.record(this.nowMs, sim.id, input.kind, detail);
    sim.node.step(input, this.localTime(sim));
    const effects = sim.node.drain();
    // A torn crash strikes the first step that has something to commit.
    if (sim.tornCrashPending && effects.writes.length > 0) return this.tornCrash(sim, effects);
    this.applyEffects(sim, effects);
    // Every rule that must hold between steps, after every step of every node (node/invariants.ts),
    // once the step's writes are in its storage.
    sim.node.invariants();
    // A node that has left and lingered stops, as its process does (runtime onLeft).
    if (input.kind === 'tick' && sim.node?.hasLeft() === true) this.stop(sim.id);
  }

  private inputOf(sim: SimNode, event: Exclude<SimEvent, { kind: 'timer' }>): NodeInput | null {
    switch (event.kind) {
      case 'tick':
        this.queue.push(this.nowMs + this.tickIntervalMs, { kind: 'tick', to: sim.id, incarnation: sim.incarnation });
        return { kind: 'tick' };
      case 'input':
        return event.input;
      case 'deliver': {
        let envelope;
        try {
          envelope = decodeEnvelope(event.bytes);
        } catch {
          this.recent.record(this.nowMs, sim.id, 'bad-frame', `from ${event.from}`);
          return null;
        }
        // The identity check of the TLS transport (node/peer-identity.ts), with the sim's own sender.
        if (forgedSender(envelope, event.sender) !== null) {
          sim.node!.metrics.forgedSenders++;
          this.recent.record(this.nowMs, sim.id, 'forged-frame', `${event.sender} claimed ${envelope.from}`);
          return null;
        }
        return { kind: 'peer', from: event.from, envelope };
      }
    }
  }

  private tornCrash(sim: SimNode, effects: Effects): void {
    for (const w of effects.writes) sim.engine.stage(w.key, w.value, w.sortKey, w.digest);
    this.note(sim.id, 'torn-crash', `${effects.writes.length} staged writes lost, ${effects.messages.length} messages and ${effects.replies.length} replies unsent`);
    this.crash(sim.id);
  }

  /** Persist, then send, then reply: the runtime's order (node/apply-effects.ts), with a synchronous commit. */
  private applyEffects(sim: SimNode, effects: Effects): void {
    stageWrites(effects, { stage: (w) => sim.engine.stage(w.key, w.value, w.sortKey, w.digest), log: () => undefined });
    sim.engine.commitSync();
    deliverEffects(effects, {
      send: (m) => this.transmit(sim, m.to, m.body.type, encodeEnvelope({ v: PROTOCOL_VERSION, from: sim.id, body: m.body })),
      reply: (reply) => {
        const pending = this.requests.get(reply.requestId);
        if (pending === undefined || pending.response !== null) return;
        this.trace.update(`reply ${reply.requestId} ${reply.response.ok}\n`);
        this.recent.record(this.nowMs, sim.id, 'reply', `#${reply.requestId} ${reply.response.ok ? 'ok' : reply.response.error}`);
        this.answer(pending, reply.response);
      },
    });
  }

  private answer(pending: PendingRequest, response: ClientResponse): void {
    pending.response = response;
    pending.answeredMs = this.nowMs;
    this.requests.delete(pending.id);
    pending.onReply?.(response, pending);
  }

  private transmit(from: SimNode, toAddress: string, type: number, bytes: Uint8Array): void {
    this.messagesSent++;
    const to = this.byAddress.get(toAddress);
    if (to !== undefined && this.network.isCut(from.id, to.id)) return;
    if (to === undefined || to.node === null) {
      // Connection refused (or no such host): the sender learns at once, as a TCP transport reports it.
      this.queue.push(this.nowMs + 1, { kind: 'input', to: from.id, input: { kind: 'peerDown', address: toAddress }, incarnation: from.incarnation });
      return;
    }
    const delays = this.network.fate(this.rng, from.id, to.id);
    if (delays.length !== 1) this.recent.record(this.nowMs, from.id, delays.length === 0 ? 'drop' : 'duplicate', `${messageName(type)} -> ${to.id}`);
    for (const delay of delays) this.queue.push(this.nowMs + delay, { kind: 'deliver', to: to.id, from: from.address, sender: from.id, bytes, incarnation: to.incarnation });
  }

  private note(node: string, kind: string, detail = ''): void {
    this.trace.update(`${this.nowMs} ${node} ${kind} ${detail}\n`);
    this.recent.record(this.nowMs, node, kind, detail);
  }

  private simNode(id: string): SimNode {
    const sim = this.nodes.get(id);
    if (sim === undefined) throw new Error(`no node ${id}`);
    return sim;
  }

  /**
   * A frame that node `sender` really sends to `to`, whatever sender its envelope claims: how a
   * scenario plays a member that forges messages (a compromised node with its own certificate).
   */
  injectFrame(sender: string, to: string, envelope: Envelope): void {
    const from = this.simNode(sender);
    const target = this.simNode(to);
    const bytes = encodeEnvelope(envelope);
    this.queue.push(this.nowMs + 1, { kind: 'deliver', to: target.id, from: from.address, sender: from.id, bytes, incarnation: target.incarnation });
  }

  /** A hash of everything that happened: equal for equal seeds. */
  traceHash(): string {
    return this.trace.copy().digest('hex');
  }
}
