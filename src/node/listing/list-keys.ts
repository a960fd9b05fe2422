/**
 * Key listing, the coordinator side: one page of a bucket's live keys, cluster-wide. Partitions
 * are walked in order, and inside one in storage order (by key hash); the cursor names the
 * partition and the last data key the page covered, so it is opaque to clients, holds no state on
 * any node, and resumes on whichever replicas are up (a node failing between pages, or during
 * one, costs a retry, never a gap).
 *
 * Each step asks every reachable primary of the partition for its next keys after the cursor and
 * takes the union up to the smallest point where a replica stopped: below it every replica has
 * said what it holds, so a key missing on one replica (it missed a write, or is a joining node
 * still being filled) is still listed, and each key once. Memory per page: at most N times the
 * page's limit keys.
 */
import { assert } from '../../core/assert.js';
import type { NodeOperation } from '../operation.js';
import type { NodeId } from '../../core/ids.js';
import { MessageType, type ListKeysReply } from '../../protocol/messages.js';
import { clientError } from '../../protocol/requests.js';
import type { ClientRef, NodeContext } from '../context.js';
import { dataKey, identify } from '../keys.js';
import { validAfter, type ListStep } from './key-listing.js';

export interface ListCursor {
  readonly partition: number;
  /** The last data key covered in that partition; null: from its start. */
  readonly after: Uint8Array | null;
}

export interface ListKeysHost extends NodeContext {
  partitionCount(): number;
  /** The partition's primaries for `n` replicas. */
  partitionPrimaries(partition: number, n: number): readonly NodeId[];
  /** This node's own step, answered from its storage. */
  localStep(bucket: string, partition: number, after: Uint8Array | null, limit: number): ListStep;
}

export interface ListKeysSpec {
  readonly ref: ClientRef;
  readonly bucket: string;
  readonly limit: number;
  readonly cursor: ListCursor;
  /** Called with the page instead of answering the client (the bucket type check). */
  readonly onPage?: (keys: readonly string[], complete: boolean) => void;
}

interface Asked {
  readonly node: NodeId;
  reply: ListStep | null;
  failed: boolean;
}

export class ListKeysOperation implements NodeOperation {
  readonly kind = 'listKeys';
  get clientRef(): ClientRef {
    return this.spec.ref;
  }
  deadlineMs: number;
  done = false;
  private readonly page: string[] = [];
  private cursor: ListCursor;
  private asked: Asked[] = [];

  constructor(
    private readonly host: ListKeysHost,
    readonly id: number,
    private readonly spec: ListKeysSpec,
  ) {
    this.cursor = spec.cursor;
    this.deadlineMs = host.now() + host.config.requestTimeoutMs;
  }

  start(): void {
    this.step();
  }

  /** Asks the current partition's primaries; finishes the page when the ring is done or the page full. */
  private step(): void {
    while (!this.done) {
      if (this.cursor.partition >= this.host.partitionCount()) return this.answer(null);
      const want = this.spec.limit - this.page.length;
      const primaries = this.host.partitionPrimaries(this.cursor.partition, this.host.props(this.spec.bucket).n).filter((p) => this.host.isUp(p));
      if (primaries.length === 0) return this.fail(`no replica of partition ${this.cursor.partition} is reachable`);
      this.asked = primaries.map((node) => ({ node, reply: null, failed: false }));
      for (const a of this.asked) {
        if (a.node === this.host.selfId) a.reply = this.host.localStep(this.spec.bucket, this.cursor.partition, this.cursor.after, want);
        else if (!this.host.send(a.node, { type: MessageType.ListKeys, id: this.id, bucket: this.spec.bucket, partition: this.cursor.partition, after: this.cursor.after, limit: want })) a.failed = true;
      }
      if (!this.ready()) return;
      this.absorb();
    }
  }

  private ready(): boolean {
    return this.asked.every((a) => a.reply !== null || a.failed);
  }

  onReply(from: NodeId, body: ListKeysReply): void {
    const a = this.asked.find((x) => x.node === from && x.reply === null && !x.failed);
    if (a === undefined || this.done) return;
    // A reply must move forward from the cursor, or a listing could page in place forever.
    const behind = body.resumeAfter !== null && this.cursor.after !== null && Buffer.compare(body.resumeAfter, this.cursor.after) <= 0;
    if (!validAfter(body.resumeAfter) || behind || body.keys.length > this.spec.limit) {
      this.host.metrics.badMessages++;
      a.failed = true;
    } else {
      a.reply = { keys: [...body.keys], resumeAfter: body.resumeAfter === null ? null : Buffer.from(body.resumeAfter) };
    }
    if (!this.ready()) return;
    this.absorb();
    this.step();
  }

  onPeerDown(node: NodeId): void {
    const a = this.asked.find((x) => x.node === node && x.reply === null);
    if (a === undefined || this.done) return;
    a.failed = true;
    if (!this.ready()) return;
    this.absorb();
    this.step();
  }

  onDeadline(): void {
    if (this.done) return;
    for (const a of this.asked) if (a.reply === null) a.failed = true;
    if (this.asked.some((a) => a.reply !== null)) {
      this.absorb();
      // The page so far is answered; the cursor resumes where it got.
      return this.answer(this.cursor, false);
    }
    this.fail('no replica answered the key listing in time');
  }

  /** Takes the union of the replies up to the lowest point where one stopped, and moves the cursor. */
  private absorb(): void {
    const from = this.cursor;
    const replies = this.asked.filter((a) => a.reply !== null).map((a) => a.reply!);
    if (replies.length === 0) return this.fail(`no replica of partition ${this.cursor.partition} answered the key listing`);
    let bound: Uint8Array | null = null;
    for (const r of replies) if (r.resumeAfter !== null && (bound === null || Buffer.compare(r.resumeAfter, bound) < 0)) bound = r.resumeAfter;
    const byPosition = new Map<string, { key: string; position: Buffer }>();
    for (const r of replies) {
      for (const key of r.keys) {
        const position = dataKey(identify(this.spec.bucket, key));
        if (bound !== null && Buffer.compare(position, bound) > 0) continue;
        byPosition.set(position.toString('hex'), { key, position });
      }
    }
    const sorted = [...byPosition.values()].sort((x, y) => Buffer.compare(x.position, y.position));
    const room = this.spec.limit - this.page.length;
    const taken = sorted.slice(0, room);
    for (const t of taken) this.page.push(t.key);
    this.asked = [];
    if (taken.length < sorted.length) {
      this.cursor = { partition: this.cursor.partition, after: taken[taken.length - 1]!.position };
    } else if (bound !== null) {
      this.cursor = { partition: this.cursor.partition, after: bound };
    } else {
      this.cursor = { partition: this.cursor.partition + 1, after: null };
    }
    assert(this.cursor.partition > from.partition || from.after === null || Buffer.compare(this.cursor.after!, from.after) > 0, 'every step moves the cursor forward');
    if (this.page.length >= this.spec.limit) this.answer(this.cursor.partition >= this.host.partitionCount() ? null : this.cursor);
  }

  private answer(next: ListCursor | null, complete = true): void {
    if (this.done) return;
    this.done = true;
    if (this.spec.onPage !== undefined) return this.spec.onPage(this.page, complete);
    this.host.respond(this.spec.ref, { ok: true, op: 'keys', keys: this.page, cursor: next === null ? null : encodeCursor(next) });
  }

  private fail(message: string): void {
    if (this.done) return;
    this.done = true;
    this.host.respond(this.spec.ref, clientError('unavailable', message));
  }
}

/** Cursor text: base64url of "partition:hex of the data key" (opaque to clients). */
export function encodeCursor(c: ListCursor): string {
  return Buffer.from(`${c.partition}:${c.after === null ? '' : Buffer.from(c.after).toString('hex')}`).toString('base64url');
}

const MAX_CURSOR_CHARS = 4096;

export function decodeCursor(text: string, partitions: number): ListCursor | string {
  if (text.length > MAX_CURSOR_CHARS) return 'the cursor is too long';
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const match = /^(\d{1,6}):((?:[0-9a-f]{2})*)$/.exec(raw);
  if (match === null) return 'the cursor is not one this cluster gave out';
  const partition = Number(match[1]);
  if (partition > partitions) return 'the cursor names a partition this cluster does not have';
  const after = match[2] === '' ? null : Buffer.from(match[2]!, 'hex');
  return validAfter(after) ? { partition, after } : 'the cursor is not one this cluster gave out';
}
