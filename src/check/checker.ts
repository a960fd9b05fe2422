/**
 * The lost-write checker, shared by the simulator and the real-process nemesis. It runs once the
 * faults stopped, the network healed and the cluster quiesced, on the client history and on what
 * every primary replica of every key holds locally, and verifies:
 *
 *  1. no acknowledged write lost: the item of every acknowledged put is in the union of the live
 *     siblings on the key's primaries, unless a delete (acknowledged or not, since an unanswered
 *     delete may still have been applied) read it first and so legitimately superseded it;
 *  2. convergence: all primaries of every key hold the same sibling set;
 *  3. no resurrection: no version that an acknowledged delete superseded (one its read returned, or
 *     an ancestor of one) is live again;
 *  4. strict writes: an acknowledged strict write's version is covered by the local copies of a
 *     majority of the primaries (and, when the driver looked at the moment of the acknowledgement,
 *     by W of them then);
 *  5. liveness: without faults every request succeeded; with nodes down but the network whole,
 *     every sloppy (non-strict) request did (the store is always writable while W nodes are up),
 *     except those whose node died under them (`interrupted`);
 *  6. read-your-writes (runs without faults, R + W > N): a read that starts after a put was
 *     acknowledged returns it or a descendant of it.
 *
 * Checks 1, 3 and 6 apply to `siblings` buckets only: `lww` buckets are documented as lossy, so for
 * them the checker only asks that they converge. The cart items are the causal witness; see cart.ts.
 */
import { liveData, isConverged, canonicalCopy, type KeyState } from './snapshot.js';
import { unionItems, versionsOf } from './cart.js';
import type { Operation, ReadOperation, WriteOperation } from './history.js';
import { covers, namesVersion, versionKey, type VersionRef } from './versions.js';

export type ViolationKind = 'lost' | 'unconverged' | 'resurrected' | 'strict' | 'failed-request' | 'stale-read' | 'expired-read';

export interface Violation {
  readonly kind: ViolationKind;
  readonly bucket: string;
  readonly key: string;
  readonly detail: string;
}

export interface CheckOptions {
  /** Check 5: which requests must have succeeded ('all' without faults; 'sloppy' with crashes only). */
  readonly liveness?: 'all' | 'sloppy' | 'off';
  /** Times [from, to) around a fault (requests in flight when it struck, detection): requests invoked then are excused from check 5. */
  readonly livenessGrace?: readonly (readonly [number, number])[];
  /** Check 6: no faults were injected, so R + W > N must give read-your-writes. */
  readonly readYourWrites?: boolean;
  readonly replicas?: number;
  readonly defaultR?: number;
  readonly defaultW?: number;
  readonly maxClockEntries?: number;
}

export interface CheckCounts {
  operations: number;
  keys: number;
  writesAcked: number;
  writesFailed: number;
  writesUnknown: number;
  readsOk: number;
  readsFailed: number;
  acknowledgedItems: number;
  lost: number;
  resurrected: number;
  unconvergedKeys: number;
  strictChecked: number;
  strictViolations: number;
  failedRequests: number;
  staleReads: number;
  /** Reads that returned a value past its write's ttl plus the skew bound (the expiring workload, expiry.ts). */
  expiredReads: number;
}

export interface CheckReport {
  readonly counts: CheckCounts;
  readonly violations: readonly Violation[];
  readonly ok: boolean;
}

interface Resolved {
  readonly liveness: 'all' | 'sloppy' | 'off';
  readonly livenessGrace: readonly (readonly [number, number])[];
  readonly readYourWrites: boolean;
  readonly replicas: number;
  readonly defaultR: number;
  readonly defaultW: number;
  readonly maxClockEntries: number;
}

const fmtS = (ms: number | null): string => (ms === null ? '?' : `${(ms / 1000).toFixed(3)} s`);

export function checkRun(operations: readonly Operation[], states: readonly KeyState[], options: CheckOptions = {}): CheckReport {
  const o: Resolved = {
    liveness: options.liveness ?? 'off',
    livenessGrace: options.livenessGrace ?? [],
    readYourWrites: options.readYourWrites ?? false,
    replicas: options.replicas ?? 3,
    defaultR: options.defaultR ?? 2,
    defaultW: options.defaultW ?? 2,
    maxClockEntries: options.maxClockEntries ?? 10,
  };
  const counts = emptyCounts(operations.length);
  const violations: Violation[] = [];
  const byKey = groupByKey(operations);
  const stateByKey = new Map(states.map((s) => [keyId(s.bucket, s.key), s]));
  for (const op of operations) countOutcome(counts, op);
  for (const [id, ops] of byKey) {
    const state = stateByKey.get(id);
    if (state === undefined) {
      violations.push({ kind: 'unconverged', bucket: ops[0]!.bucket, key: ops[0]!.key, detail: 'the driver took no snapshot of this key' });
      continue;
    }
    checkKey(ops, state, o, counts, violations);
  }
  counts.keys = states.length;
  for (const state of states) {
    if (isConverged(state)) continue;
    counts.unconvergedKeys++;
    violations.push({ kind: 'unconverged', bucket: state.bucket, key: state.key, detail: describeCopies(state) });
  }
  for (const op of operations) {
    if (op.outcome === 'ok') continue;
    counts.failedRequests++;
    if (livenessRequired(op, o)) {
      violations.push({ kind: 'failed-request', bucket: op.bucket, key: op.key, detail: `${op.kind} #${op.id} by ${op.client} at ${fmtS(op.invokedMs)}: ${op.outcome ?? 'open'} (${op.error ?? ''})` });
    }
  }
  return { counts, violations, ok: violations.length === 0 };
}

function livenessRequired(op: Operation, o: Resolved): boolean {
  if (op.interrupted === true || o.livenessGrace.some(([from, to]) => op.invokedMs >= from && op.invokedMs < to)) return false;
  return o.liveness === 'all' || (o.liveness === 'sloppy' && !op.strict);
}

function checkKey(ops: readonly Operation[], state: KeyState, o: Resolved, counts: CheckCounts, out: Violation[]): void {
  const writes = ops.filter((op): op is WriteOperation => op.kind !== 'get');
  checkStrict(writes, state, o, counts, out);
  if (state.conflict !== 'siblings') return;
  // When a delete (applied or not) first read each item: before that, the item cannot have been deleted.
  const deletedFrom = new Map<string, number>();
  for (const w of writes) {
    if (w.kind !== 'delete') continue;
    for (const item of w.seen) deletedFrom.set(item, Math.min(deletedFrom.get(item) ?? Infinity, w.invokedMs));
  }
  checkLost(writes, state, deletedFrom, counts, out);
  checkResurrection(writes, state, counts, out);
  if (o.readYourWrites) checkReadYourWrites(ops, deletedFrom, o, counts, out);
}

function checkLost(writes: readonly WriteOperation[], state: KeyState, deletedFrom: ReadonlyMap<string, number>, counts: CheckCounts, out: Violation[]): void {
  const final = new Set<string>();
  for (const node of state.primaries) for (const item of unionItems(liveData(state.copies.get(node) ?? null))) final.add(item);
  for (const w of writes) {
    if (w.kind !== 'put' || w.outcome !== 'ok') continue;
    counts.acknowledgedItems++;
    if (final.has(w.writeId) || deletedFrom.has(w.writeId)) continue;
    counts.lost++;
    out.push({
      kind: 'lost',
      bucket: state.bucket,
      key: state.key,
      detail: `item ${w.writeId} (put #${w.id}${w.strict ? ' strict' : ''}, acknowledged at ${fmtS(w.completedMs)}) is on none of the primaries ${state.primaries.join(', ')}`,
    });
  }
}

/** Every version an acknowledged delete superseded: what its read returned, and their ancestors. */
function supersededByDeletes(writes: readonly WriteOperation[]): Map<string, WriteOperation> {
  const byWriteId = new Map(writes.map((w) => [w.writeId, w]));
  const superseded = new Map<string, WriteOperation>();
  for (const d of writes) {
    if (d.kind !== 'delete' || d.outcome !== 'ok') continue;
    const expanded = new Set<string>();
    const stack: VersionRef[] = [...d.seenVersions];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (!superseded.has(versionKey(v))) superseded.set(versionKey(v), d);
      if (expanded.has(v.writeId)) continue;
      expanded.add(v.writeId);
      const parent = byWriteId.get(v.writeId);
      if (parent !== undefined) stack.push(...parent.seenVersions);
    }
  }
  return superseded;
}

function checkResurrection(writes: readonly WriteOperation[], state: KeyState, counts: CheckCounts, out: Violation[]): void {
  const superseded = supersededByDeletes(writes);
  if (superseded.size === 0) return;
  const keys = new Set(superseded.keys());
  const reported = new Set<string>();
  for (const node of state.primaries) {
    for (const v of versionsOf(state.copies.get(node)?.siblings ?? [])) {
      if (!namesVersion(keys, v) || reported.has(versionKey(v))) continue;
      reported.add(versionKey(v));
      counts.resurrected++;
      const d = superseded.get(versionKey(v)) ?? superseded.get(`${v.writeId}@*`);
      out.push({
        kind: 'resurrected',
        bucket: state.bucket,
        key: state.key,
        detail: `${versionKey(v)} is live on ${node} although delete #${d?.id ?? '?'} (acknowledged at ${fmtS(d?.completedMs ?? null)}) superseded it`,
      });
    }
  }
}

function checkStrict(writes: readonly WriteOperation[], state: KeyState, o: Resolved, counts: CheckCounts, out: Violation[]): void {
  const majority = Math.floor(state.primaries.length / 2) + 1;
  for (const w of writes) {
    if (!w.strict || w.outcome !== 'ok' || w.resultContext === undefined) continue;
    counts.strictChecked++;
    const at = w.strictCoverage;
    if (at !== undefined && at.covered < at.needed) {
      counts.strictViolations++;
      out.push({ kind: 'strict', bucket: state.bucket, key: state.key, detail: `strict ${w.kind} #${w.id} was acknowledged while only ${at.covered} of the primaries ${at.primaries.join(', ')} held it (needed ${at.needed})` });
      continue;
    }
    const holders = state.primaries.filter((node) => {
      const copy = state.copies.get(node);
      return copy != null && covers(copy.context, w.resultContext!, o.maxClockEntries);
    });
    if (holders.length >= majority) continue;
    counts.strictViolations++;
    out.push({ kind: 'strict', bucket: state.bucket, key: state.key, detail: `strict ${w.kind} #${w.id} is covered by ${holders.length} of the primaries ${state.primaries.join(', ')} (a majority is ${majority})` });
  }
}

function checkReadYourWrites(ops: readonly Operation[], deletedFrom: ReadonlyMap<string, number>, o: Resolved, counts: CheckCounts, out: Violation[]): void {
  const acked = ops.filter((op): op is WriteOperation => op.kind === 'put' && op.outcome === 'ok').sort((a, b) => a.completedMs! - b.completedMs!);
  for (const read of ops) {
    if (read.kind !== 'get' || read.outcome !== 'ok') continue;
    const r = read.r ?? o.defaultR;
    const items = new Set(read.items);
    for (const w of acked) {
      if (w.completedMs! >= read.invokedMs) break;
      if (r + (w.w ?? o.defaultW) <= o.replicas || items.has(w.writeId) || (deletedFrom.get(w.writeId) ?? Infinity) < read.completedMs!) continue;
      counts.staleReads++;
      out.push({ kind: 'stale-read', bucket: read.bucket, key: read.key, detail: staleDetail(read, w) });
      break;
    }
  }
}

function staleDetail(read: ReadOperation, w: WriteOperation): string {
  return `get #${read.id} by ${read.client} started at ${fmtS(read.invokedMs)} did not return ${w.writeId} (put #${w.id}, acknowledged at ${fmtS(w.completedMs)})`;
}

function countOutcome(counts: CheckCounts, op: Operation): void {
  if (op.kind === 'get') {
    if (op.outcome === 'ok') counts.readsOk++;
    else counts.readsFailed++;
    return;
  }
  if (op.outcome === 'ok') counts.writesAcked++;
  else if (op.outcome === 'failed') counts.writesFailed++;
  else counts.writesUnknown++;
}

function describeCopies(state: KeyState): string {
  return state.primaries.map((node) => `${node}: ${canonicalCopy(state.copies.get(node) ?? null).slice(0, 120)}`).join(' | ');
}

function keyId(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}

function groupByKey(operations: readonly Operation[]): Map<string, Operation[]> {
  const out = new Map<string, Operation[]>();
  for (const op of operations) {
    const id = keyId(op.bucket, op.key);
    const list = out.get(id);
    if (list === undefined) out.set(id, [op]);
    else list.push(op);
  }
  return out;
}

export function emptyCounts(operations: number): CheckCounts {
  return {
    operations,
    keys: 0,
    writesAcked: 0,
    writesFailed: 0,
    writesUnknown: 0,
    readsOk: 0,
    readsFailed: 0,
    acknowledgedItems: 0,
    lost: 0,
    resurrected: 0,
    unconvergedKeys: 0,
    strictChecked: 0,
    strictViolations: 0,
    failedRequests: 0,
    staleReads: 0,
    expiredReads: 0,
  };
}

/** The counts as one line, for both drivers' summaries. */
export function formatCounts(c: CheckCounts): string {
  return (
    `operations ${c.operations} (writes acked ${c.writesAcked}, failed ${c.writesFailed}, unknown ${c.writesUnknown}; reads ok ${c.readsOk}, failed ${c.readsFailed}); ` +
    `acknowledged items ${c.acknowledgedItems}, lost ${c.lost}, resurrected ${c.resurrected}, unconverged keys ${c.unconvergedKeys}/${c.keys}, ` +
    `strict checked ${c.strictChecked} violations ${c.strictViolations}, failed requests ${c.failedRequests}, stale reads ${c.staleReads}, expired reads ${c.expiredReads}`
  );
}
