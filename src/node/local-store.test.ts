import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, encodeSiblingSet, liveValues, update, version, withContext, type SiblingSet } from '../core/versions/index.js';
import { createMemoryEngine } from '../storage/memory.js';
import { baseDigest } from './base-digest.js';
import type { StorageWrite } from './effects.js';
import { identify } from './keys.js';
import { LocalStore } from './local-store.js';
import type { StorageView } from './storage-view.js';

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
    assert.equal(store.mergeOnto(id, baseDigest(encodeSiblingSet(copy)), encoded), true);
    assert.equal(emitted.length, 1);
    assert.equal(emitted[0]!.value, encoded, 'stored without re-encoding');
    const slow = storeWith(copy);
    slow.store.mergeData(id, next, options);
    assert.deepEqual(Buffer.from(slow.emitted[0]!.value!), Buffer.from(encoded));
  });

  test('a write made from no copy matches only a replica that holds none', () => {
    const first = encodeSiblingSet(write('v1', undefined));
    assert.equal(storeWith(undefined).store.mergeOnto(id, baseDigest(undefined), first), true);
    assert.equal(storeWith(write('other', undefined, 'n3')).store.mergeOnto(id, baseDigest(undefined), first), false);
  });

  test('a different copy (a concurrent write landed here first): nothing is stored, and the full merge keeps both', () => {
    const copy = write('v1', undefined);
    const concurrent = write('theirs', copy, 'n3', 6);
    const next = write('mine', copy, 'n2', 7);
    const { store, emitted } = storeWith(concurrent);
    assert.equal(store.mergeOnto(id, baseDigest(encodeSiblingSet(copy)), encodeSiblingSet(next)), false);
    assert.equal(emitted.length, 0);
    const merged = store.mergeData(id, next, options).set;
    assert.deepEqual(liveValues(merged).map((v) => Buffer.from(v.data!).toString()).sort(), ['mine', 'theirs']);
  });
});
