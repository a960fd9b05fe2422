/**
 * Fixture for the kill -9 tests: commits numbered batches to a disk engine in 'interval' mode
 * forever, printing each batch's number only after its commit resolved. The parent SIGKILLs this
 * process and checks that every printed batch is on disk.
 * Usage: node --import tsx commit-loop.ts DIR BATCH_SIZE [lmdb|log]
 */
import { pathToFileURL } from 'node:url';
import { assertNever } from '../../core/assert.js';
import type { StorageEngine } from '../engine.js';
import { openLmdbEngine } from '../lmdb.js';
import { openLogEngine } from '../log.js';

export type DiskEngineName = 'lmdb' | 'log';

export function batchKey(batch: number, index: number): Uint8Array {
  const key = new Uint8Array(8);
  const view = new DataView(key.buffer);
  view.setUint32(0, batch);
  view.setUint32(4, index);
  return key;
}

export function openDiskEngine(name: DiskEngineName, path: string): Promise<StorageEngine> {
  switch (name) {
    case 'lmdb':
      return openLmdbEngine({ path, durability: 'interval' });
    case 'log':
      return openLogEngine({ path, durability: 'interval' });
    default:
      return assertNever(name, 'engine');
  }
}

async function main(path: string, batchSize: number, name: DiskEngineName): Promise<void> {
  const engine = await openDiskEngine(name, path);
  const value = new Uint8Array(256).fill(0xab);
  process.stdout.write('ready\n');
  for (let batch = 0; ; batch++) {
    for (let i = 0; i < batchSize; i++) engine.stage(batchKey(batch, i), value);
    await engine.commit();
    // Whatever of this the parent receives was written after the commit resolved.
    process.stdout.write(`${batch}\n`);
    if (batch % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

function engineName(arg: string | undefined): DiskEngineName {
  if (arg === undefined || arg === 'lmdb') return 'lmdb';
  if (arg === 'log') return 'log';
  throw new Error(`unknown engine ${arg}: lmdb or log`);
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) void main(process.argv[2] ?? '', Number(process.argv[3] ?? '10'), engineName(process.argv[4]));
