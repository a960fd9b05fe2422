/**
 * Merges: space comes back, nothing is lost or resurrected when writes race a merge, a crash at any
 * step of a merge reopens to the committed state, and close or a failure stops a merge cleanly.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { StorageError } from './engine.js';
import { openLogEngine, type LogEngine, type LogEngineOptions, type LogSeams } from './log.js';
import { Keydir } from './log-keydir.js';
import { LOG_DEFAULTS } from './log-options.js';
import { faultyIo } from './testing/faulty-io.js';
import { photograph } from './testing/log-files.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

type Model = Map<number, Uint8Array>;

const keyOf = (k: number): Uint8Array => Buffer.from(`key-${String(k).padStart(5, '0')}`);
/** A value that names its key and version, so a stale or misplaced value cannot pass. */
function valueOf(k: number, version: number, size = 200): Uint8Array {
  const v = Buffer.alloc(size, (k * 7 + version) & 0xff);
  v.write(`${k}:${version}`);
  return v;
}
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function open(path: string, options: Partial<LogEngineOptions> = {}, seams: LogSeams = {}): Promise<LogEngine> {
  return openLogEngine({ path, durability: 'none', maxFileBytes: 16 * 1024, mergeMinBytes: Number.MAX_SAFE_INTEGER, ...options }, seams);
}

/** Stages `k` (null deletes) into engine and model alike, so they agree the moment commit() is called. */
function write(engine: LogEngine, model: Model, k: number, value: Uint8Array | null): void {
  engine.stage(keyOf(k), value);
  if (value === null) model.delete(k);
  else model.set(k, value);
}

function checkModel(engine: LogEngine, model: Model, keys: number, when: string): void {
  for (let k = 0; k < keys; k++) {
    const got = engine.get(keyOf(k));
    const want = model.get(k);
    assert.equal(got === undefined ? undefined : Buffer.from(got).toString('hex'), want === undefined ? undefined : Buffer.from(want).toString('hex'), `key ${k} ${when}`);
  }
  assert.equal(engine.count(keyOf(0), keyOf(keys)), model.size, `count ${when}`);
  engine.invariants();
}

describe('log engine merge', () => {
  test('a merge reclaims overwritten and deleted values; every live key still reads right', async () => {
    const path = dirs.make('merge-space');
    const engine = await open(path);
    const model: Model = new Map();
    for (let version = 0; version < 4; version++) {
      for (let k = 0; k < 300; k++) write(engine, model, k, valueOf(k, version));
      await engine.commit();
    }
    for (let k = 0; k < 300; k += 3) write(engine, model, k, null);
    await engine.commit();
    const before = engine.stats();
    await engine.merge();
    const merged = engine.stats();
    assert.ok(merged.fileBytes < before.fileBytes / 3, `file bytes ${before.fileBytes} → ${merged.fileBytes}`);
    assert.equal(merged.deadBytes, 0);
    assert.equal(merged.liveKeys, 200);
    assert.equal(merged.merges, 1);
    checkModel(engine, model, 300, 'after the merge');
    await engine.close();
    const again = await open(path);
    checkModel(again, model, 300, 'after reopen');
    assert.equal(again.stats().fileBytes, merged.fileBytes);
    await again.close();
  });

  test('a merge copies only the record the keydir points at, not an older one of the same key', async () => {
    const path = dirs.make('merge-stale');
    const engine = await open(path, { mergeChunkRecords: 1 });
    const model: Model = new Map();
    for (let version = 0; version < 3; version++) {
      write(engine, model, 1, valueOf(1, version));
      await engine.commit();
    }
    await engine.merge();
    checkModel(engine, model, 2, 'after the merge');
    await engine.close();
    const again = await open(path);
    checkModel(again, model, 2, 'after reopen');
    await again.close();
  });

  test('merges start on their own when half the bytes are dead, and keep the files bounded', async (t) => {
    const path = dirs.make('merge-auto');
    const mergeMinBytes = 64 * 1024;
    const engine = await open(path, { mergeMinBytes, maxFileBytes: 32 * 1024 });
    const model: Model = new Map();
    let peak = 0;
    const roundBytes = 50 * 500;
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 50; k++) write(engine, model, k, valueOf(k, round, 500));
      await engine.commit();
      peak = Math.max(peak, engine.stats().fileBytes);
      // Paced like a node under load: a merge (its fsyncs on the thread pool) gets to finish every few rounds.
      if (round % 4 === 3) while (engine.stats().merging) await tick();
    }
    while (engine.stats().merging) await tick();
    const stats = engine.stats();
    t.diagnostic(`${stats.merges} merges; files peaked at ${peak} bytes, ${stats.fileBytes} at the end, for ${stats.liveBytes} live`);
    assert.ok(stats.merges >= 10, `${stats.merges} merges`);
    // A merge starts at its floor (at most mergeMinBytes raised by the jitter) with half dead; 4 rounds can land while it runs.
    const bound = 2 * Math.max(mergeMinBytes * (1 + LOG_DEFAULTS.mergeJitter), 2 * stats.liveBytes) + 4 * roundBytes;
    assert.ok(peak < bound, `files peaked at ${peak} bytes for ${stats.liveBytes} live (bound ${bound})`);
    checkModel(engine, model, 50, 'after automatic merges');
    await engine.close();
  });

  test('each merge floor is mergeMinBytes raised by a fresh draw of the jitter, so replicas fed the same writes merge at different times', async () => {
    const mergeMinBytes = 64 * 1024;
    const draws = [0.5, 0.9];
    const seams: LogSeams = { random: () => draws.shift() ?? 0 };
    const engine = await open(dirs.make('merge-floor'), { mergeMinBytes, mergeJitter: 0.5, maxFileBytes: 8 * 1024 }, seams);
    assert.equal(engine.stats().mergeFloorBytes, Math.floor(mergeMinBytes * 1.25));
    const model: Model = new Map();
    // 20 keys of 500 B rewritten every round: from the second round on, more than half the bytes are dead.
    let round = 0;
    const writeRound = async (): Promise<void> => {
      for (let k = 0; k < 20; k++) write(engine, model, k, valueOf(k, round, 500));
      round++;
      await engine.commit();
      await tick();
    };
    while (engine.stats().fileBytes + 20 * 520 < mergeMinBytes * 1.25) await writeRound();
    assert.equal(engine.stats().merges, 0, 'past mergeMinBytes but below the floor drawn: no merge yet');
    assert.ok(engine.stats().fileBytes > mergeMinBytes);
    while (engine.stats().merges === 0) await writeRound();
    assert.equal(engine.stats().mergeFloorBytes, Math.floor(mergeMinBytes * 1.45), 'a merge draws the next floor');
    checkModel(engine, model, 20, 'after the merge');
    await engine.close();
  });

  test('mergeJitter is checked', async () => {
    for (const mergeJitter of [-0.1, 11, Number.NaN]) {
      await assert.rejects(open(dirs.make('bad-jitter'), { mergeJitter }), (err: unknown) => err instanceof StorageError && err.code === 'BAD_OPTION');
    }
  });

  test('writes and deletes while a merge runs survive it and a reopen', async (t) => {
    const path = dirs.make('merge-race');
    const engine = await open(path, { mergeChunkRecords: 5, maxFileBytes: 8 * 1024 });
    const model: Model = new Map();
    for (let k = 0; k < 200; k++) write(engine, model, k, valueOf(k, 0));
    await engine.commit();
    for (let k = 0; k < 200; k += 2) write(engine, model, k, valueOf(k, 1));
    await engine.commit();
    const merge = engine.merge();
    let turns = 0;
    for (let i = 0; engine.stats().merging || turns === 0; i++) {
      // Deterministic churn over the same keys the merge is copying: overwrite, delete, re-create.
      const k = (i * 37) % 200;
      write(engine, model, k, i % 3 === 0 ? null : valueOf(k, 10 + i));
      write(engine, model, (k + 101) % 200, valueOf((k + 101) % 200, 10 + i));
      await engine.commit();
      await tick();
      turns++;
    }
    await merge;
    t.diagnostic(`the merge ran over ${turns} turns of commits`);
    assert.ok(turns > 10, 'the merge overlapped many commits');
    checkModel(engine, model, 200, 'after the merge');
    await engine.close();
    const again = await open(path);
    checkModel(again, model, 200, 'after reopen');
    await again.merge();
    checkModel(again, model, 200, 'after a second merge');
    await again.close();
  });

  test('a crash at any step of a merge reopens to what was committed; deleted keys stay deleted', async (t) => {
    const path = dirs.make('merge-steps');
    const photos: Array<{ step: string; dir: string; model: Model }> = [];
    const model: Model = new Map();
    const engine = await open(
      path,
      { mergeChunkRecords: 7, maxFileBytes: 4 * 1024 },
      { onMergeStep: (step) => photos.push({ step, dir: photograph(dirs, path, step), model: new Map(model) }) },
    );
    // Puts in the oldest files, tombstones for half of them in later files, overwrites after.
    for (let k = 0; k < 60; k++) {
      write(engine, model, k, valueOf(k, 0));
      if (k % 5 === 4) await engine.commit();
    }
    for (let k = 0; k < 60; k += 2) {
      write(engine, model, k, null);
      await engine.commit();
    }
    for (let k = 1; k < 60; k += 4) write(engine, model, k, valueOf(k, 1));
    await engine.commit();
    const merge = engine.merge();
    // Churn only keys 40..59: keys below rely on the old files' tombstones alone, so a tombstone
    // deleted before the put it shadows would show as a resurrected key.
    for (let i = 0; engine.stats().merging; i++) {
      const k = 40 + ((i * 7) % 20);
      write(engine, model, k, i % 2 === 0 ? valueOf(k, 20 + i) : null);
      await engine.commit();
      await tick();
    }
    await merge;
    await engine.close();
    const steps = new Set(photos.map((p) => p.step));
    t.diagnostic(`${photos.length} crash photographs: ${[...steps].join(', ')}`);
    assert.deepEqual([...steps].sort(), ['input-removed', 'output-renamed', 'output-written']);
    assert.ok(photos.filter((p) => p.step === 'input-removed').length >= 3, 'several inputs, so a crash can fall between unlinks');
    for (const [i, photo] of photos.entries()) {
      const reopened = await open(photo.dir);
      checkModel(reopened, photo.model, 60, `after a crash at ${photo.step} (#${i})`);
      assert.deepEqual(readdirSync(photo.dir).filter((n) => n.endsWith('.tmp')), [], 'open removes temp files');
      await reopened.close();
    }
  });

  test('close during a merge cancels it cleanly', async () => {
    const path = dirs.make('merge-close');
    const engine = await open(path, { mergeChunkRecords: 2, maxFileBytes: 4 * 1024 });
    const model: Model = new Map();
    for (let version = 0; version < 2; version++) {
      for (let k = 0; k < 100; k++) write(engine, model, k, valueOf(k, version));
      await engine.commit();
    }
    const merge = engine.merge();
    for (let i = 0; i < 10; i++) await tick();
    assert.equal(engine.stats().merging, true);
    await engine.close();
    await assert.rejects(merge, (err) => err instanceof StorageError && err.code === 'CLOSED');
    assert.deepEqual(readdirSync(path).filter((n) => n.endsWith('.tmp')), [], 'close removes the merge temp files');
    const again = await open(path);
    checkModel(again, model, 100, 'after a cancelled merge');
    await again.close();
  });

  test('a failed merge leaves the engine usable, and the next merge finishes the job', async () => {
    const path = dirs.make('merge-fail');
    const { io, faults } = faultyIo();
    const engine = await open(path, { mergeChunkRecords: 10, maxFileBytes: 4 * 1024 }, { io });
    const model: Model = new Map();
    for (let version = 0; version < 3; version++) {
      for (let k = 0; k < 80; k++) write(engine, model, k, valueOf(k, version));
      await engine.commit();
    }
    const before = engine.stats().fileBytes;
    // Let a few chunks reach the temp output (their keydir entries move there), then fail a write.
    const failing = engine.merge();
    for (let i = 0; i < 3; i++) await tick();
    faults.mergeWrite = true;
    await assert.rejects(failing, /injected merge write failure/);
    faults.mergeWrite = false;
    assert.match(engine.stats().lastMergeError ?? '', /injected/);
    checkModel(engine, model, 80, 'after the failed merge');
    write(engine, model, 5, valueOf(5, 99));
    await engine.commit();
    await engine.merge();
    const stats = engine.stats();
    assert.equal(stats.lastMergeError, undefined);
    assert.ok(stats.fileBytes < before / 2, `file bytes ${before} → ${stats.fileBytes}`);
    assert.deepEqual(readdirSync(path).filter((n) => n.endsWith('.tmp')), [], 'the next merge removed the failed one’s temp file');
    checkModel(engine, model, 80, 'after the second merge');
    await engine.close();
    const again = await open(path);
    checkModel(again, model, 80, 'after reopen');
    await again.close();
  });
});

test('the keydir lists, per file, the offsets it points at, ascending, and nothing for other files', () => {
  const keydir = new Keydir();
  keydir.set('a', 1, 500, 10, 1);
  keydir.set('b', 2, 40, 10, 2);
  keydir.set('c', 1, 20, 10, 3);
  keydir.set('d', 3, 0, 10, 4);
  keydir.set('a', 2, 900, 10, 5); // a moved on: file 1 no longer holds it
  keydir.remove('d');
  const live = keydir.liveOffsets(new Set([1, 2, 3]));
  assert.deepEqual([...(live.get(1) ?? [])], [20]);
  assert.deepEqual([...(live.get(2) ?? [])], [40, 900]);
  assert.equal(live.has(3), false, 'a file the keydir no longer points into has no entry');
  assert.equal(keydir.liveOffsets(new Set([7])).size, 0);
});
