/**
 * 'always' durability: a commit resolves only once the disk has its write (and the directory entry
 * of a data file it made), and the fsyncs run off the event loop, so the engine takes the next
 * batch while one waits.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openLogEngine } from './log.js';
import { nodeLogIo, type LogIo } from './log-io.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

const text = (s: string): Uint8Array => Buffer.from(s);
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** The real file system; once `holding` is set, every fdatasync and fsync waits until `release` lets it run. */
function heldSyncs(): { io: LogIo; held: string[]; release: () => void; startHolding: () => void } {
  let waiting: (() => void)[] = [];
  let holding = false;
  const held: string[] = [];
  const hold = (what: string, run: () => void): void => {
    if (!holding) return run();
    held.push(what);
    waiting.push(run);
  };
  const io: LogIo = {
    ...nodeLogIo,
    fdatasync: (fd, callback) => hold('fdatasync', () => nodeLogIo.fdatasync(fd, callback)),
    fsync: (fd, callback) => hold('fsync', () => nodeLogIo.fsync(fd, callback)),
  };
  const release = (): void => {
    const now = waiting;
    waiting = [];
    for (const run of now) run();
  };
  return { io, held, release, startHolding: () => (holding = true) };
}

/** Lets held syncs run, round after round, until `promise` settles. */
async function settle(promise: Promise<unknown>, release: () => void): Promise<void> {
  let done = false;
  void promise.finally(() => (done = true));
  for (let i = 0; i < 100 && !done; i++) {
    release();
    await turns(2);
  }
  await promise;
}

test("'always': a commit resolves after its fdatasync, which does not block the event loop", async () => {
  const { io, held, release, startHolding } = heldSyncs();
  const engine = await openLogEngine({ path: dirs.make('always'), durability: 'always', mergeMinBytes: Number.MAX_SAFE_INTEGER }, { io });
  startHolding();

  engine.stage(text('a'), text('1'));
  let resolved = false;
  const first = engine.commit().then(() => (resolved = true));
  await turns(5);
  assert.equal(held[0], 'fdatasync', 'the commit waits on an fdatasync');
  assert.equal(resolved, false, 'not resolved before its fdatasync completes');

  engine.stage(text('b'), text('2'));
  assert.equal(engine.hasStaged(), true, 'the next batch stages while the first waits for the disk');
  await settle(first, release);
  assert.equal(resolved, true);

  await settle(engine.commit(), release);
  assert.deepEqual(engine.get(text('b')), text('2'));
  await settle(engine.close(), release);
});

test("'always': a commit that starts a new data file waits for the directory's fsync too", async () => {
  const { io, held, release, startHolding } = heldSyncs();
  const engine = await openLogEngine({ path: dirs.make('always-roll'), durability: 'always', maxFileBytes: 4096, mergeMinBytes: Number.MAX_SAFE_INTEGER }, { io });
  startHolding();
  engine.stage(text('a'), Buffer.alloc(3000, 1));
  await settle(engine.commit(), release);

  held.length = 0;
  engine.stage(text('b'), Buffer.alloc(3000, 2)); // does not fit: the commit rolls to a new file
  let resolved = false;
  const rolled = engine.commit().then(() => (resolved = true));
  await turns(5);
  assert.equal(resolved, false);
  await settle(rolled, release);
  assert.deepEqual(held, ['fdatasync', 'fsync'], "the write and the new file's directory entry are both synced first");
  await settle(engine.close(), release);
});
