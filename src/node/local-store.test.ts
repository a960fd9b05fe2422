import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryEngine } from '../storage/memory.js';
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
