/**
 * One anti-entropy exchange of a partition with one peer, from the initiator's side. It walks both
 * Merkle trees from the root, one round trip per level, descending only into children whose hashes
 * differ; then compares the keys of the differing leaves (with their version digests) in batches;
 * then pushes the sets the peer lacks and, in `sync` mode, pulls the ones this node lacks. Both
 * sides merge what they receive, so a completed sync leaves both with the union.
 *
 * `push` mode is partition transfer: a node that holds data it no longer owns hands it to an owner
 * and takes nothing back. The same walk makes a transfer to an up-to-date owner nearly free.
 *
 * An exchange covers one replica class of the partition (replica-classes.ts): the keys of buckets
 * whose n is `n`. Keys the peer lists under that class but that this node classes otherwise (the
 * two views of the bucket table differ for a moment) are left out, neither pushed nor wanted.
 */
import { assert } from '../../core/assert.js';
import type { NodeOperation } from '../operation.js';
import type { NodeId } from '../../core/ids.js';
import type { MerkleTree } from '../../core/merkle/index.js';
import { digestEncoded } from '../../core/versions/index.js';
import { MessageType, type ExchangeReply, type KeysReply, type TreeReply } from '../../protocol/messages.js';
import type { NodeContext } from '../context.js';
import { parseKey } from '../keys.js';
import type { MerkleIndex } from './merkle-index.js';
import type { StorageView } from '../storage-view.js';
import { isEncodedPastGrace } from '../replica/expired-sets.js';

export type ExchangeMode = 'sync' | 'push';

export interface ExchangeResult {
  readonly ok: boolean;
  readonly partition: number;
  /** The replica class exchanged (a bucket n). */
  readonly n: number;
  readonly peer: NodeId;
  readonly mode: ExchangeMode;
  /** Sets sent to the peer and received from it. */
  readonly pushed: number;
  readonly pulled: number;
  /** Bytes of hashes, key digests and sets exchanged, both ways. */
  readonly bytes: number;
  readonly hashesCompared: number;
  /** The local tree's root when the exchange started (a transfer is confirmed against it). */
  readonly rootAtStart: string;
}

/** Leaves compared per round trip, and set bytes pushed per round trip. */
const LEAVES_PER_ROUND = 128;
const PUSH_BYTES_PER_ROUND = 512 * 1024;
const HASH_BYTES = 16;

export interface ExchangeDeps {
  readonly ctx: NodeContext;
  readonly index: MerkleIndex;
  readonly storage: StorageView;
  /** Merges a set received from the peer into this node's data; false when it was not kept (no replica of it here, expired past the grace, or malformed). */
  mergeReceived(bucket: string, key: string, encoded: Uint8Array): boolean;
  /** The replica class of a bucket's keys in this node's view. */
  classOfBucket(bucket: string): number;
  /** Drops this node's copy of a key whose set expired past the grace. */
  dropExpired(bucket: string, key: string): void;
}

type LocalEntry = { bucket: string; key: string; raw: Uint8Array; digest: string };

export class ExchangeOperation implements NodeOperation {
  readonly kind = 'exchange';
  deadlineMs: number;
  done = false;
  private level = 0;
  private readonly tree: MerkleTree;
  private differingLeaves: number[] = [];
  private leafCursor = 0;
  private pushQueue: (readonly [string, string, Uint8Array])[] = [];
  private wantQueue: (readonly [string, string])[] = [];
  private pushed = 0;
  private pulled = 0;
  private bytes = 0;
  private hashesCompared = 0;
  private readonly rootAtStart: string;

  constructor(
    private readonly deps: ExchangeDeps,
    readonly id: number,
    readonly partition: number,
    readonly n: number,
    readonly peer: NodeId,
    readonly mode: ExchangeMode,
    private readonly onDone: (result: ExchangeResult) => void,
  ) {
    assert(Number.isInteger(n) && n >= 1, 'an exchange covers one replica class, a bucket n');
    this.deadlineMs = deps.ctx.now() + deps.ctx.config.requestTimeoutMs;
    this.tree = deps.index.tree(partition, n);
    this.rootAtStart = Buffer.from(this.tree.root()).toString('hex');
  }

  start(): void {
    this.askTree(0, [0]);
  }

  /** How far it got, for the dashboard: the tree level compared, differing leaves done of found, sets moved, bytes. */
  progress(): { level: number; leavesDone: number; leavesDiffering: number; pushed: number; pulled: number; bytes: number } {
    return { level: this.level, leavesDone: this.leafCursor, leavesDiffering: this.differingLeaves.length, pushed: this.pushed, pulled: this.pulled, bytes: this.bytes };
  }

  private send(body: Parameters<NodeContext['send']>[1]): void {
    this.deadlineMs = this.deps.ctx.now() + this.deps.ctx.config.requestTimeoutMs;
    if (!this.deps.ctx.send(this.peer, body)) this.finish(false);
  }

  private askTree(level: number, indices: number[]): void {
    this.level = level;
    this.send({ type: MessageType.TreeRequest, id: this.id, partition: this.partition, n: this.n, level, indices });
    this.pendingIndices = indices;
  }

  private pendingIndices: number[] = [];

  onTreeReply(from: NodeId, body: TreeReply): void {
    if (from !== this.peer || this.done) return;
    const { fanout, depth } = this.tree.shape;
    if (body.hashes.length !== this.pendingIndices.length) return this.finish(false);
    const next: number[] = [];
    for (let i = 0; i < this.pendingIndices.length; i++) {
      const index = this.pendingIndices[i]!;
      const remote = body.hashes[i]!;
      if (remote.length !== fanout * HASH_BYTES) return this.finish(false);
      this.bytes += remote.length;
      const local = this.tree.childHashes(this.level, index);
      for (let c = 0; c < fanout; c++) {
        this.hashesCompared++;
        if (Buffer.compare(local[c]!, remote.subarray(c * HASH_BYTES, (c + 1) * HASH_BYTES)) !== 0) next.push(index * fanout + c);
      }
    }
    if (next.length === 0 && this.level + 1 < depth) return this.finish(true);
    if (this.level + 1 < depth) return this.askTree(this.level + 1, next);
    this.differingLeaves = next;
    this.nextLeaves();
  }

  private nextLeaves(): void {
    if (this.leafCursor >= this.differingLeaves.length) return this.finish(true);
    const leaves = this.differingLeaves.slice(this.leafCursor, this.leafCursor + LEAVES_PER_ROUND);
    this.leafCursor += leaves.length;
    this.currentLeaves = leaves;
    this.send({ type: MessageType.KeysRequest, id: this.id, partition: this.partition, n: this.n, leaves });
  }

  private currentLeaves: number[] = [];

  onKeysReply(from: NodeId, body: KeysReply): void {
    if (from !== this.peer || this.done) return;
    const local = new Map<string, LocalEntry>();
    for (const leaf of this.currentLeaves) {
      for (const entry of leafEntries(this.deps.storage, this.deps.index, this.partition, leaf, this.n)) local.set(`${entry.bucket}\u0000${entry.key}`, entry);
    }
    const remote = new Set<string>();
    for (const [bucket, key, digest] of body.entries) {
      this.bytes += bucket.length + key.length + digest.length;
      const id = `${bucket}\u0000${key}`;
      remote.add(id);
      if (this.deps.classOfBucket(bucket) !== this.n) continue;
      const mine = local.get(id);
      if (mine !== undefined && mine.digest === Buffer.from(digest).toString('hex')) continue;
      if (mine !== undefined) this.pushQueue.push([bucket, key, mine.raw]);
      if (this.mode === 'sync') this.wantQueue.push([bucket, key]);
    }
    for (const [id, mine] of local) {
      if (remote.has(id)) continue;
      // The peer lacks a set that expired past the grace: let it go here too (expired-sets.ts).
      if (isEncodedPastGrace(this.deps.ctx, mine.raw)) this.deps.dropExpired(mine.bucket, mine.key);
      else this.pushQueue.push([mine.bucket, mine.key, mine.raw]);
    }
    this.sendExchange();
  }

  private sendExchange(): void {
    if (this.pushQueue.length === 0 && this.wantQueue.length === 0) return this.nextLeaves();
    const push: (readonly [string, string, Uint8Array])[] = [];
    let size = 0;
    while (this.pushQueue.length > 0 && (push.length === 0 || size < PUSH_BYTES_PER_ROUND)) {
      const entry = this.pushQueue.shift()!;
      size += entry[2].length + entry[0].length + entry[1].length;
      push.push(entry);
    }
    const want = this.wantQueue.splice(0, 1024);
    this.pushed += push.length;
    this.bytes += size;
    this.send({ type: MessageType.Exchange, id: this.id, push, want });
  }

  onExchangeReply(from: NodeId, body: ExchangeReply): void {
    if (from !== this.peer || this.done) return;
    for (const [bucket, key, encoded] of body.sets) {
      this.bytes += bucket.length + key.length + encoded.length;
      // A set let go of on arrival (expired past the grace) repaired nothing: not counted as pulled.
      if (this.deps.mergeReceived(bucket, key, encoded)) this.pulled++;
    }
    this.sendExchange();
  }

  onPeerDown(node: NodeId): void {
    if (node === this.peer) this.finish(false);
  }

  onDeadline(): void {
    this.finish(false);
  }

  private finish(ok: boolean): void {
    if (this.done) return;
    this.done = true;
    this.onDone({
      ok,
      partition: this.partition,
      n: this.n,
      peer: this.peer,
      mode: this.mode,
      pushed: this.pushed,
      pulled: this.pulled,
      bytes: this.bytes,
      hashesCompared: this.hashesCompared,
      rootAtStart: this.rootAtStart,
    });
  }
}

/** The keys of replica class `n` this node stores in one leaf, with their raw sets and digests. */
export function leafEntries(storage: StorageView, index: MerkleIndex, partition: number, leaf: number, n: number): LocalEntry[] {
  const { from, to } = index.leafRange(partition, leaf);
  const out: LocalEntry[] = [];
  for (const { key, value } of storage.range(from, to)) {
    if (index.classOf(key) !== n) continue;
    const parsed = parseKey(key);
    if (parsed === null || parsed.kind !== 'data') continue;
    out.push({ bucket: parsed.bucket, key: parsed.key, raw: value, digest: Buffer.from(digestEncoded(value)).toString('hex') });
  }
  return out;
}
