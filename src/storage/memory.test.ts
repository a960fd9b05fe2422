/** The memory engines against the compliance suite, plus what only the crashable one does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runEngineCompliance } from './testing/compliance.js';
import { createCrashableMemoryEngine, createMemoryEngine } from './memory.js';

runEngineCompliance('memory', async () => createMemoryEngine());
runEngineCompliance('crashable memory', async () => createCrashableMemoryEngine());

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

test('crash() drops staged writes and keeps committed ones; the engine stays usable', () => {
  const e = createCrashableMemoryEngine();
  e.stage(text('kept'), text('1'));
  e.commitSync();
  e.stage(text('kept'), text('overwritten?'));
  e.stage(text('lost'), text('2'));
  e.stage(text('kept2'), null);
  e.crash();
  assert.equal(e.hasStaged(), false);
  assert.deepEqual(e.get(text('kept')), text('1'));
  assert.equal(e.get(text('lost')), undefined);
  assert.equal(e.count(text('a'), text('z')), 1);
  e.stage(text('after'), text('3'));
  e.commitSync();
  assert.deepEqual(e.get(text('after')), text('3'));
});

test('commitSync commits at once, with no promise turn', () => {
  const e = createCrashableMemoryEngine();
  e.stage(text('k'), text('v'));
  e.commitSync();
  e.crash();
  assert.deepEqual(e.get(text('k')), text('v'));
});

test('a committed value that is a view into a larger buffer is copied, not kept as a view', async () => {
  const e = createMemoryEngine();
  const frame = new Uint8Array(64 * 1024).fill(7);
  e.stage(text('k'), frame.subarray(10, 20));
  await e.commit();
  const stored = e.get(text('k'))!;
  assert.equal(stored.length, 10);
  assert.equal(stored.buffer.byteLength, 10);
});
