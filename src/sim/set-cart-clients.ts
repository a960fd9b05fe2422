/**
 * Cart clients on a set bucket (issue 17): each client loops over adds of a fresh element (a
 * POST-style `update` with no context), removes of elements it just read (an `update` with that
 * read's context) and plain reads, with a think time between them, through random running nodes.
 * Every operation lands in the list the set-cart checker (check/set-cart.ts) judges.
 */
import type { Rng } from '../core/random.js';
import type { SetOperation, SetOutcome } from '../check/set-cart.js';
import type { ClientResponse } from '../protocol/requests.js';
import { writeOutcome } from './cart-clients.js';
import type { PendingRequest, SimCluster } from './cluster.js';

export const SET_BUCKET = 'cart';
export const SET_KEYS = 6;

export interface SetClientOptions {
  readonly clients: number;
  readonly thinkMs: readonly [number, number];
  readonly replicas: number;
}

interface ClientState {
  readonly id: string;
  seq: number;
  busy: boolean;
}

export class SimSetCartClients {
  readonly operations: SetOperation[] = [];
  private readonly clients: ClientState[];
  private stopAtMs = 0;

  constructor(
    private readonly sim: SimCluster,
    private readonly rng: Rng,
    private readonly options: SetClientOptions,
  ) {
    this.clients = Array.from({ length: options.clients }, (_, i) => ({ id: `c${i + 1}`, seq: 0, busy: false }));
  }

  start(stopAtMs: number): void {
    this.stopAtMs = stopAtMs;
    for (const c of this.clients) this.sim.at(this.think(), `client ${c.id}`, () => this.next(c));
  }

  get idle(): boolean {
    return this.clients.every((c) => !c.busy);
  }

  /** Operations still without an outcome become `unknown` (their effect may or may not show). */
  closeOpen(): void {
    for (const op of this.operations) if (op.outcome === null) op.outcome = 'unknown';
  }

  private think(): number {
    const [lo, hi] = this.options.thinkMs;
    return lo + this.rng.int(hi - lo + 1);
  }

  private node(): string {
    const running = this.sim.runningIds();
    return running[this.rng.int(running.length)]!;
  }

  private next(c: ClientState): void {
    if (this.sim.nowMs >= this.stopAtMs) {
      c.busy = false;
      return;
    }
    c.busy = true;
    const key = `k${this.rng.int(SET_KEYS)}`;
    const done = (): void => this.sim.at(this.think(), `client ${c.id}`, () => this.next(c));
    const x = this.rng.next();
    const w = this.rng.next() < 0.1 ? (this.rng.next() < 0.5 ? 1 : this.options.replicas) : undefined;
    if (x < 0.5) return this.add(c, key, w, done);
    const readInvokedMs = this.sim.nowMs;
    this.read(key, (items, context) => {
      if (x < 0.7 || items.length === 0 || context === null || this.sim.nowMs >= this.stopAtMs) return done();
      const victims = items.slice(0, 1 + this.rng.int(2));
      const op: SetOperation = { kind: 'remove', bucket: SET_BUCKET, key, elements: victims, outcome: null, invokedMs: this.sim.nowMs, readInvokedMs };
      this.operations.push(op);
      this.sim.submit(this.node(), { op: 'update', bucket: SET_BUCKET, key, update: { type: 'set', add: [], remove: victims }, context, w }, (r, pending) => {
        op.outcome = outcomeOf(r, pending);
        done();
      });
    });
  }

  private add(c: ClientState, key: string, w: number | undefined, done: () => void): void {
    const element = `${c.id}.${++c.seq}`;
    const op: SetOperation = { kind: 'add', bucket: SET_BUCKET, key, element, outcome: null, invokedMs: this.sim.nowMs };
    this.operations.push(op);
    this.sim.submit(this.node(), { op: 'update', bucket: SET_BUCKET, key, update: { type: 'set', add: [element], remove: [] }, context: [], w }, (r, pending) => {
      op.outcome = outcomeOf(r, pending);
      op.completedMs = this.sim.nowMs;
      done();
    });
  }

  private read(key: string, then: (items: readonly string[], context: Extract<ClientResponse, { op: 'get' }>['context'] | null) => void): void {
    const node = this.node();
    const op: SetOperation = { kind: 'read', bucket: SET_BUCKET, key, outcome: null, invokedMs: this.sim.nowMs, node, merged: false };
    this.operations.push(op);
    this.sim.submit(node, { op: 'get', bucket: SET_BUCKET, key }, (r) => {
      if (!r.ok || r.op !== 'get') {
        op.outcome = 'failed';
        return then([], null);
      }
      op.outcome = 'ok';
      // A set bucket answers with one merged value (or none, never written) and never with siblings.
      op.merged = r.values.length === 0 && (r.crdt === undefined || r.crdt.type === 'set');
      then(r.crdt?.type === 'set' ? r.crdt.value : [], r.context);
    });
  }
}

function outcomeOf(r: ClientResponse, pending: PendingRequest): SetOutcome {
  return writeOutcome(r, pending);
}
