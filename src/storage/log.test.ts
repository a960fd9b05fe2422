/** The log engine against the compliance suite in every durability mode, plus options and stats. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { StorageError, type Durability, type StorageEngine } from './engine.js';
import { runEngineCompliance } from './testing/compliance.js';
import { openLogEngine, type LogEngineOptions } from './log.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

/** Which directory each engine opened, so `reopen` can find it. */
const pathOf = new WeakMap<StorageEngine, string>();

async function openAt(path: string, durability: Durability): Promise<StorageEngine> {
  // Small files and no merge floor, so the suite's 1 MiB values and 50k keys roll and merge.
  const engine = await openLogEngine({ path, durability, maxFileBytes: 256 * 1024, mergeMinBytes: 0 });
  pathOf.set(engine, path);
  return engine;
}

for (const durability of ['interval', 'always', 'none'] as const) {
  runEngineCompliance(
    `log (${durability})`,
    () => openAt(dirs.make('log'), durability),
    (old) => openAt(pathOf.get(old)!, durability),
  );
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('log engine options and stats', () => {
  test('bad options are refused with BAD_OPTION', async () => {
    const bad: Array<Partial<LogEngineOptions>> = [
      { durability: 'sometimes' as Durability },
      { fsyncIntervalMs: 0 },
      { maxFileBytes: 100 },
      { maxFileBytes: 2 ** 31 },
      { mergeMinBytes: -1 },
      { mergeChunkRecords: 0 },
    ];
    for (const options of bad) {
      await assert.rejects(openLogEngine({ path: dirs.make('bad'), ...options }), (err) => err instanceof StorageError && err.code === 'BAD_OPTION', JSON.stringify(options));
    }
  });

  test('stats count live keys and bytes, and files roll past maxFileBytes', async () => {
    const engine = await openLogEngine({ path: dirs.make('stats'), maxFileBytes: 4096, mergeMinBytes: Number.MAX_SAFE_INTEGER });
    const value = new Uint8Array(1000).fill(1);
    for (let i = 0; i < 10; i++) {
      engine.stage(text(`k${i}`), value);
      await engine.commit();
    }
    engine.stage(text('k0'), null);
    await engine.commit();
    const stats = engine.stats();
    assert.equal(stats.liveKeys, 9);
    assert.equal(stats.liveBytes, 9 * (7 + 2 + 1000));
    assert.ok(stats.files >= 3, `10 KB of values in 4 KiB files makes several files, not ${stats.files}`);
    assert.ok(stats.fileBytes > 10 * 1000);
    assert.equal(stats.merges, 0);
    engine.invariants();
    await engine.close();
  });

  test('digests (digestOf) survive rolls and merges, and are forgotten by a restart', async () => {
    const path = dirs.make('digest');
    const engine = await openLogEngine({ path, maxFileBytes: 4096, mergeMinBytes: Number.MAX_SAFE_INTEGER });
    const d = (n: number): Uint8Array => new Uint8Array(16).fill(n);
    const value = new Uint8Array(500).fill(7);
    for (let i = 0; i < 20; i++) {
      engine.stage(text(`f${i}`), value, undefined, d(10 + i));
      await engine.commit();
    }
    await engine.merge();
    assert.ok(engine.stats().merges > 0);
    for (let i = 0; i < 20; i++) assert.deepEqual(engine.digestOf(text(`f${i}`)), d(10 + i), 'a merge moves values, not digests');
    await engine.close();
    const reopened = await openLogEngine({ path });
    assert.equal(reopened.digestOf(text('f0')), undefined, 'digests are not kept across a restart');
    assert.deepEqual(Buffer.from(reopened.get(text('f0'))!), Buffer.from(value));
    await reopened.close();
  });

  test('a value returned by get is a fresh copy: changing it changes neither the store nor another copy', async () => {
    const engine = await openLogEngine({ path: dirs.make('fresh') });
    engine.stage(text('k'), text('value'));
    await engine.commit();
    const a = engine.get(text('k'))!;
    const b = engine.get(text('k'))!;
    a.fill(0);
    assert.deepEqual(Buffer.from(b), Buffer.from('value'));
    assert.deepEqual(Buffer.from(engine.get(text('k'))!), Buffer.from('value'));
    await engine.close();
  });
});
