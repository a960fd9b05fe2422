/**
 * Keeping every partition's data where the ring says it belongs, with exchanges (exchange.ts):
 *
 * - Transfer (bootstrap and decommission). A node that holds data for a partition it does not own
 *   (it left the partition's owners, or is leaving) pushes it to every current owner. Each owner's
 *   completed push confirms the local tree root it started from; once every owner confirmed the
 *   current root, the node deletes its copy in bounded chunks. So a partition is never dropped
 *   before its owners hold it, and a transfer that is interrupted is simply run again.
 * - Joining. A joining node pulls each of its partitions from an owner that is up (not joining);
 *   when all are in, it marks itself up. Writes reach it from the moment it is an owner.
 * - Anti-entropy. Round-robin over the partitions this node owns and their other owners, one
 *   exchange at a time, every `antiEntropyIntervalMs` (immediately again after one that repaired
 *   something, so a node that lost its data catches up at transfer speed).
 *
 * Throttling: at most `transferConcurrency` exchanges at once, anti-entropy at most one of them,
 * and a byte budget refilled at `transferBytesPerSec`.
 *
 * All three work per replica class (replica-classes.ts): the owners of class n of a partition are
 * its first n owners, so "owns" above means "ranks below n", a node that ranks at or beyond n
 * hands its class-n keys to the first n owners as a transfer, and anti-entropy of class n runs
 * only between two of them.
 */
import { assert } from '../../core/assert.js';
import type { NodeId } from '../../core/ids.js';
import { getMember, type Membership } from '../../core/membership/index.js';
import type { Ring } from '../../core/ring/index.js';
import type { NodeContext } from '../context.js';
import { ExchangeOperation, type ExchangeDeps, type ExchangeMode, type ExchangeResult } from '../anti-entropy/exchange.js';
import { partitionDataRange } from '../keys.js';
import type { HeldClass, MerkleIndex } from '../anti-entropy/merkle-index.js';
import { holdsClass, rankOf } from '../replica/replica-classes.js';

export interface SyncHost {
  readonly ctx: NodeContext;
  membership(): Membership | null;
  ring(): Ring | null;
  index(): MerkleIndex | null;
  exchangeDeps(): ExchangeDeps | null;
  launch(op: ExchangeOperation): void;
  markSelf(state: 'up' | 'left'): void;
  deleteKey(key: Uint8Array): void;
  /** The partition is handed over and its copies here are about to go (replica/actors.ts). */
  retirePartition(partition: number): void;
  /** The replica classes some bucket has (replica-classes.ts). */
  classesInUse(): readonly number[];
}

export interface TransferStats {
  /** Partitions held here that belong elsewhere (transfers out not finished). */
  pendingOut: number;
  /** Partitions a joining node still has to pull. */
  pendingIn: number;
  inProgress: number;
  done: number;
  antiEntropyRounds: number;
  keysRepaired: number;
  bytesExchanged: number;
  lastExchangeBytes: number;
}

const DELETE_CHUNK_KEYS = 1000;

export class PartitionSync {
  readonly stats: TransferStats = { pendingOut: 0, pendingIn: 0, inProgress: 0, done: 0, antiEntropyRounds: 0, keysRepaired: 0, bytesExchanged: 0, lastExchangeBytes: 0 };
  private readonly running = new Map<string, ExchangeOperation>();
  /** By classKey(partition, n). */
  private readonly confirmed = new Map<string, { root: string; owners: Set<NodeId> }>();
  private readonly ready = new Set<string>();
  /** Class-n keys of a partition being deleted here, with where the next chunk starts. */
  private readonly deleting = new Map<string, { readonly held: HeldClass; cursor: Buffer }>();
  private aeCursor = 0;
  private aeRunning = false;
  private lastAeMs = -Infinity;
  private budgetBytes = 0;
  private lastRefillMs: number | null = null;
  /** Called with each finished exchange (tests and metrics). */
  onResult: ((r: ExchangeResult) => void) | null = null;

  constructor(private readonly host: SyncHost) {}

  /** The exchanges running now (for the dashboard): partition, peer, mode and progress of each. */
  inFlight(): ({ partition: number; peer: NodeId; mode: ExchangeMode } & ReturnType<ExchangeOperation['progress']>)[] {
    return [...this.running.values()].map((op) => ({ partition: op.partition, peer: op.peer, mode: op.mode, ...op.progress() }));
  }

  tick(): void {
    const m = this.host.membership();
    const ring = this.host.ring();
    const index = this.host.index();
    if (m === null || ring === null || index === null) return;
    this.refill();
    const self = getMember(m, this.host.ctx.selfId);
    this.deleteChunks(index);
    this.transfersOut(ring, index, self?.state === 'leaving');
    if (self?.state === 'joining') this.joining(m, ring);
    else if (self?.state === 'leaving') this.maybeLeft(index);
    this.antiEntropy(m, ring);
    assert(this.running.size <= this.host.ctx.config.transferConcurrency, 'no more exchanges at once than the transfer concurrency');
    this.stats.inProgress = this.running.size;
  }

  private refill(): void {
    const now = this.host.ctx.now();
    const rate = this.host.ctx.config.transferBytesPerSec;
    if (this.lastRefillMs !== null) this.budgetBytes = Math.min(rate, this.budgetBytes + ((now - this.lastRefillMs) * rate) / 1000);
    else this.budgetBytes = rate;
    this.lastRefillMs = now;
  }

  private canStart(): boolean {
    return this.running.size < this.host.ctx.config.transferConcurrency && this.budgetBytes > 0;
  }

  /**
   * The bucket table changed how keys are classed (the index was rebuilt): confirmations and
   * deletions decided under the old classes no longer describe the same keys, so they start over.
   */
  reclassified(): void {
    this.confirmed.clear();
    this.deleting.clear();
  }

  private start(partition: number, n: number, peer: NodeId, mode: ExchangeMode, done: (r: ExchangeResult) => void): boolean {
    assert(peer !== this.host.ctx.selfId, 'an exchange is with another node');
    assert(Number.isInteger(partition) && partition >= 0 && n >= 1, 'an exchange is of one partition and one replica class');
    const key = `${partition}:${n}:${peer}:${mode}`;
    const deps = this.host.exchangeDeps();
    if (this.running.has(key) || deps === null || !this.canStart()) return false;
    const op = new ExchangeOperation(deps, this.host.ctx.nextOpId(), partition, n, peer, mode, (result) => {
      this.running.delete(key);
      this.budgetBytes -= result.bytes;
      this.stats.bytesExchanged += result.bytes;
      this.stats.lastExchangeBytes = result.bytes;
      this.stats.keysRepaired += result.pulled + result.pushed;
      done(result);
      this.onResult?.(result);
    });
    this.running.set(key, op);
    this.host.launch(op);
    return true;
  }

  /**
   * A leaving node does not wait for owners that are down: once every live owner (at least one)
   * confirmed, its copy is not the only one, and anti-entropy among the owners completes the rest
   * when they return. That is what lets a node always finish leaving.
   */
  private transfersOut(ring: Ring, index: MerkleIndex, leaving: boolean): void {
    const self = this.host.ctx.selfId;
    const held = index.heldClasses().filter((h) => !holdsClass(ring.owners(h.partition), self, h.n));
    this.stats.pendingOut = held.length;
    for (const h of held) {
      const p = h.partition;
      const slot = classKey(p, h.n);
      if (this.deleting.has(slot)) continue;
      const root = Buffer.from(index.tree(p, h.n).root()).toString('hex');
      const confirmation = this.confirmed.get(slot);
      const owners = ring.owners(p).slice(0, h.n);
      const mustConfirm = leaving ? owners.filter((o) => this.host.ctx.isUp(o)) : owners;
      const confirmedAll =
        confirmation !== undefined &&
        confirmation.root === root &&
        confirmation.owners.size > 0 &&
        mustConfirm.every((o) => confirmation.owners.has(o));
      if (confirmedAll) {
        this.host.retirePartition(p);
        this.deleting.set(slot, { held: h, cursor: partitionDataRange(p, index.partitions).from });
        continue;
      }
      for (const owner of owners) {
        if (confirmation?.root === root && confirmation.owners.has(owner)) continue;
        if (!this.host.ctx.isUp(owner)) continue;
        this.start(p, h.n, owner, 'push', (r) => this.confirm(r));
      }
    }
  }

  private confirm(r: ExchangeResult): void {
    if (!r.ok) return;
    const slot = classKey(r.partition, r.n);
    const c = this.confirmed.get(slot);
    if (c === undefined || c.root !== r.rootAtStart) this.confirmed.set(slot, { root: r.rootAtStart, owners: new Set([r.peer]) });
    else c.owners.add(r.peer);
  }

  /** Deletes the next chunk of one handed-over class: its keys only, the partition's others stay. */
  private deleteChunks(index: MerkleIndex): void {
    const view = this.host.exchangeDeps()?.storage;
    if (view === undefined) return;
    for (const [slot, job] of this.deleting) {
      const { partition, n } = job.held;
      const { to } = partitionDataRange(partition, index.partitions);
      let seen = 0;
      let last: Buffer | null = null;
      for (const { key } of view.range(job.cursor, to, { limit: DELETE_CHUNK_KEYS })) {
        seen++;
        last = Buffer.from(key);
        if (index.classOf(key) === n) this.host.deleteKey(key);
      }
      if (last !== null) job.cursor = Buffer.concat([last, Buffer.from([0])]);
      if (seen < DELETE_CHUNK_KEYS) {
        this.deleting.delete(slot);
        this.confirmed.delete(slot);
        this.stats.done++;
        this.host.ctx.log('info', 'partition handed over', { partition, n });
      }
      return; // one partition's chunk per tick: deletes are background work too
    }
  }

  /** Pulls every class of every partition this node holds a replica of, each from an owner of that class. */
  private joining(m: Membership, ring: Ring): void {
    const self = this.host.ctx.selfId;
    const mine = ring.partitionsOf(self);
    let pending = 0;
    for (const p of mine) {
      const owners = ring.owners(p);
      for (const n of this.host.classesInUse()) {
        const slot = classKey(p, n);
        if (this.ready.has(slot) || !holdsClass(owners, self, n)) continue;
        const source = owners.slice(0, n).find((o) => o !== self && getMember(m, o)?.state === 'up' && this.host.ctx.isUp(o));
        if (source === undefined) {
          this.ready.add(slot);
          continue;
        }
        pending++;
        this.start(p, n, source, 'sync', (r) => r.ok && this.ready.add(classKey(r.partition, r.n)));
      }
    }
    this.stats.pendingIn = pending;
    if (pending === 0) {
      this.host.ctx.log('info', 'joined: every partition pulled; now up', { partitions: mine.length });
      this.host.markSelf('up');
    }
  }

  private maybeLeft(index: MerkleIndex): void {
    if (index.heldPartitions().length > 0 || this.host.ctx.store.hintCount > 0 || this.running.size > 0) return;
    this.host.ctx.log('info', 'every partition and hint handed over; leaving', {});
    this.host.markSelf('left');
  }

  private antiEntropy(m: Membership, ring: Ring): void {
    const now = this.host.ctx.now();
    if (this.aeRunning || now - this.lastAeMs < this.host.ctx.config.antiEntropyIntervalMs) return;
    const self = this.host.ctx.selfId;
    const mine = ring.partitionsOf(self);
    if (mine.length === 0) return;
    const classes = this.host.classesInUse();
    for (let tries = 0; tries < mine.length; tries++) {
      const p = mine[this.aeCursor++ % mine.length]!;
      const owners = ring.owners(p);
      const selfRank = rankOf(owners, self);
      // Class n is exchanged only between two owners that both rank below n.
      const shared = (o: NodeId): number[] => classes.filter((n) => selfRank < n && rankOf(owners, o) < n);
      const peers = owners.filter((o) => o !== self && getMember(m, o)?.state !== 'leaving' && this.host.ctx.isUp(o) && shared(o).length > 0);
      if (peers.length === 0) continue;
      const peer = peers[Math.floor(this.aeCursor / mine.length) % peers.length]!;
      const peerClasses = shared(peer);
      const n = peerClasses[Math.floor(this.aeCursor / (mine.length * peers.length)) % peerClasses.length]!;
      const started = this.start(p, n, peer, 'sync', (r) => {
        this.aeRunning = false;
        this.stats.antiEntropyRounds++;
        // Something was repaired: go on at once instead of waiting a whole interval.
        this.lastAeMs = r.ok && r.pulled + r.pushed > 0 ? -Infinity : this.host.ctx.now();
      });
      if (started) {
        this.aeRunning = true;
        this.lastAeMs = now;
      }
      return;
    }
  }
}

function classKey(partition: number, n: number): string {
  return `${partition}:${n}`;
}
