import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, encodeSiblingSet, liveValues, update, version, withContext, type SiblingSet } from '../../core/versions/index.js';
import { createMemoryEngine } from '../../storage/memory.js';
import { openLogEngine, type LogEngine } from '../../storage/log.js';
import { TempDirs } from '../../storage/testing/temp-dirs.js';
import { seededRng } from '../../core/random.js';
import { MerkleIndex } from '../anti-entropy/merkle-index.js';
import { NO_COPY } from '../coordinator/base-digest.js';
import { itemHash } from '../../core/merkle/index.js';
import type { StorageWrite } from '../effects.js';
import { dataKey, identify } from '../keys.js';
import { LocalStore } from './local-store.js';
import { applyUpdate, EMPTY_SET, encodeCrdt, joinSets, setValue, stateOf, type OrSet } from '../../core/crdt/index.js';
import type { StorageView } from '../storage-view.js';

function counted(): { view: StorageView; gets: () => number; engine: ReturnType<typeof createMemoryEngine> } {
  const engine = createMemoryEngine();
  let gets = 0;
  const view: StorageView = {
    get: (key) => (gets++, engine.get(key)),
    range: (from, to, options) => engine.range(from, to, options),
    count: (from, to) => engine.count(from, to),
  };
  return { view, gets: () => gets, engine };
}

const key = Buffer.from('k');
const value = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

test('within a step a key is read from storage once; the next step reads it again', async () => {
  const { view, gets, engine } = counted();
  const store = new LocalStore(view, () => undefined, { corrupt: () => undefined, written: () => undefined });
  engine.stage(key, value('v1'));
  await engine.commit();
  store.beginStep();
  assert.deepEqual(store.getRaw(key), value('v1'));
  assert.deepEqual(store.getRaw(key), value('v1'));
  assert.equal(gets(), 1);
  store.endStep();
  engine.stage(key, value('v2'));
  await engine.commit();
  store.beginStep();
  assert.deepEqual(store.getRaw(key), value('v2'), 'a new step sees what was committed since');
  store.endStep();
  assert.equal(gets(), 2);
});

test("a step's own write wins over what it read", () => {
  const { view } = counted();
  const store = new LocalStore(view, () => undefined, { corrupt: () => undefined, written: () => undefined });
  store.beginStep();
  assert.equal(store.getRaw(key), undefined);
  store.put(key, value('mine'));
  assert.deepEqual(store.getRaw(key), value('mine'));
  store.endStep();
});

test('outside a step nothing is remembered', async () => {
  const { view, gets, engine } = counted();
  const store = new LocalStore(view, () => undefined, { corrupt: () => undefined, written: () => undefined });
  store.getRaw(key);
  engine.stage(key, value('v'));
  await engine.commit();
  assert.deepEqual(store.getRaw(key), value('v'));
  assert.equal(gets(), 2);
});

describe('mergeOnto: a replica write made from the copy this replica holds', () => {
  const id = identify('b', 'k');
  const options = { lww: false, maxClockEntries: 10 };
  const write = (text: string, base: SiblingSet | undefined, node = 'n1', at = 5): SiblingSet =>
    update(withContext(base === undefined ? [] : context(base), version(Buffer.from(text), at)), base, node, at);
  /** The base a coordinator holding `copy` sends. */
  const baseOf = (copy: SiblingSet): Uint8Array => itemHash(dataKey(id), encodeSiblingSet(copy));
  function storeWith(copy: SiblingSet | undefined): { store: LocalStore; emitted: StorageWrite[] } {
    const emitted: StorageWrite[] = [];
    const store = new LocalStore(createMemoryEngine(), (w) => emitted.push(w), { corrupt: () => undefined, written: () => undefined });
    if (copy !== undefined) store.mergeData(id, copy, options);
    emitted.length = 0;
    return { store, emitted };
  }

  test('same copy: the bytes are stored as they came, and they are what a full merge gives', () => {
    const copy = write('v1', undefined);
    const next = write('v2', copy, 'n2');
    const encoded = encodeSiblingSet(next);
    const { store, emitted } = storeWith(copy);
    assert.equal(store.mergeOnto(id, baseOf(copy), encoded), true);
    assert.equal(emitted.length, 1);
    assert.equal(emitted[0]!.value, encoded, 'stored without re-encoding');
    const slow = storeWith(copy);
    slow.store.mergeData(id, next, options);
    assert.deepEqual(Buffer.from(slow.emitted[0]!.value!), Buffer.from(encoded));
  });

  test('a write made from no copy matches only a replica that holds none', () => {
    const first = encodeSiblingSet(write('v1', undefined));
    assert.equal(storeWith(undefined).store.mergeOnto(id, NO_COPY, first), true);
    assert.equal(storeWith(write('other', undefined, 'n3')).store.mergeOnto(id, NO_COPY, first), false);
  });

  test('a different copy (a concurrent write landed here first): nothing is stored, and the full merge keeps both', () => {
    const copy = write('v1', undefined);
    const concurrent = write('theirs', copy, 'n3', 6);
    const next = write('mine', copy, 'n2', 7);
    const { store, emitted } = storeWith(concurrent);
    assert.equal(store.mergeOnto(id, baseOf(copy), encodeSiblingSet(next)), false);
    assert.equal(emitted.length, 0);
    const merged = store.mergeData(id, next, options).set;
    assert.deepEqual(liveValues(merged).map((v) => Buffer.from(v.data!).toString()).sort(), ['mine', 'theirs']);
  });
});

describe('on the log engine, which keeps each data key\'s digest beside its value', () => {
  const dirs = new TempDirs();
  after(() => dirs.removeAll());
  const options = { lww: false, maxClockEntries: 10 };
  const write = (text: string, base: SiblingSet | undefined, node: string, at: number): SiblingSet =>
    update(withContext(base === undefined ? [] : context(base), version(Buffer.from(text), at)), base, node, at);

  /** A LocalStore over a log engine, counting value reads, with a Merkle index kept by its events. */
  function over(engine: LogEngine): { store: LocalStore; reads: () => number; merkle: MerkleIndex; commit: () => Promise<void> } {
    let reads = 0;
    const view: StorageView = {
      get: (k, sortKey) => (reads++, engine.get(k, sortKey)),
      digestOf: (k, sortKey) => engine.digestOf(k, sortKey),
      range: (from, to, o) => engine.range(from, to, o),
      count: (from, to) => engine.count(from, to),
    };
    const merkle = MerkleIndex.build(view, 64);
    // As in the runtime: a step's writes reach the engine after the step.
    const pending: StorageWrite[] = [];
    const store = new LocalStore(view, (w) => pending.push(w), {
      corrupt: () => undefined,
      written: (k, before, after) => merkle.change(k, before, after),
    });
    const commit = async (): Promise<void> => {
      store.endStep();
      for (const w of pending.splice(0)) engine.stage(w.key, w.value, w.sortKey, w.digest);
      await engine.commit();
      store.beginStep();
    };
    store.beginStep();
    return { store, reads: () => reads, merkle, commit };
  }

  test('a replica write on a copy whose digest is kept reads nothing; after a restart it reads and still matches', async () => {
    const path = dirs.make('replica');
    const id = identify('b', 'k');
    let engine = await openLogEngine({ path });
    let side = over(engine);
    const copy = write('v1', undefined, 'n1', 1);
    side.store.mergeData(id, copy, options);
    await side.commit();
    const base = itemHash(dataKey(id), encodeSiblingSet(copy));
    assert.deepEqual(side.store.copyDigest(dataKey(id)), base, 'the digest a coordinator holding the same copy sends');
    const before = side.reads();
    const next = write('v2', copy, 'n2', 2);
    assert.equal(side.store.mergeOnto(id, base, encodeSiblingSet(next)), true);
    assert.equal(side.reads(), before, 'no value was read');
    await side.commit();
    side.store.endStep();
    await engine.close();

    engine = await openLogEngine({ path });
    side = over(engine);
    const third = write('v3', next, 'n1', 3);
    assert.equal(side.store.mergeOnto(id, itemHash(dataKey(id), encodeSiblingSet(copy)), encodeSiblingSet(third)), false, 'an older base does not match');
    assert.equal(side.store.mergeOnto(id, itemHash(dataKey(id), encodeSiblingSet(next)), encodeSiblingSet(third)), true, 'digest unknown after the restart: read and hashed');
    assert.ok(side.reads() > 0);
    side.store.endStep();
    await engine.close();
  });

  test('the Merkle trees kept from the digests equal the trees built from what is stored, across writes, deletes and a restart', async () => {
    const path = dirs.make('merkle');
    const engine = await openLogEngine({ path, maxFileBytes: 64 * 1024, mergeMinBytes: 0 });
    const side = over(engine);
    const random = seededRng(7);
    const held = new Map<string, SiblingSet>();
    for (let step = 0; step < 400; step++) {
      const name = `k${random.int(40)}`;
      const id = identify('b', name);
      const copy = held.get(name);
      const roll = random.int(10);
      if (roll === 0 && copy !== undefined) {
        side.store.put(dataKey(id), null);
        held.delete(name);
      } else if (roll < 6) {
        const next = write(`v${step}`, copy, `n${random.int(3)}`, step + 1);
        const base = copy === undefined ? NO_COPY : itemHash(dataKey(id), encodeSiblingSet(copy));
        side.store.mergeWrite(id, encodeSiblingSet(next), base, options);
        held.set(name, next);
      } else {
        const concurrent = write(`c${step}`, undefined, `n${3 + random.int(3)}`, step + 1);
        held.set(name, side.store.mergeData(id, concurrent, options).set);
      }
      if (random.int(4) === 0) await side.commit();
    }
    await side.commit();
    side.store.endStep();
    const rebuilt = MerkleIndex.build(engine, 64);
    for (let p = 0; p < 64; p++) assert.deepEqual(rebuilt.tree(p).root(), side.merkle.tree(p).root(), `partition ${p}`);
    await engine.close();
    const reopened = await openLogEngine({ path });
    const afterRestart = MerkleIndex.build(reopened, 64);
    for (let p = 0; p < 64; p++) assert.deepEqual(afterRestart.tree(p).root(), side.merkle.tree(p).root(), `partition ${p} after the restart`);
    await reopened.close();
  });
});

test('readAny of a set key keeps a join in its data that hints for two targets would otherwise drop (issue 17)', () => {
  // The data is a join (anonymous) over j1:1 and n5:2; one hint holds j1's add itself, another
  // n5's newer write that removed n5's elements without seeing that add. Plain sync drops each.
  const id = identify('cart', 'k2');
  const crdt = { lww: false, maxClockEntries: 10, crdt: 'set' as const };
  const engine = createMemoryEngine();
  const store = new LocalStore(engine, (w) => engine.stage(w.key, w.value, w.sortKey), { corrupt: () => undefined, written: () => undefined });
  const asValue = (set: OrSet, at: number): { data: Uint8Array; timestampMs: number } => ({ data: encodeCrdt({ type: 'set', set }), timestampMs: at });
  const old = applyUpdate(applyUpdate(EMPTY_SET, ['n5', 1], ['x'], [], []), ['n5', 2], ['y'], [], [['n5', 1]]);
  const add = applyUpdate(EMPTY_SET, ['j1', 1], ['added'], [], []);
  const newer = applyUpdate(old, ['n5', 3], ['z'], ['x', 'y'], old.clock);
  store.mergeData(id, { entries: [{ node: 'j1', counter: 1, values: [], timestampMs: 1 }, { node: 'n5', counter: 2, values: [], timestampMs: 1 }], anonymous: [asValue(joinSets(old, add), 1)] }, crdt);
  store.mergeHint(id, 'n3', { entries: [{ node: 'j1', counter: 1, values: [asValue(add, 1)], timestampMs: 1 }], anonymous: [] }, crdt);
  store.mergeHint(id, 'n4', { entries: [{ node: 'n5', counter: 3, values: [asValue(newer, 2)], timestampMs: 2 }], anonymous: [] }, crdt);
  const elements = (s: SiblingSet | undefined): string[] => {
    const state = stateOf('set', s);
    return state.type === 'set' ? setValue(state.set) : [];
  };
  assert.deepEqual(elements(store.readAny(id)), ['z'], 'plain sync, as a kv read does: the add is lost');
  assert.deepEqual(elements(store.readAny(id, true)), ['added', 'z']);
});
