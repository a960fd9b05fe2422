/** The LMDB engine against the compliance suite in every durability mode, plus injected faults. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { StorageError, type Durability, type StorageEngine } from './engine.js';
import { runEngineCompliance } from './testing/compliance.js';
import { createLmdbEngine, openLmdbEngine, type LmdbStore } from './lmdb.js';
import { open } from 'lmdb';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

/** Which directory each engine opened, so `reopen` can find it. */
const pathOf = new WeakMap<StorageEngine, string>();

async function openAt(path: string, durability: Durability): Promise<StorageEngine> {
  const engine = await openLmdbEngine({ path, durability, mapSizeBytes: 1024 * 1024 });
  pathOf.set(engine, path);
  return engine;
}

for (const durability of ['interval', 'always', 'none'] as const) {
  runEngineCompliance(
    `lmdb (${durability})`,
    () => openAt(dirs.make('lmdb'), durability),
    (old) => openAt(pathOf.get(old)!, durability),
  );
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A real store whose transactions or fsyncs fail on demand. */
function faultyStore(path: string): { store: LmdbStore; faults: { commit: boolean; sync: boolean } } {
  const db = open<Uint8Array, Uint8Array>({ path, keyEncoding: 'binary', encoding: 'binary', overlappingSync: false });
  const real = db as unknown as LmdbStore;
  const faults = { commit: false, sync: false };
  const store: LmdbStore = {
    getBinary: (k) => real.getBinary(k),
    doesExist: (k) => real.doesExist(k),
    putSync: (k, v) => real.putSync(k, v),
    removeSync: (k) => real.removeSync(k),
    getRange: (q) => real.getRange(q),
    getKeysCount: (q) => real.getKeysCount(q),
    close: () => real.close(),
    transactionSync: (action, flags) =>
      real.transactionSync(() => {
        action();
        if (faults.commit) throw new Error('injected commit failure');
      }, flags),
    sync: (callback) => (faults.sync ? setImmediate(() => callback(new Error('EIO (injected)'))) : real.sync(callback)),
  };
  return { store, faults };
}

describe('lmdb engine faults', () => {
  test('a rejected commit discards its batch and leaves the engine usable', async () => {
    const { store, faults } = faultyStore(dirs.make('faults'));
    const engine = createLmdbEngine(store, { durability: 'interval', fsyncIntervalMs: 1000 });
    engine.stage(text('before'), text('1'));
    await engine.commit();
    faults.commit = true;
    engine.stage(text('doomed'), text('2'));
    engine.stage(text('before'), null);
    await assert.rejects(engine.commit(), (err) => err instanceof StorageError && err.code === 'COMMIT_FAILED');
    assert.equal(engine.hasStaged(), false);
    assert.equal(engine.get(text('doomed')), undefined);
    assert.deepEqual(engine.get(text('before')), Buffer.from('1'));
    faults.commit = false;
    engine.stage(text('after'), text('3'));
    await engine.commit();
    assert.deepEqual(engine.get(text('after')), Buffer.from('3'));
    assert.equal(engine.count(text('a'), text('z')), 2);
    await engine.close();
  });

  test('after a failed fsync every commit is refused with SYNC_FAILED', async () => {
    const { store, faults } = faultyStore(dirs.make('faults'));
    const engine = createLmdbEngine(store, { durability: 'interval', fsyncIntervalMs: 1000 });
    engine.stage(text('a'), text('1'));
    await engine.commit();
    faults.sync = true;
    await assert.rejects(engine.sync(), (err) => err instanceof StorageError && err.code === 'SYNC_FAILED');
    engine.stage(text('b'), text('2'));
    await assert.rejects(engine.commit(), (err) => err instanceof StorageError && err.code === 'SYNC_FAILED');
    assert.equal(engine.get(text('b')), undefined);
    await assert.rejects(engine.close(), (err) => err instanceof StorageError && err.code === 'SYNC_FAILED');
  });

  test('the interval timer fsyncs committed writes without being asked', async () => {
    let syncs = 0;
    const { store } = faultyStore(dirs.make('timer'));
    const counting: LmdbStore = { ...store, sync: (callback) => (syncs++, store.sync(callback)) };
    const engine = createLmdbEngine(counting, { durability: 'interval', fsyncIntervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(syncs, 0, 'nothing committed, nothing to fsync');
    engine.stage(text('a'), text('1'));
    await engine.commit();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(syncs, 1, 'one fsync covers the commit, then the timer idles');
    await engine.close();
  });

  test('bad options are refused with BAD_OPTION', async () => {
    await assert.rejects(openLmdbEngine({ path: dirs.make('bad'), durability: 'sometimes' as Durability }), (err) => err instanceof StorageError && err.code === 'BAD_OPTION');
    await assert.rejects(openLmdbEngine({ path: dirs.make('bad'), fsyncIntervalMs: 0 }), (err) => err instanceof StorageError && err.code === 'BAD_OPTION');
  });

  test('the map grows past its initial size', async () => {
    const engine = await openLmdbEngine({ path: dirs.make('grow'), mapSizeBytes: 64 * 1024 });
    const value = new Uint8Array(64 * 1024).fill(1);
    for (let i = 0; i < 64; i++) engine.stage(Uint8Array.of(i), value);
    await engine.commit();
    assert.equal(engine.count(Uint8Array.of(0), Uint8Array.of(64)), 64);
    await engine.close();
  });
});
