/**
 * Recovery from what crashes leave and refusal of what they cannot: a torn or garbage tail on the
 * newest file is cut off (the batches before it intact, the engine writable), while damage inside
 * a file or in an older file fails open with CORRUPT, naming the file and offset.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageError } from './engine.js';
import { openLogEngine, type LogEngine } from './log.js';
import { batchesOf, dataFiles } from './testing/log-files.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

const key = (batch: number, i: number): Uint8Array => Buffer.from(`b${String(batch).padStart(3, '0')}-${i}`);
const valueOf = (batch: number, i: number): Buffer => Buffer.from(`value of batch ${batch} key ${i} `.repeat(4));

function open(path: string): Promise<LogEngine> {
  return openLogEngine({ path, durability: 'interval', maxFileBytes: 4096, mergeMinBytes: Number.MAX_SAFE_INTEGER });
}

/** Commits `batches` batches of 3 keys each and closes. */
async function seed(path: string, batches: number, first = 0): Promise<void> {
  const engine = await open(path);
  for (let b = first; b < first + batches; b++) {
    for (let i = 0; i < 3; i++) engine.stage(key(b, i), valueOf(b, i));
    await engine.commit();
  }
  await engine.close();
}

/** Which of batches [0, batches) are wholly there; throws if one is half there. */
function presentBatches(engine: LogEngine, batches: number): number[] {
  const present: number[] = [];
  for (let b = 0; b < batches; b++) {
    const found = [0, 1, 2].filter((i) => engine.get(key(b, i)) !== undefined);
    for (const i of found) assert.deepEqual(Buffer.from(engine.get(key(b, i))!), valueOf(b, i));
    assert.ok(found.length === 0 || found.length === 3, `batch ${b} is half there: keys ${found.join(', ')}`);
    if (found.length === 3) present.push(b);
  }
  return present;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const newest = (path: string): string => dataFiles(path).at(-1)!;

/** Reopens after damage, checks which batches survive, then writes, reopens and checks again. */
async function expectRecovered(path: string, survivors: number[], total: number): Promise<void> {
  const engine = await open(path);
  assert.deepEqual(presentBatches(engine, total), survivors);
  engine.stage(key(900, 0), Buffer.from('after'));
  engine.stage(key(900, 1), Buffer.from('after'));
  engine.stage(key(900, 2), Buffer.from('after'));
  await engine.commit();
  engine.invariants();
  await engine.close();
  const again = await open(path);
  assert.deepEqual(presentBatches(again, total), survivors);
  assert.deepEqual(again.get(key(900, 1)), Buffer.from('after'));
  await again.close();
}

async function expectCorrupt(path: string, file: string, offset: number): Promise<void> {
  await assert.rejects(open(path), (err) => {
    assert.ok(err instanceof StorageError && err.code === 'CORRUPT', String(err));
    assert.ok(err.message.includes(file), `the message names ${file}: ${err.message}`);
    assert.ok(err.message.includes(`offset ${offset}`), `the message names offset ${offset}: ${err.message}`);
    assert.match(err.message, /remove its data directory/);
    assert.match(err.message, /anti-entropy/);
    return true;
  });
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0x55;
  writeFileSync(path, bytes);
}

describe('log engine recovery', () => {
  test('garbage appended to the newest file is cut off', async () => {
    const path = dirs.make('torn-garbage');
    await seed(path, 5);
    const size = statSync(newest(path)).size;
    appendFileSync(newest(path), Buffer.from('this is not a batch, just what a crash might leave behind'));
    const engine = await open(path);
    assert.equal(statSync(newest(path)).size, size, 'the tail is truncated away');
    await engine.close();
    await expectRecovered(path, range(5), 5);
  });

  test('a last batch cut in half is dropped whole; the batches before it are intact', async () => {
    const path = dirs.make('torn-half');
    await seed(path, 5);
    const last = batchesOf(newest(path)).at(-1)!;
    truncateSync(newest(path), last.offset + Math.floor(last.bytes / 2));
    await expectRecovered(path, range(4), 5);
  });

  test('a last batch cut inside its header, or zeros where data should be, is cut off', async () => {
    const path = dirs.make('torn-header');
    await seed(path, 5);
    const last = batchesOf(newest(path)).at(-1)!;
    truncateSync(newest(path), last.offset + 10);
    await expectRecovered(path, range(4), 5);
    const zeros = dirs.make('torn-zeros');
    await seed(zeros, 5);
    appendFileSync(newest(zeros), Buffer.alloc(4096));
    await expectRecovered(zeros, range(5), 5);
  });

  test('a last batch with a bad CRC is cut off', async () => {
    const path = dirs.make('torn-crc');
    await seed(path, 5);
    const last = batchesOf(newest(path)).at(-1)!;
    flipByte(newest(path), last.offset + last.bytes - 3);
    await expectRecovered(path, range(4), 5);
  });

  test('a newest file cut inside its own header (a crash just after creating it) is started afresh', async () => {
    const path = dirs.make('torn-file-header');
    await seed(path, 40);
    const files = dataFiles(path);
    assert.ok(files.length >= 3, `${files.length} files`);
    // Batches go to files in order, so the newest file holds the last ones.
    const inNewest = batchesOf(files.at(-1)!).length;
    truncateSync(files.at(-1)!, 0);
    appendFileSync(files.at(-1)!, Buffer.from('DYNA'));
    await expectRecovered(path, range(40 - inNewest), 40);
  });

  test('a damaged batch followed by an intact one in the newest file is CORRUPT, not a torn tail', async () => {
    const path = dirs.make('corrupt-middle');
    await seed(path, 5);
    const batches = batchesOf(newest(path));
    const victim = batches.at(-2)!;
    flipByte(newest(path), victim.offset + 30);
    await expectCorrupt(path, newest(path), victim.offset);
  });

  test('a damaged batch in an older file is CORRUPT', async () => {
    const path = dirs.make('corrupt-older');
    await seed(path, 40);
    const files = dataFiles(path);
    assert.ok(files.length >= 3, `${files.length} files`);
    const victim = batchesOf(files[1]!)[2]!;
    flipByte(files[1]!, victim.offset + victim.bytes - 1);
    await expectCorrupt(path, files[1]!, victim.offset);
  });

  test('a torn tail on an older file is CORRUPT (only the newest file is appended to)', async () => {
    const path = dirs.make('corrupt-older-tail');
    await seed(path, 40);
    const files = dataFiles(path);
    const last = batchesOf(files[0]!).at(-1)!;
    truncateSync(files[0]!, last.offset + 5);
    await expectCorrupt(path, files[0]!, last.offset);
  });

  test('an older file with a foreign header is CORRUPT', async () => {
    const path = dirs.make('corrupt-header');
    await seed(path, 40);
    const files = dataFiles(path);
    flipByte(files[0]!, 2);
    await expectCorrupt(path, files[0]!, 0);
  });

  test('temp files a merge left behind are removed at open and their contents ignored', async () => {
    const path = dirs.make('temp');
    await seed(path, 3);
    writeFileSync(join(path, '000099.log.tmp'), readFileSync(newest(path)));
    writeFileSync(join(path, 'notes.txt'), 'not ours');
    await expectRecovered(path, range(3), 3);
    assert.deepEqual(readdirSync(path).filter((n) => n.endsWith('.tmp')), []);
    assert.ok(readdirSync(path).includes('notes.txt'), 'files that are not the engine’s are left alone');
  });
});
