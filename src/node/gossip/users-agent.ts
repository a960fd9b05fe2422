/**
 * Keeps the users table in agreement across the cluster, apart from the membership gossip so that
 * it stays one concept: every gossip interval the node sends the table's digest to the members it
 * sees up (a random few in a large cluster); a member whose digest differs answers with its whole
 * table, and the exchange is push-pull, so both sides end with the merge. A change made here is
 * pushed to every member at once. A node that was down catches up from the first digest it gets.
 *
 * Tables from peers and from disk go through parseUserTable; a malformed one is dropped whole.
 */
import type { NodeId } from '../../core/ids.js';
import type { Rng } from '../../core/random.js';
import { assert } from '../../core/assert.js';
import { EMPTY_USER_TABLE, MAX_USERS, mergeUserTables, parseUserTable, usersDigest, type Role, type UserEntry, type UserTable } from '../../core/users/index.js';
import { MessageType, type UsersDigest, type UsersSync } from '../../protocol/messages.js';

export interface UsersHost {
  /** Members other than this one that are active and up. */
  peersUp(): NodeId[];
  send(node: NodeId, body: UsersDigest | UsersSync): boolean;
  persist(table: UserTable): void;
  log(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void;
}

/** What an operator asks for; the replica stamps it with the time and this node's id. */
export type UserChange =
  | { readonly kind: 'put'; readonly role: Role; readonly buckets: readonly string[] | null; readonly hash: string }
  | { readonly kind: 'remove' }
  /** The root user of a founding node: written at time 0, so any later change by an operator wins. */
  | { readonly kind: 'seed'; readonly hash: string };

const SMALL_CLUSTER = 16;
const FANOUT = 3;

export class UsersAgent {
  private tableValue: UserTable;
  private lastRoundMs = -Infinity;

  constructor(
    private readonly selfId: NodeId,
    private readonly intervalMs: number,
    private readonly host: UsersHost,
    private readonly rng: Rng,
    stored: unknown,
  ) {
    assert(intervalMs > 0, 'a positive users gossip interval');
    const parsed = stored === null ? EMPTY_USER_TABLE : parseUserTable(stored);
    if (parsed === null) host.log('warn', 'unreadable users table in storage; starting with none', {});
    this.tableValue = parsed ?? EMPTY_USER_TABLE;
  }

  table(): UserTable {
    return this.tableValue;
  }

  /** Applies an operator's change; false when it is refused (the table is full). */
  change(name: string, change: UserChange, nowMs: number): boolean {
    const existing = Object.prototype.hasOwnProperty.call(this.tableValue, name) ? this.tableValue[name] : undefined;
    if (change.kind === 'seed' && existing !== undefined) return true;
    if (existing === undefined && Object.keys(this.tableValue).length >= MAX_USERS) return false;
    // Strictly after the entry it replaces, even within one millisecond or behind a skewed clock.
    const at = change.kind === 'seed' ? 0 : Math.max(nowMs, (existing?.updatedAtMs ?? -1) + 1);
    const entry: UserEntry =
      change.kind === 'remove'
        ? { role: existing?.role ?? 'read', buckets: null, hash: '', deleted: true, updatedAtMs: at, updatedBy: this.selfId }
        : { role: change.kind === 'seed' ? 'admin' : change.role, buckets: change.kind === 'seed' ? null : change.buckets, hash: change.hash, deleted: false, updatedAtMs: at, updatedBy: this.selfId };
    this.adopt(mergeUserTables(this.tableValue, { [name]: entry }));
    const sync: UsersSync = { type: MessageType.UsersSync, users: this.tableValue, reply: false };
    for (const peer of this.host.peersUp()) this.host.send(peer, sync);
    return true;
  }

  tick(nowMs: number): void {
    if (nowMs - this.lastRoundMs < this.intervalMs) return;
    this.lastRoundMs = nowMs;
    const peers = this.host.peersUp();
    const body: UsersDigest = { type: MessageType.UsersDigest, digest: usersDigest(this.tableValue) };
    if (peers.length <= SMALL_CLUSTER) {
      for (const peer of peers) this.host.send(peer, body);
      return;
    }
    for (let i = 0; i < FANOUT; i++) this.host.send(peers[this.rng.int(peers.length)]!, body);
  }

  onDigest(from: NodeId, body: UsersDigest): void {
    if (body.digest === usersDigest(this.tableValue)) return;
    this.host.send(from, { type: MessageType.UsersSync, users: this.tableValue, reply: true });
  }

  onSync(from: NodeId, body: UsersSync): void {
    const theirs = parseUserTable(body.users);
    if (theirs === null) {
      this.host.log('warn', 'ignored a malformed users table from a peer', { from });
      return;
    }
    const merged = mergeUserTables(this.tableValue, theirs);
    if (Object.keys(merged).length > MAX_USERS) {
      this.host.log('warn', 'ignored a users table that would exceed the user limit', { from, limit: MAX_USERS });
      return;
    }
    if (merged !== this.tableValue) this.adopt(merged);
    if (body.reply && usersDigest(theirs) !== usersDigest(this.tableValue)) {
      this.host.send(from, { type: MessageType.UsersSync, users: this.tableValue, reply: false });
    }
  }

  private adopt(table: UserTable): void {
    this.tableValue = table;
    this.host.persist(table);
  }
}
