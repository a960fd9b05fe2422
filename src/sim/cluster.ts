/**
 * A whole cluster of real DynamoNode state machines in one process, on virtual time: a seeded
 * network that delays (and, by option, drops, duplicates, reorders or cuts) messages, storage that
 * loses uncommitted writes on a crash, and clients whose requests are answered through the same
 * effects as in production. Every choice comes from one seeded Rng, so a run replays exactly.
 *
 * Effects are applied as the runtime does: stage writes, commit, then send and reply.
 */
import { createHash } from 'node:crypto';
import { seededRng, type Rng } from '../core/random.js';
import { NODE_DEFAULTS, type NodeConfig } from '../node/config.js';
import type { Effects } from '../node/effects.js';
import { DynamoNode, type NodeInput } from '../node/node.js';
import { decodeEnvelope, encodeEnvelope } from '../protocol/codec.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import type { ClientRequest, ClientResponse } from '../protocol/requests.js';
import { createCrashableMemoryEngine } from '../storage/memory.js';
import { EventQueue } from './event-queue.js';

export interface NetworkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const NO_FAULTS: NetworkFaults = { dropRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 3 };

export interface SimClusterOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly faults?: NetworkFaults;
  readonly config?: Partial<Omit<NodeConfig, 'self' | 'actor' | 'seeds'>>;
  readonly tickIntervalMs?: number;
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
}

type SimEvent =
  | { readonly kind: 'deliver'; readonly to: string; readonly from: string; readonly bytes: Uint8Array; readonly incarnation: number }
  | { readonly kind: 'input'; readonly to: string; readonly input: NodeInput; readonly incarnation: number }
  | { readonly kind: 'tick'; readonly to: string; readonly incarnation: number };

export interface PendingRequest {
  readonly id: number;
  readonly node: string;
  readonly request: ClientRequest;
  readonly sentMs: number;
  response: ClientResponse | null;
  answeredMs: number | null;
}

export class SimCluster {
  readonly rng: Rng;
  nowMs = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes = new Map<string, SimNode>();
  private readonly byAddress = new Map<string, SimNode>();
  private readonly requests = new Map<number, PendingRequest>();
  private requestCounter = 0;
  private readonly cuts = new Set<string>();
  private readonly trace = createHash('sha256');
  private faults: NetworkFaults;
  private readonly tickIntervalMs: number;
  eventsProcessed = 0;

  constructor(private readonly options: SimClusterOptions) {
    this.rng = seededRng(options.seed);
    this.faults = options.faults ?? NO_FAULTS;
    this.tickIntervalMs = options.tickIntervalMs ?? 20;
    const seeds = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}:7000`);
    for (let i = 1; i <= options.nodes; i++) this.addNode(`n${i}`, seeds);
  }

  addNode(id: string, seeds: readonly string[]): void {
    const sim: SimNode = { id, address: `${id}:7000`, engine: createCrashableMemoryEngine(), node: null, incarnation: 0, dataGeneration: 1, clockSkewMs: 0 };
    this.nodes.set(id, sim);
    this.byAddress.set(sim.address, sim);
    this.boot(sim, seeds);
  }

  private seedsOf: Map<string, readonly string[]> = new Map();

  private boot(sim: SimNode, seeds: readonly string[]): void {
    this.seedsOf.set(sim.id, seeds);
    sim.incarnation++;
    const config: NodeConfig = {
      ...NODE_DEFAULTS,
      ...this.options.config,
      self: { id: sim.id, address: sim.address, httpAddress: `${sim.id}:8000`, clientAddress: null, weight: 1 },
      actor: `${sim.id}:d${sim.dataGeneration}`,
      seeds,
    };
    sim.node = new DynamoNode(config, sim.engine, seededRng(this.rng.int(2 ** 31)), this.localTime(sim));
    this.queue.push(this.nowMs + this.rng.int(this.tickIntervalMs), { kind: 'tick', to: sim.id, incarnation: sim.incarnation });
  }

  private localTime(sim: SimNode): number {
    return this.nowMs + sim.clockSkewMs;
  }

  node(id: string): DynamoNode {
    const n = this.nodes.get(id)?.node;
    if (n === null || n === undefined) throw new Error(`node ${id} is not running`);
    return n;
  }

  nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  isRunning(id: string): boolean {
    return this.nodes.get(id)?.node != null;
  }

  // ---- faults --------------------------------------------------------------------------------

  setFaults(faults: NetworkFaults): void {
    this.faults = faults;
  }

  /** Crash: the process is gone; what it had not committed is lost. Peers see connections fail. */
  crash(id: string): void {
    const sim = this.nodes.get(id)!;
    sim.node = null;
    sim.engine.crash();
    this.trace.update(`crash ${id} @${this.nowMs}\n`);
    for (const other of this.nodes.values()) {
      if (other.node !== null) this.queue.push(this.nowMs + 1, { kind: 'input', to: other.id, input: { kind: 'peerDown', address: sim.address }, incarnation: other.incarnation });
    }
  }

  restart(id: string): void {
    const sim = this.nodes.get(id)!;
    if (sim.node !== null) return;
    this.trace.update(`restart ${id} @${this.nowMs}\n`);
    this.boot(sim, this.seedsOf.get(id) ?? []);
  }

  setClockSkew(id: string, skewMs: number): void {
    this.nodes.get(id)!.clockSkewMs = skewMs;
  }

  /** Cuts the network between the groups: messages across are silently lost. */
  split(groups: readonly (readonly string[])[]): void {
    this.cuts.clear();
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cuts.add(`${x}>${y}`);
    this.trace.update(`split ${JSON.stringify(groups)} @${this.nowMs}\n`);
  }

  heal(): void {
    this.cuts.clear();
    this.trace.update(`heal @${this.nowMs}\n`);
  }

  // ---- clients -------------------------------------------------------------------------------

  submit(node: string, request: ClientRequest): PendingRequest {
    const sim = this.nodes.get(node)!;
    const pending: PendingRequest = { id: ++this.requestCounter, node, request, sentMs: this.nowMs, response: null, answeredMs: null };
    this.requests.set(pending.id, pending);
    if (sim.node === null) {
      pending.response = { ok: false, error: 'unavailable', message: 'node is down' };
      pending.answeredMs = this.nowMs;
      return pending;
    }
    this.queue.push(this.nowMs, { kind: 'input', to: node, input: { kind: 'client', requestId: pending.id, request }, incarnation: sim.incarnation });
    return pending;
  }

  /** Feeds a node an operator input (leave, join) now. */
  submitInput(node: string, input: NodeInput): void {
    const sim = this.nodes.get(node)!;
    if (sim.node !== null) this.queue.push(this.nowMs, { kind: 'input', to: node, input, incarnation: sim.incarnation });
  }

  /** Submits and runs until answered (or maxMs of virtual time). */
  call(node: string, request: ClientRequest, maxMs = 10_000): ClientResponse {
    const p = this.submit(node, request);
    this.runUntil(() => p.response !== null, maxMs);
    if (p.response === null) throw new Error(`no response within ${maxMs} ms to ${JSON.stringify(request.op)} on ${node}`);
    return p.response;
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
    const sim = this.nodes.get(event.to);
    if (sim === undefined || sim.node === null || sim.incarnation !== event.incarnation) return;
    this.eventsProcessed++;
    let input: NodeInput;
    switch (event.kind) {
      case 'tick':
        input = { kind: 'tick' };
        this.queue.push(this.nowMs + this.tickIntervalMs, { kind: 'tick', to: sim.id, incarnation: sim.incarnation });
        break;
      case 'input':
        input = event.input;
        break;
      case 'deliver':
        try {
          input = { kind: 'peer', from: event.from, envelope: decodeEnvelope(event.bytes) };
        } catch {
          return;
        }
        break;
    }
    this.trace.update(`${this.nowMs} ${event.to} ${input.kind}\n`);
    sim.node.step(input, this.localTime(sim));
    this.apply(sim, sim.node.drain());
  }

  private apply(sim: SimNode, effects: Effects): void {
    for (const w of effects.writes) sim.engine.stage(w.key, w.value);
    sim.engine.commitSync();
    for (const m of effects.messages) this.transmit(sim, m.to, encodeEnvelope({ v: PROTOCOL_VERSION, from: sim.id, body: m.body }));
    for (const reply of effects.replies) {
      const pending = this.requests.get(reply.requestId);
      if (pending === undefined || pending.response !== null) continue;
      pending.response = reply.response;
      pending.answeredMs = this.nowMs;
      this.trace.update(`reply ${reply.requestId} ${reply.response.ok}\n`);
    }
  }

  private transmit(from: SimNode, toAddress: string, bytes: Uint8Array): void {
    const to = this.byAddress.get(toAddress);
    if (to === undefined) return;
    if (to.node === null) {
      // Connection refused: the sender learns at once, as a TCP transport reports it.
      this.queue.push(this.nowMs + 1, { kind: 'input', to: from.id, input: { kind: 'peerDown', address: toAddress }, incarnation: from.incarnation });
      return;
    }
    if (this.cuts.has(`${from.id}>${to.id}`)) return;
    const f = this.faults;
    if (f.dropRate > 0 && this.rng.next() < f.dropRate) return;
    const copies = f.duplicateRate > 0 && this.rng.next() < f.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = f.minDelayMs + this.rng.int(f.maxDelayMs - f.minDelayMs + 1);
      this.queue.push(this.nowMs + delay, { kind: 'deliver', to: to.id, from: from.address, bytes, incarnation: to.incarnation });
    }
  }

  /** A hash of everything that happened: equal for equal seeds. */
  traceHash(): string {
    return this.trace.copy().digest('hex');
  }
}
