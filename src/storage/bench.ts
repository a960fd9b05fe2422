/**
 * Storage engine micro-benchmark: puts/s at 1, 100 and 1000 writes per commit (the runtime commits
 * once per event-loop turn, so this is the group-commit curve), and gets/s of present keys, for the
 * memory engine, the log engine and LMDB in each durability mode. 16-byte random keys (like the node's hashed key
 * prefix) and 100-byte values; each figure is a time-boxed run, awaiting every commit.
 * Run: node --import tsx src/storage/bench.ts [--budget-ms 700]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Durability, StorageEngine } from './engine.js';
import { createMemoryEngine } from './memory.js';
import { openLmdbEngine } from './lmdb.js';
import { openLogEngine } from './log.js';

const KEY_BYTES = 16;
const VALUE_BYTES = 100;
const GET_KEYS = 100_000;
const BATCHES = [1, 100, 1000] as const;

interface Subject {
  readonly label: string;
  open(): Promise<StorageEngine>;
  cleanup(): void;
}

function diskSubject(label: string, open: (path: string) => Promise<StorageEngine>): Subject {
  const dirs: string[] = [];
  return {
    label,
    open: () => {
      const path = mkdtempSync(join(tmpdir(), 'dynamo-bench-'));
      dirs.push(path);
      return open(path);
    },
    cleanup: () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}

const DURABILITIES: readonly Durability[] = ['none', 'interval', 'always'];

const subjects: Subject[] = [
  { label: 'memory', open: async () => createMemoryEngine(), cleanup: () => undefined },
  ...DURABILITIES.map((durability) => diskSubject(`log ${durability}`, (path) => openLogEngine({ path, durability }))),
  ...DURABILITIES.map((durability) => diskSubject(`lmdb ${durability}`, (path) => openLmdbEngine({ path, durability }))),
];

/** A pool of random keys as views into one buffer, so key generation is not measured. */
function keyPool(count: number): Uint8Array[] {
  const bytes = randomBytes(count * KEY_BYTES);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES));
}

async function putsPerSecond(engine: StorageEngine, keys: Uint8Array[], batch: number, budgetMs: number): Promise<number> {
  const value = randomBytes(VALUE_BYTES);
  let written = 0;
  const startMs = performance.now();
  while (performance.now() - startMs < budgetMs) {
    for (let i = 0; i < batch; i++) engine.stage(keys[(written + i) % keys.length]!, value);
    await engine.commit();
    written += batch;
  }
  return (written * 1000) / (performance.now() - startMs);
}

async function getsPerSecond(engine: StorageEngine, keys: Uint8Array[], budgetMs: number): Promise<number> {
  const value = randomBytes(VALUE_BYTES);
  for (const key of keys) engine.stage(key, value);
  await engine.commit();
  let reads = 0;
  let found = 0;
  const startMs = performance.now();
  while (performance.now() - startMs < budgetMs) {
    for (let i = 0; i < 1000; i++) if (engine.get(keys[(reads + i * 7919) % keys.length]!) !== undefined) found++;
    reads += 1000;
  }
  if (found !== reads) throw new Error(`${reads - found} present keys were not found`);
  return (reads * 1000) / (performance.now() - startMs);
}

async function measure(subject: Subject, budgetMs: number): Promise<string[]> {
  const row = [subject.label];
  for (const batch of BATCHES) {
    const engine = await subject.open();
    row.push(Math.round(await putsPerSecond(engine, keyPool(50_000), batch, budgetMs)).toLocaleString('en-US'));
    await engine.close();
  }
  const engine = await subject.open();
  row.push(Math.round(await getsPerSecond(engine, keyPool(GET_KEYS), budgetMs)).toLocaleString('en-US'));
  await engine.close();
  subject.cleanup();
  return row;
}

async function main(): Promise<void> {
  const budgetArg = process.argv.indexOf('--budget-ms');
  const budgetMs = budgetArg > 0 ? Number(process.argv[budgetArg + 1]) : 700;
  const header = ['engine', ...BATCHES.map((b) => `puts/s (${b}/commit)`), `gets/s (${GET_KEYS / 1000}k keys)`];
  const rows = [header];
  for (const subject of subjects) rows.push(await measure(subject, budgetMs));
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

await main();
