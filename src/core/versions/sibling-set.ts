/**
 * Sibling sets as dotted version vector sets (DVV sets, after basho/riak_core's dvvset and
 * Preguiça, Baquero, Almeida et al., "Dotted Version Vectors", 2010).
 *
 * Why not one vector clock per value, advanced at the coordinator (Dynamo): two clients that read
 * {x:1} and write concurrently through coordinator x get {x:2} twice (indistinguishable) or {x:2}
 * and {x:3} (the second claims to descend from the first). Either way a write is silently lost,
 * or, if the store keeps both anyway as Riak did, it can no longer tell which siblings a later
 * write supersedes and they pile up (sibling explosion); per-client ids avoid that at the price of
 * clocks that grow with the clients. A DVV set gives each value a dot (node, counter) of its own
 * on top of one shared causal history, so a write supersedes exactly the dots its context covers:
 * no false siblings and no lost writes when one coordinator handles concurrent writes, one entry
 * per server node rather than per client, and siblings bounded by the writers really in flight.
 * The client sees the joined history as an opaque context and hands it back with its write.
 *
 * Flow: a client write becomes `withContext(context, value)` (or `fresh(value)` with no context);
 * the coordinator applies `update(client, local, self, now)` and ships the result to replicas,
 * which `sync` it into what they hold. `sync` is the join of a semilattice on dotted values.
 */
import { assert } from '../assert.js';
import type { NodeId } from '../ids.js';
import { unionVersions } from './anonymous.js';
import { event, historyEntry, syncEntries, type ClockEntry } from './entries.js';
import { equalVersions, type Version } from './value.js';
import { compareHistories, isVersionVector, type Order, type VersionVector } from './vector.js';

export type { ClockEntry } from './entries.js';

export interface SiblingSet {
  /** Sorted by node; one per server node that ever coordinated a write of the key. */
  readonly entries: readonly ClockEntry[];
  /** Values without a dot, sorted by `compareVersions`, no duplicates. */
  readonly anonymous: readonly Version[];
}

const NONE: readonly Version[] = Object.freeze([]);

/** A write with no context (dvvset:new/1): it supersedes nothing. */
export function fresh(value: Version): SiblingSet {
  return { entries: [], anonymous: [value] };
}

/** A write that read `context` first (dvvset:new/2): it supersedes everything the context covers. */
export function withContext(context: VersionVector, value: Version): SiblingSet {
  assert(isVersionVector(context), 'a context is sorted by node with positive counters');
  return { entries: context.map(([node, counter]) => historyEntry(node, counter)), anonymous: [value] };
}

/**
 * The coordinator's step (dvvset:update/3, or update/2 without a local set): join the client's
 * history with the local set, which discards the local values the client had seen, then give the
 * new value the next dot of `coordinator`, past everything either side has seen. `server` must be
 * all the coordinator holds for the key (data and hints): its own counter lives there, and a dot
 * issued twice could make a new write look superseded elsewhere.
 */
export function update(client: SiblingSet, server: SiblingSet | undefined, coordinator: NodeId, nowMs: number): SiblingSet {
  assert(client.anonymous.length === 1, 'a client write carries exactly one new value');
  assert(client.entries.every((e) => e.values.length === 0), 'a client set carries history only (withContext)');
  assert(Number.isSafeInteger(nowMs) && nowMs >= 0, 'the clock is in whole milliseconds');
  const value = client.anonymous[0]!;
  if (server === undefined) return { entries: event(client.entries, coordinator, value, nowMs), anonymous: NONE };
  const entries = syncEntries(client.entries, server.entries);
  return { entries: event(entries, coordinator, value, nowMs), anonymous: anonymousAfterWrite(client, server) };
}

/**
 * Undotted local values survive a write unless its context covers the whole local history: then
 * the client read them (or something newer) and its value replaces them. dvvset keeps them when
 * the histories are equal, which would leave such a sibling unresolvable forever.
 */
function anonymousAfterWrite(client: SiblingSet, server: SiblingSet): readonly Version[] {
  if (server.anonymous.length === 0) return NONE;
  const order = compareSets(client, server);
  return order === 'after' || order === 'equal' ? NONE : server.anonymous;
}

/**
 * Merges two replicas' sets (dvvset:sync): histories join, and a dotted value survives unless the
 * other side's history covers its dot without holding it. Undotted values follow dvvset: a side's
 * are dropped only when the other side's history strictly dominates it, which is sound because a
 * stored undotted value (an LWW winner) has its dot inside its own set's history.
 */
export function sync(a: SiblingSet, b: SiblingSet): SiblingSet {
  if (a === b) return a;
  const entries = syncEntries(a.entries, b.entries);
  const anonymous = syncAnonymous(a, b);
  // An input that already was the join comes back as is, so "nothing new" is cheap to spot.
  if (entries === a.entries && sameList(anonymous, a.anonymous)) return a;
  if (entries === b.entries && sameList(anonymous, b.anonymous)) return b;
  return { entries, anonymous };
}

function sameList(x: readonly Version[], y: readonly Version[]): boolean {
  return x === y || (x.length === 0 && y.length === 0);
}

function syncAnonymous(a: SiblingSet, b: SiblingSet): readonly Version[] {
  if (a.anonymous.length === 0 && b.anonymous.length === 0) return NONE;
  const order = compareSets(a, b);
  if (order === 'before') return b.anonymous;
  if (order === 'after') return a.anonymous;
  return unionVersions(a.anonymous, b.anonymous);
}

/** The causal history as a version vector (dvvset:join): what a reader gets as its context. */
export function context(s: SiblingSet): VersionVector {
  return s.entries.map((e) => [e.node, e.counter] as const);
}

/** Every sibling, tombstones included: dotted ones by node, newest first, then anonymous ones. */
export function values(s: SiblingSet): Version[] {
  const out: Version[] = [];
  for (const e of s.entries) for (const v of e.values) out.push(v);
  for (const v of s.anonymous) out.push(v);
  return out;
}

export function liveValues(s: SiblingSet): Version[] {
  return values(s).filter((v) => v.data !== null);
}

/** A deleted key: it has siblings and all of them are tombstones. */
export function isTombstone(s: SiblingSet): boolean {
  const allTombstones = (list: readonly Version[]): boolean => list.every((v) => v.data === null);
  return siblingCount(s) > 0 && allTombstones(s.anonymous) && s.entries.every((e) => allTombstones(e.values));
}

export function siblingCount(s: SiblingSet): number {
  let n = s.anonymous.length;
  for (const e of s.entries) n += e.values.length;
  return n;
}

const entryNode = (e: ClockEntry): NodeId => e.node;
const entryCounter = (e: ClockEntry): number => e.counter;

/** Compares causal histories only (dvvset:less/equal): 'before' means b has seen all a has. */
export function compareSets(a: SiblingSet, b: SiblingSet): Order {
  return compareHistories(a.entries, b.entries, entryNode, entryCounter);
}

/** Same history, same entry times, same values in the same places. */
export function equalSets(a: SiblingSet, b: SiblingSet): boolean {
  if (a === b) return true;
  if (a.entries.length !== b.entries.length || !equalLists(a.anonymous, b.anonymous)) return false;
  for (let i = 0; i < a.entries.length; i++) {
    const ea = a.entries[i]!;
    const eb = b.entries[i]!;
    if (ea.node !== eb.node || ea.counter !== eb.counter || ea.timestampMs !== eb.timestampMs) return false;
    if (!equalLists(ea.values, eb.values)) return false;
  }
  return true;
}

function equalLists(a: readonly Version[], b: readonly Version[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equalVersions(a[i]!, b[i]!)) return false;
  return true;
}
