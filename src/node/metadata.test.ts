/**
 * The retired-actor watermarks (replica/actors.ts) round-trip through a real storage engine, and
 * a damaged or hostile stored value is refused pair by pair, with a log, never a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryEngine } from '../storage/memory.js';
import { metaKey } from './keys.js';
import { loadRetiredActors, MAX_RETIRED_PARTITIONS, saveRetiredActors } from './metadata.js';

function logged(): { log: (msg: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (msg) => lines.push(msg), lines };
}

test('retired-actor watermarks are stored and read back', () => {
  const engine = createMemoryEngine();
  saveRetiredActors({ put: (k, v) => engine.stage(k, v) }, [[3, 1000], [7, 1]]);
  const { log, lines } = logged();
  assert.deepEqual(loadRetiredActors(engine, log), [[3, 1000], [7, 1]]);
  assert.deepEqual(lines, []);
  assert.deepEqual(loadRetiredActors(createMemoryEngine(), log), [], 'none stored: none retired');
});

test('malformed watermarks are dropped with a log, and their number is bounded', () => {
  const engine = createMemoryEngine();
  const put = (value: unknown): void => engine.stage(metaKey('actor-retired'), Buffer.from(JSON.stringify(value)));
  const { log, lines } = logged();
  put([[1, 2], [-1, 3], [2, 1.5], ['4', 5], [6], null, [8, 9]]);
  assert.deepEqual(loadRetiredActors(engine, log), [[1, 2], [8, 9]]);
  assert.equal(lines.length, 1);
  put({ 1: 2 });
  assert.deepEqual(loadRetiredActors(engine, log), []);
  put(Array.from({ length: MAX_RETIRED_PARTITIONS + 5 }, (_, i) => [i, 1]));
  assert.equal(loadRetiredActors(engine, log).length, MAX_RETIRED_PARTITIONS);
  engine.stage(metaKey('actor-retired'), Buffer.from('{not json'));
  assert.deepEqual(loadRetiredActors(engine, log), []);
});
