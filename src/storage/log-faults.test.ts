/** The log engine under injected file-system faults: failed fsyncs, failed and partial writes, failed file creation. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { StorageError, type Durability } from './engine.js';
import { openLogEngine, type LogEngine } from './log.js';
import { faultyIo, type FaultyIo } from './testing/faulty-io.js';
import { dataFiles } from './testing/log-files.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

const text = (s: string): Uint8Array => Buffer.from(s);
const isCode = (code: string) => (err: unknown) => err instanceof StorageError && err.code === code;

async function openFaulty(durability: Durability, extra: { maxFileBytes?: number; fsyncIntervalMs?: number } = {}): Promise<{ engine: LogEngine; path: string } & FaultyIo> {
  const path = dirs.make('faults');
  const faulty = faultyIo();
  const engine = await openLogEngine({ path, durability, fsyncIntervalMs: 1000, mergeMinBytes: Number.MAX_SAFE_INTEGER, ...extra }, { io: faulty.io });
  return { engine, path, ...faulty };
}

describe('log engine faults', () => {
  test('interval: after a failed fsync every commit is refused with SYNC_FAILED', async () => {
    const { engine, faults } = await openFaulty('interval');
    engine.stage(text('a'), text('1'));
    await engine.commit();
    faults.fdatasync = true;
    await assert.rejects(engine.sync(), isCode('SYNC_FAILED'));
    faults.fdatasync = false;
    engine.stage(text('b'), text('2'));
    await assert.rejects(engine.commit(), isCode('SYNC_FAILED'));
    assert.equal(engine.get(text('b')), undefined, 'the refused batch is discarded');
    assert.deepEqual(engine.get(text('a')), text('1'));
    await assert.rejects(engine.sync(), isCode('SYNC_FAILED'));
    await assert.rejects(engine.close(), isCode('SYNC_FAILED'));
  });

  test('always: a failed fdatasync fails that commit and every later one', async () => {
    const { engine, faults, calls } = await openFaulty('always');
    engine.stage(text('a'), text('1'));
    await engine.commit();
    assert.ok(calls.fdatasync >= 1, 'always mode fdatasyncs each commit');
    faults.fdatasync = true;
    engine.stage(text('b'), text('2'));
    await assert.rejects(engine.commit(), isCode('SYNC_FAILED'));
    faults.fdatasync = false;
    engine.stage(text('c'), text('3'));
    await assert.rejects(engine.commit(), isCode('SYNC_FAILED'));
    assert.equal(engine.get(text('c')), undefined);
    await assert.rejects(engine.close(), isCode('SYNC_FAILED'));
  });

  test('a failed write discards its batch, leaves no trace on disk, and the engine stays usable', async () => {
    for (const mode of ['error', 'partial'] as const) {
      const { engine, path, faults } = await openFaulty('interval');
      engine.stage(text('before'), text('1'));
      await engine.commit();
      const size = statSync(dataFiles(path).at(-1)!).size;
      faults.write = mode;
      engine.stage(text('doomed'), Buffer.alloc(5000, 7));
      engine.stage(text('before'), null);
      await assert.rejects(engine.commit(), isCode('COMMIT_FAILED'));
      faults.write = false;
      assert.equal(statSync(dataFiles(path).at(-1)!).size, size, `${mode}: the partial append is cut off`);
      assert.equal(engine.hasStaged(), false);
      assert.equal(engine.get(text('doomed')), undefined);
      assert.deepEqual(engine.get(text('before')), text('1'));
      engine.stage(text('after'), text('3'));
      await engine.commit();
      assert.equal(engine.count(text('a'), text('z')), 2);
      await engine.close();
      const again = await openLogEngine({ path });
      assert.deepEqual(again.get(text('after')), text('3'));
      assert.equal(again.get(text('doomed')), undefined);
      assert.deepEqual(again.get(text('before')), text('1'));
      await again.close();
    }
  });

  test('a failed write that cannot be cut off stops all commits; reopen removes it', async () => {
    const { engine, path, faults } = await openFaulty('interval');
    engine.stage(text('kept'), text('1'));
    await engine.commit();
    faults.write = 'partial';
    faults.truncate = true;
    engine.stage(text('doomed'), Buffer.alloc(5000, 7));
    await assert.rejects(engine.commit(), isCode('COMMIT_FAILED'));
    faults.write = false;
    faults.truncate = false;
    engine.stage(text('refused'), text('2'));
    await assert.rejects(engine.commit(), (err) => isCode('COMMIT_FAILED')(err) && /restart the node/.test((err as Error).message));
    await engine.close();
    const again = await openLogEngine({ path });
    assert.deepEqual(again.get(text('kept')), text('1'));
    assert.equal(again.get(text('doomed')), undefined);
    again.stage(text('after'), text('3'));
    await again.commit();
    await again.close();
  });

  test('a data file that cannot be made fails the commit that needed it, and the next one rolls', async () => {
    const { engine, path, faults } = await openFaulty('interval', { maxFileBytes: 1024 });
    engine.stage(text('a'), Buffer.alloc(900, 1));
    await engine.commit();
    faults.create = true;
    engine.stage(text('b'), Buffer.alloc(900, 2));
    await assert.rejects(engine.commit(), isCode('COMMIT_FAILED'));
    faults.create = false;
    engine.stage(text('c'), Buffer.alloc(900, 3));
    await engine.commit();
    assert.equal(dataFiles(path).length, 2);
    engine.invariants();
    await engine.close();
    const again = await openLogEngine({ path });
    assert.equal(again.get(text('b')), undefined);
    assert.deepEqual(again.get(text('c')), Buffer.alloc(900, 3));
    await again.close();
  });

  test('the interval timer fsyncs committed writes without being asked, then idles', async () => {
    const { engine, calls } = await openFaulty('interval', { fsyncIntervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(calls.fdatasync, 0, 'nothing committed, nothing to fsync');
    engine.stage(text('a'), text('1'));
    await engine.commit();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(calls.fdatasync, 1, 'one fsync covers the commit, then the timer idles');
    await engine.close();
  });

  test('none: nothing is ever fsynced, not even at close', async () => {
    const { engine, calls } = await openFaulty('none');
    engine.stage(text('a'), text('1'));
    await engine.commit();
    await engine.sync();
    await engine.close();
    assert.equal(calls.fdatasync, 0);
  });

  test('a failed fsync of a merge output refuses later commits with SYNC_FAILED', async () => {
    const { engine, faults } = await openFaulty('interval');
    for (let i = 0; i < 3; i++) {
      engine.stage(text('k'), Buffer.alloc(100, i));
      await engine.commit();
    }
    faults.mergeSync = true;
    await assert.rejects(engine.merge(), isCode('SYNC_FAILED'));
    assert.deepEqual(engine.get(text('k')), Buffer.alloc(100, 2));
    engine.stage(text('k'), text('refused'));
    await assert.rejects(engine.commit(), isCode('SYNC_FAILED'));
    await assert.rejects(engine.close(), isCode('SYNC_FAILED'));
  });
});
