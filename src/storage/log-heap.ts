/**
 * Measures what the log engine's keydir costs and how long an open takes: writes N keys (45-byte
 * random keys, 170-byte values, 1000 per commit), reports the JS heap after a full GC, then closes,
 * reopens (timing the recovery scan) and reports the heap again. Typed-array memory (the keydir's
 * slot arrays) lives outside the JS heap and is reported separately as arrayBuffers. With --merge
 * it then overwrites half the keys and merges, reporting the merge's time and the longest
 * event-loop stall while it ran.
 * Run: node --expose-gc --import tsx src/storage/log-heap.ts [--keys 1000000] [--dir DIR] [--merge]
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogEngine, type LogEngine } from './log.js';

const KEY_BYTES = 45;
const VALUE_BYTES = 170;
const BATCH = 1000;

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function heapMb(): { heap: string; arrayBuffers: string } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: (m.heapUsed / 1e6).toFixed(1), arrayBuffers: (m.arrayBuffers / 1e6).toFixed(1) };
}

async function fill(engine: LogEngine, keys: number): Promise<void> {
  const value = randomBytes(VALUE_BYTES);
  for (let i = 0; i < keys; i += BATCH) {
    const bytes = randomBytes(KEY_BYTES * BATCH);
    for (let j = 0; j < BATCH && i + j < keys; j++) engine.stage(bytes.subarray(j * KEY_BYTES, (j + 1) * KEY_BYTES), value);
    await engine.commit();
  }
}

/** Overwrites every other key, then merges while a 1 ms timer watches the event loop. */
async function mergeHalfDead(engine: LogEngine): Promise<void> {
  const keys: Uint8Array[] = [];
  let i = 0;
  for (const { key } of engine.range(new Uint8Array(0), Buffer.alloc(KEY_BYTES + 1, 0xff))) if (i++ % 2 === 0) keys.push(key);
  const value = randomBytes(VALUE_BYTES);
  for (let j = 0; j < keys.length; j += BATCH) {
    for (const key of keys.slice(j, j + BATCH)) engine.stage(key, value);
    await engine.commit();
  }
  const before = engine.stats();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const startMs = performance.now();
  await engine.merge();
  const mergeMs = performance.now() - startMs;
  delay.disable();
  const after = engine.stats();
  console.log(
    `merge: ${(mergeMs / 1000).toFixed(1)} s, files ${(before.fileBytes / 1e6).toFixed(0)} MB → ${(after.fileBytes / 1e6).toFixed(0)} MB; ` +
      `event-loop delay while merging: p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  const keys = Number(argument('--keys', '1000000'));
  const path = argument('--dir', '') || mkdtempSync(join(tmpdir(), 'dynamo-log-heap-'));
  const options = { path, durability: 'none' as const, mergeMinBytes: Number.MAX_SAFE_INTEGER };
  const before = heapMb();
  console.log(`baseline: heap ${before.heap} MB, arrayBuffers ${before.arrayBuffers} MB`);
  let engine = await openLogEngine(options);
  const fillStart = performance.now();
  await fill(engine, keys);
  const written = heapMb();
  const stats = engine.stats();
  console.log(`${keys} keys written in ${((performance.now() - fillStart) / 1000).toFixed(1)} s: heap ${written.heap} MB, arrayBuffers ${written.arrayBuffers} MB`);
  console.log(`files: ${stats.files}, ${(stats.fileBytes / 1e6).toFixed(0)} MB`);
  await engine.close();
  const openStart = performance.now();
  engine = await openLogEngine(options);
  const openMs = performance.now() - openStart;
  const reopened = heapMb();
  console.log(`reopen: ${(openMs / 1000).toFixed(2)} s for ${engine.stats().liveKeys} keys; heap ${reopened.heap} MB, arrayBuffers ${reopened.arrayBuffers} MB`);
  if (process.argv.includes('--merge')) await mergeHalfDead(engine);
  await engine.close();
  if (argument('--dir', '') === '') rmSync(path, { recursive: true, force: true });
}

await main();
