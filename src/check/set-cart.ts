/**
 * The checker of the set-bucket cart (issue 17): clients add unique elements with POST-style
 * updates and remove elements they read, with that read's context. Every element is added once,
 * by one request, so "re-added after the read that removed it" never happens and the rules are:
 *
 *  1. no lost add: an acknowledged add of an element that no remove ever read (acknowledged or not,
 *     since an unanswered remove may still have been applied) is in the final set;
 *  2. no resurrected remove: an element whose remove was acknowledged is in no primary's final set,
 *     when its add was acknowledged before the remove's read began; an add still unanswered then
 *     may be applied again later (a coordinator that timed out re-routes it), which is an add after
 *     the read, and OR-set semantics keep it;
 *  3. full convergence: every primary holds the same elements and the same state (clocks included);
 *  4. no siblings: every successful read of the set bucket returned one merged set value.
 *
 * Pure, over recorded operations and the primaries' final states, like checker.ts.
 */
import type { CheckCounts, CheckReport, Violation } from './checker.js';
import { emptyCounts } from './checker.js';
import { isConverged, type KeyState } from './snapshot.js';

export type SetOutcome = 'ok' | 'failed' | 'unknown';

export type SetOperation =
  | { readonly kind: 'add'; readonly bucket: string; readonly key: string; readonly element: string; outcome: SetOutcome | null; readonly invokedMs: number; completedMs?: number }
  /** `readInvokedMs`: when the read whose context the remove carries was sent. */
  | { readonly kind: 'remove'; readonly bucket: string; readonly key: string; readonly elements: readonly string[]; outcome: SetOutcome | null; readonly invokedMs: number; readonly readInvokedMs: number }
  | { readonly kind: 'read'; readonly bucket: string; readonly key: string; outcome: SetOutcome | null; readonly invokedMs: number; readonly node: string; merged: boolean };

/** A key after the run: the full replica state (for convergence) and each primary's elements (null: holds nothing). */
export interface SetKeyState {
  readonly state: KeyState;
  readonly elements: ReadonlyMap<string, readonly string[] | null>;
}

const keyId = (bucket: string, key: string): string => `${bucket}\u0000${key}`;

export function checkSetCart(operations: readonly SetOperation[], finals: readonly SetKeyState[]): CheckReport {
  const counts: CheckCounts = emptyCounts(operations.length);
  const violations: Violation[] = [];
  const tried = new Set<string>();
  for (const op of operations) {
    count(counts, op);
    if (op.kind === 'remove') for (const e of op.elements) tried.add(keyId(op.bucket, op.key) + '\u0000' + e);
    if (op.kind === 'read' && op.outcome === 'ok' && !op.merged) violations.push({ kind: 'unconverged', bucket: op.bucket, key: op.key, detail: `a read through ${op.node} at ${op.invokedMs} returned no merged set value` });
  }
  const byKey = new Map(finals.map((f) => [keyId(f.state.bucket, f.state.key), f]));
  const addedAt = new Map<string, number>();
  for (const op of operations) if (op.kind === 'add' && op.outcome === 'ok' && op.completedMs !== undefined) addedAt.set(keyId(op.bucket, op.key) + '\u0000' + op.element, op.completedMs);
  for (const op of operations) {
    if (op.outcome !== 'ok' || op.kind === 'read') continue;
    const final = byKey.get(keyId(op.bucket, op.key));
    if (final === undefined) {
      violations.push({ kind: 'unconverged', bucket: op.bucket, key: op.key, detail: 'the driver took no snapshot of this key' });
      continue;
    }
    const holders = (e: string): string[] => final.state.primaries.filter((n) => (final.elements.get(n) ?? []).includes(e));
    if (op.kind === 'add') {
      counts.acknowledgedItems++;
      if (tried.has(keyId(op.bucket, op.key) + '\u0000' + op.element) || holders(op.element).length > 0) continue;
      counts.lost++;
      violations.push({ kind: 'lost', bucket: op.bucket, key: op.key, detail: `acknowledged add of ${op.element} (invoked at ${op.invokedMs}) is on none of the primaries ${final.state.primaries.join(', ')}` });
      continue;
    }
    for (const e of op.elements) {
      const acked = addedAt.get(keyId(op.bucket, op.key) + '\u0000' + e);
      if (acked === undefined || acked >= op.readInvokedMs) continue;
      const back = holders(e);
      if (back.length === 0) continue;
      counts.resurrected++;
      violations.push({ kind: 'resurrected', bucket: op.bucket, key: op.key, detail: `${e} is in the set on ${back.join(', ')} although its remove (invoked at ${op.invokedMs}) was acknowledged` });
    }
  }
  counts.keys = finals.length;
  for (const f of finals) {
    const spelled = f.state.primaries.map((n) => JSON.stringify(f.elements.get(n) ?? null));
    if (isConverged(f.state) && spelled.every((s) => s === spelled[0])) continue;
    counts.unconvergedKeys++;
    violations.push({ kind: 'unconverged', bucket: f.state.bucket, key: f.state.key, detail: f.state.primaries.map((n, i) => `${n}: ${spelled[i]!.slice(0, 120)}`).join(' | ') });
  }
  return { counts, violations, ok: violations.length === 0 };
}

function count(counts: CheckCounts, op: SetOperation): void {
  if (op.kind === 'read') {
    if (op.outcome === 'ok') counts.readsOk++;
    else counts.readsFailed++;
    return;
  }
  if (op.outcome === 'ok') counts.writesAcked++;
  else if (op.outcome === 'failed') counts.writesFailed++;
  else counts.writesUnknown++;
  if (op.outcome !== 'ok') counts.failedRequests++;
}
