/**
 * The checker on hand-made histories and replica states: each property is shown to pass on a
 * correct story and to fail on the broken one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VersionVector } from '../core/versions/index.js';
import { cartValue, encodeCart } from './cart.js';
import { checkRun, type CheckReport } from './checker.js';
import { History, type WriteOperation } from './history.js';
import type { KeyState, ReplicaCopy } from './snapshot.js';
import type { VersionRef } from './versions.js';

const PRIMARIES = ['n1', 'n2', 'n3'];

function copy(context: VersionVector, siblings: { writeId: string; items: string[]; ts: number }[], tombstoneTs?: number): ReplicaCopy {
  const list = siblings.map((s) => ({ data: encodeCart(cartValue(s.writeId, s.items)) as Uint8Array | null, timestampMs: s.ts }));
  if (tombstoneTs !== undefined) list.push({ data: null, timestampMs: tombstoneTs });
  return { context, siblings: list };
}

function state(copies: (ReplicaCopy | null)[], conflict: 'siblings' | 'lww' = 'siblings'): KeyState {
  return { bucket: 'cart', key: 'k', conflict, primaries: PRIMARIES, copies: new Map(PRIMARIES.map((n, i) => [n, copies[i] ?? null])) };
}

function put(h: History, writeId: string, seen: VersionRef[], items: string[], at: number, outcome: 'ok' | 'failed' | 'unknown' = 'ok', extra: Partial<WriteOperation> = {}): WriteOperation {
  const op = h.invokeWrite({ kind: 'put', client: 'c1', bucket: 'cart', key: 'k', strict: false, writeId, items: [...new Set([...items, writeId])].sort(), seen: items, seenVersions: seen, ...extra }, at);
  h.complete(op, outcome, at + 5);
  return op;
}

function del(h: History, writeId: string, seen: VersionRef[], items: string[], at: number, outcome: 'ok' | 'failed' | 'unknown' = 'ok'): WriteOperation {
  const op = h.invokeWrite({ kind: 'delete', client: 'c2', bucket: 'cart', key: 'k', strict: false, writeId, items: [], seen: items, seenVersions: seen }, at);
  h.complete(op, outcome, at + 5);
  return op;
}

function read(h: History, items: string[], at: number, r?: number): void {
  const op = h.invokeRead({ kind: 'get', client: 'c3', bucket: 'cart', key: 'k', strict: false, r }, at);
  op.items = items;
  h.complete(op, 'ok', at + 5);
}

const kinds = (r: CheckReport): string[] => r.violations.map((v) => v.kind);

test('an acknowledged add missing from every primary is a lost write; present on one primary it is not', () => {
  const h = new History();
  put(h, 'a1', [], [], 0);
  put(h, 'a2', [{ writeId: 'a1', timestampMs: 10 }], ['a1'], 20);
  const good = copy([['n1:d1', 2]], [{ writeId: 'a2', items: ['a1'], ts: 25 }]);
  assert.deepEqual(kinds(checkRun(h.operations, [state([good, good, good])])), []);
  const lossy = copy([['n1:d1', 2]], [{ writeId: 'a2', items: [], ts: 25 }]);
  const report = checkRun(h.operations, [state([lossy, lossy, lossy])]);
  assert.deepEqual(kinds(report), ['lost']);
  assert.equal(report.counts.lost, 1);
  assert.equal(report.counts.acknowledgedItems, 2);
});

test('an unacknowledged add may vanish; an add a delete read may vanish even if the delete failed', () => {
  const h = new History();
  put(h, 'a1', [], [], 0, 'unknown');
  put(h, 'a2', [], [], 10);
  del(h, 'd1', [{ writeId: 'a2', timestampMs: 12 }], ['a2'], 20, 'unknown');
  const empty = copy([['n1:d1', 3]], [], 22);
  assert.deepEqual(kinds(checkRun(h.operations, [state([empty, empty, empty])])), []);
});

test('a version an acknowledged delete superseded coming back is a resurrection, and so is its ancestor', () => {
  const h = new History();
  put(h, 'a1', [], [], 0);
  put(h, 'a2', [{ writeId: 'a1', timestampMs: 2 }], ['a1'], 10);
  del(h, 'd1', [{ writeId: 'a2', timestampMs: 12 }], ['a1', 'a2'], 20);
  const deleted = copy([['n1:d1', 3]], [], 22);
  assert.deepEqual(kinds(checkRun(h.operations, [state([deleted, deleted, deleted])])), []);
  const back = copy([['n1:d1', 3]], [{ writeId: 'a1', items: [], ts: 2 }], 22);
  const report = checkRun(h.operations, [state([back, back, back])]);
  assert.deepEqual(kinds(report), ['resurrected']);
  assert.equal(report.counts.resurrected, 1);
});

test('a concurrent put the delete never saw survives it as a sibling, and so does a second application of a seen write', () => {
  const h = new History();
  put(h, 'a1', [], [], 0);
  del(h, 'd1', [{ writeId: 'a1', timestampMs: 2 }], ['a1'], 20);
  put(h, 'b1', [], [], 21);
  const both = copy([['n1:d1', 3]], [{ writeId: 'b1', items: [], ts: 23 }, { writeId: 'a1', items: [], ts: 9 }], 22);
  assert.deepEqual(kinds(checkRun(h.operations, [state([both, both, both])])), []);
});

test('primaries that disagree are unconverged', () => {
  const h = new History();
  put(h, 'a1', [], [], 0);
  const one = copy([['n1:d1', 1]], [{ writeId: 'a1', items: [], ts: 2 }]);
  const report = checkRun(h.operations, [state([one, one, null])]);
  assert.deepEqual(kinds(report), ['unconverged']);
  assert.equal(report.counts.unconvergedKeys, 1);
});

test('lww buckets are only checked for convergence', () => {
  const h = new History();
  put(h, 'a1', [], [], 0);
  const other = copy([['n1:d1', 2]], [{ writeId: 'zz', items: [], ts: 2 }]);
  const s: KeyState = { ...state([other, other, other], 'lww'), bucket: 'cart' };
  assert.deepEqual(kinds(checkRun(h.operations, [s])), []);
});

test('a strict write held by fewer than a majority of primaries is a violation', () => {
  const h = new History();
  const w = put(h, 'a1', [], [], 0, 'ok', { strict: true });
  w.resultContext = [['n1:d1', 1]];
  const held = copy([['n1:d1', 1]], [{ writeId: 'a1', items: [], ts: 2 }]);
  const older: ReplicaCopy = { context: [], siblings: [] };
  assert.deepEqual(kinds(checkRun(h.operations, [state([held, held, older])])).filter((k) => k === 'strict'), []);
  assert.deepEqual(kinds(checkRun(h.operations, [state([held, older, older])])).filter((k) => k === 'strict'), ['strict']);
  w.strictCoverage = { covered: 1, needed: 2, primaries: PRIMARIES };
  assert.ok(kinds(checkRun(h.operations, [state([held, held, held])])).includes('strict'));
});

test('without faults: every request must succeed, and a read after an acknowledged put must see it', () => {
  const h = new History();
  put(h, 'a1', [], [], 0);
  read(h, ['a1'], 10);
  const final = copy([['n1:d1', 1]], [{ writeId: 'a1', items: [], ts: 2 }]);
  const options = { liveness: 'all' as const, readYourWrites: true };
  assert.deepEqual(kinds(checkRun(h.operations, [state([final, final, final])], options)), []);
  read(h, [], 20);
  read(h, [], 30, 1); // R=1, W=2: no promise
  put(h, 'a2', [], [], 40, 'failed');
  const report = checkRun(h.operations, [state([final, final, final])], options);
  assert.deepEqual(kinds(report).sort(), ['failed-request', 'stale-read']);
});
