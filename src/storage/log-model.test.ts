/**
 * The log engine against the simplest model that could be right, across restarts: fast-check drives
 * random puts, deletes, commits, clean reopens, crashes (a photograph of the directory opened as a
 * new engine, so staged writes are lost and committed ones must all be there), awaited merges and
 * merges left running while writes go on. Files are tiny (1 KiB) and merges move two records a
 * turn, so rolls, merges and their overlap with commits happen in nearly every run.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { assertNever } from '../core/assert.js';
import { StorageError } from './engine.js';
import { openLogEngine, type LogEngine } from './log.js';
import { photograph } from './testing/log-files.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

type Op =
  | { readonly t: 'put'; readonly key: number; readonly size: number }
  | { readonly t: 'delete'; readonly key: number }
  | { readonly t: 'commit' }
  | { readonly t: 'reopen' }
  | { readonly t: 'crash' }
  | { readonly t: 'merge' }
  | { readonly t: 'startMerge' }
  | { readonly t: 'tick' };

const KEYS = 12;
const keyArb = fc.integer({ min: 0, max: KEYS - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('put' as const), key: keyArb, size: fc.integer({ min: 0, max: 600 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('delete' as const), key: keyArb }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('commit' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reopen' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('merge' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('startMerge' as const) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('tick' as const) }) },
);

const keyOf = (k: number): Uint8Array => Uint8Array.of(0x6b, k);
/** A value that names its write, so a stale one cannot pass for the right one. */
function valueOf(write: number, size: number): Uint8Array {
  const v = new Uint8Array(size);
  for (let i = 0; i < size; i++) v[i] = (write * 31 + i) & 0xff;
  return v;
}
const hex = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('hex');

function open(path: string): Promise<LogEngine> {
  return openLogEngine({ path, durability: 'none', maxFileBytes: 1024, mergeMinBytes: 0, mergeChunkRecords: 2 });
}

/** Every key reads as the model says, and a full range lists exactly the model. */
function checkMatches(engine: LogEngine, model: ReadonlyMap<number, Uint8Array>, when: string): void {
  for (let k = 0; k < KEYS; k++) {
    const got = engine.get(keyOf(k));
    const want = model.get(k);
    assert.equal(got === undefined ? undefined : hex(got), want === undefined ? undefined : hex(want), `key ${k} ${when}`);
  }
  const listed = [...engine.range(Uint8Array.of(0x6b), Uint8Array.of(0x6c))].map((e) => `${e.key[1]}=${hex(e.value)}`);
  const expected = [...model.keys()].sort((a, b) => a - b).map((k) => `${k}=${hex(model.get(k)!)}`);
  assert.deepEqual(listed, expected, when);
  engine.invariants();
}

/** What the runs did, so a run that never merged or crashed shows in the diagnostics. */
const seen = { merges: 0, mergesOverlappingCommits: 0, crashes: 0, reopens: 0, maxFiles: 0 };

/** Runs `ops`; a merge left running may end in CLOSED (the engine closed under it), nothing else. */
async function run(ops: readonly Op[]): Promise<void> {
  let path = dirs.make('model');
  let engine = await open(path);
  let visible = new Map<number, Uint8Array>();
  let committed = new Map<number, Uint8Array>();
  const mergeErrors: unknown[] = [];
  const background = (merge: Promise<void>): void => {
    merge.catch((err: unknown) => {
      if (!(err instanceof StorageError && err.code === 'CLOSED')) mergeErrors.push(err);
    });
  };
  try {
    for (const [i, op] of ops.entries()) {
      switch (op.t) {
        case 'put': {
          const value = valueOf(i, op.size);
          engine.stage(keyOf(op.key), value);
          visible.set(op.key, value);
          break;
        }
        case 'delete':
          engine.stage(keyOf(op.key), null);
          visible.delete(op.key);
          break;
        case 'commit':
          if (engine.stats().merging && engine.hasStaged()) seen.mergesOverlappingCommits++;
          await engine.commit();
          committed = new Map(visible);
          break;
        case 'reopen':
          seen.merges += engine.stats().merges;
          seen.reopens++;
          await engine.close();
          committed = new Map(visible);
          engine = await open(path);
          checkMatches(engine, committed, `after reopen at op ${i}`);
          break;
        case 'crash': {
          const copy = photograph(dirs, path, 'crash');
          seen.merges += engine.stats().merges;
          seen.crashes++;
          await engine.close();
          path = copy;
          visible = new Map(committed);
          engine = await open(path);
          checkMatches(engine, committed, `after a crash at op ${i}`);
          break;
        }
        case 'merge':
          await engine.merge();
          break;
        case 'startMerge':
          background(engine.merge());
          break;
        case 'tick':
          await new Promise((resolve) => setImmediate(resolve));
          break;
        default:
          assertNever(op, 'op');
      }
      checkMatches(engine, visible, `after op ${i} (${op.t})`);
      seen.maxFiles = Math.max(seen.maxFiles, engine.stats().files);
    }
    seen.merges += engine.stats().merges;
    await engine.close();
    engine = await open(path);
    checkMatches(engine, visible, 'after the final reopen');
    assert.deepEqual(mergeErrors, []);
  } finally {
    await engine.close();
  }
}

test('reopen and crash recovery return exactly what was committed, through rolls and merges', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 100, size: 'max' }), (ops) => run(ops)),
    { numRuns: 100 },
  );
  t.diagnostic(JSON.stringify(seen));
  assert.ok(seen.merges > 0 && seen.crashes > 0 && seen.mergesOverlappingCommits > 0, 'the runs merged, crashed and committed during merges');
});

test('a crash photographed while a merge deletes its inputs on the thread pool (a counterexample fast-check found)', async () => {
  // The photograph raced the merge's asynchronous unlinks and failed one time in ~50; repeat enough to catch it.
  for (let i = 0; i < 300; i++) {
    await run([{ t: 'startMerge' }, { t: 'tick' }, { t: 'put', key: 1, size: 27 }, { t: 'tick' }, { t: 'crash' }, { t: 'tick' }]);
  }
});
