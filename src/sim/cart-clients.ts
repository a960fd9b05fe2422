/**
 * Cart clients on the simulator: each is a loop of operations (check/workload.ts decides what) with
 * a think time between them, written as callbacks on the simulator's event queue, because a
 * promise would resolve outside virtual time. Every request goes to a running node chosen at
 * random (a load balancer with health checks), and every operation lands in the History with its
 * outcome. At the moment a strict write is acknowledged, the client also looks at the primaries'
 * own copies, which only a simulator can do atomically, and records how many hold the version.
 */
import { digest } from '../core/membership/index.js';
import type { Rng } from '../core/random.js';
import { context as contextOf } from '../core/versions/index.js';
import { cartValue, encodeCart } from '../check/cart.js';
import type { History, Outcome, ReadOperation, WriteOperation } from '../check/history.js';
import { covers } from '../check/versions.js';
import { planOperation, summarizeRead, type BucketSpec, type PlannedOperation, type WorkloadMix } from '../check/workload.js';
import type { ClientResponse, GetResult } from '../protocol/requests.js';
import type { PendingRequest, SimCluster } from './cluster.js';

export interface CartClientOptions {
  readonly clients: number;
  readonly thinkMs: readonly [number, number];
  readonly mix: WorkloadMix;
  readonly buckets: readonly BucketSpec[];
  readonly replicas: number;
  readonly defaultW: number;
  readonly maxClockEntries: number;
}

interface ClientState {
  readonly id: string;
  seq: number;
  busy: boolean;
}

/** A write's outcome from the client's side: only what surely never reached a replica is `failed`. */
export function writeOutcome(response: ClientResponse, pending: PendingRequest): Outcome {
  if (response.ok) return 'ok';
  if (pending.lostInCrash || response.error === 'quorum_failed') return 'unknown';
  return 'failed';
}

export class SimCartClients {
  private readonly clients: ClientState[];
  private stopAtMs = 0;

  constructor(
    private readonly sim: SimCluster,
    private readonly history: History,
    private readonly rng: Rng,
    private readonly options: CartClientOptions,
  ) {
    this.clients = Array.from({ length: options.clients }, (_, i) => ({ id: `c${i + 1}`, seq: 0, busy: false }));
  }

  start(stopAtMs: number): void {
    this.stopAtMs = stopAtMs;
    for (const c of this.clients) this.sim.at(this.think(), `client ${c.id}`, () => this.next(c));
  }

  /** True when no client has an operation in flight. */
  get idle(): boolean {
    return this.clients.every((c) => !c.busy);
  }

  /** Past the end of the safety phase, an operation's second request is not sent. */
  private stopped(): boolean {
    return this.sim.nowMs >= this.stopAtMs;
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
    if (this.stopped()) {
      c.busy = false;
      return;
    }
    c.busy = true;
    const plan = planOperation(this.rng, this.options.buckets, this.options.mix, this.options.replicas);
    const done = (): void => this.sim.at(this.think(), `client ${c.id}`, () => this.next(c));
    const confirm = (ok: boolean): void => {
      if (!ok || plan.kind === 'delete' || this.rng.next() >= this.options.mix.confirmRate || this.stopped()) return done();
      this.read(c, { ...plan, kind: 'get', strict: false, r: undefined }, () => done());
    };
    switch (plan.kind) {
      case 'get':
        return this.read(c, plan, () => done());
      case 'put':
        return this.write(c, plan, null, confirm);
      case 'add':
      case 'delete':
        return this.read(c, plan, (read, result) => {
          if (read.outcome !== 'ok' || result === null || this.stopped()) return done();
          if (plan.kind === 'delete' && result.values.length === 0) return done();
          this.write(c, plan, { read, result }, confirm);
        });
    }
  }

  private read(c: ClientState, plan: PlannedOperation, then: (read: ReadOperation, result: GetResult | null) => void): void {
    const op = this.history.invokeRead({ kind: 'get', client: c.id, bucket: plan.bucket, key: plan.key, strict: plan.strict, r: plan.r }, this.sim.nowMs);
    op.node = this.node();
    this.sim.submit(op.node, { op: 'get', bucket: plan.bucket, key: plan.key, r: plan.r, strict: plan.strict }, (response, pending) => {
      if (pending.lostInCrash) op.interrupted = true;
      if (!response.ok || response.op !== 'get') {
        this.history.complete(op, 'failed', this.sim.nowMs, response.ok ? 'unexpected answer' : response.error);
        return then(op, null);
      }
      const summary = summarizeRead(response.values);
      op.items = summary.items;
      op.versions = summary.versions;
      op.tombstone = response.tombstone;
      this.history.complete(op, 'ok', this.sim.nowMs);
      then(op, response);
    });
  }

  private write(c: ClientState, plan: PlannedOperation, after: { read: ReadOperation; result: GetResult } | null, done: (ok: boolean) => void): void {
    const writeId = `${c.id}.${++c.seq}`;
    const seen = after?.read.items ?? [];
    const kind = plan.kind === 'delete' ? 'delete' : 'put';
    const items = kind === 'put' ? cartValue(writeId, seen).items : [];
    const op = this.history.invokeWrite(
      { kind, client: c.id, bucket: plan.bucket, key: plan.key, strict: plan.strict, writeId, items, seen, seenVersions: after?.read.versions ?? [], w: plan.w },
      this.sim.nowMs,
    );
    const context = after?.result.context ?? [];
    const coordinator = after?.result.fastestReplica;
    const base = { bucket: plan.bucket, key: plan.key, context, w: plan.w, strict: plan.strict, coordinator };
    const request = kind === 'put' ? { op: 'put' as const, ...base, value: encodeCart({ writeId, items }) } : { op: 'delete' as const, ...base };
    op.node = this.node();
    const viewsAtSubmit = this.ringViews();
    this.sim.submit(op.node, request, (response, pending) => {
      if (pending.lostInCrash) op.interrupted = true;
      this.history.complete(op, writeOutcome(response, pending), this.sim.nowMs, response.ok ? undefined : response.error);
      if (response.ok && (response.op === 'put' || response.op === 'delete')) {
        op.resultContext = response.context;
        // A ring that changed while the write was in flight moved primaries under it: the write was
        // acknowledged by a majority of the primaries it started with, and transfer moves it on.
        if (plan.strict && this.ringViews() === viewsAtSubmit) this.observeStrict(op, pending.node);
      }
      done(response.ok);
    });
  }

  /** Every running node's membership digest, joined: equal strings mean nobody's view changed. */
  private ringViews(): string {
    return this.sim.runningIds().map((id) => {
      const m = this.sim.node(id).membership();
      return m === null ? '' : digest(m);
    }).join(',');
  }

  /** How many primaries hold the acknowledged strict write right now (skipped while views of the ring differ). */
  private observeStrict(op: WriteOperation, viewer: string): void {
    const running = this.sim.runningIds();
    const views = new Set(running.map((id) => {
      const m = this.sim.node(id).membership();
      return m === null ? '' : digest(m);
    }));
    if (views.size !== 1 || op.resultContext === undefined) return;
    const primaries = this.sim.primaries(op.bucket, op.key, this.options.replicas, running.includes(viewer) ? viewer : undefined);
    const written = op.resultContext;
    const covered = primaries.filter((p) => {
      const set = this.sim.localData(p, op.bucket, op.key);
      return set !== undefined && covers(contextOf(set), written, this.options.maxClockEntries);
    }).length;
    op.strictCoverage = { covered, needed: op.w ?? this.options.defaultW, primaries };
  }
}
