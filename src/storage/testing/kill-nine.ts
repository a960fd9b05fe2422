/** The kill -9 test every disk engine runs in 'interval' mode: every commit that resolved must be on disk, and whole. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { batchKey, openDiskEngine, type DiskEngineName } from './commit-loop.js';
import { TempDirs } from './temp-dirs.js';

const fixture = fileURLToPath(new URL('./commit-loop.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const BATCH_SIZE = 20;
const RUN_AFTER_READY_MS = 500;

/** Runs the commit loop, SIGKILLs it ~0.5 s after it is ready, and returns the batches it printed. */
function runAndKill(path: string, engine: DiskEngineName): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, String(BATCH_SIZE), engine], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!armed && out.includes('ready\n')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), RUN_AFTER_READY_MS);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`commit loop ended without the kill (${signal}): ${err}`));
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      resolve(complete.split('\n').filter((line) => /^\d+$/.test(line)).map(Number));
    });
  });
}

export function registerKillNineTest(name: DiskEngineName): void {
  const dirs = new TempDirs();
  after(() => dirs.removeAll());

  test(`kill -9 loses no commit that resolved in interval mode (${name})`, async (t) => {
    const path = dirs.make(`kill9-${name}`);
    const printed = await runAndKill(path, name);
    assert.ok(printed.length > 10, `the loop committed only ${printed.length} batches before the kill`);
    const engine = await openDiskEngine(name, path);
    try {
      for (const batch of printed) {
        for (let i = 0; i < BATCH_SIZE; i++) assert.ok(engine.get(batchKey(batch, i)) !== undefined, `batch ${batch} key ${i} was acknowledged but is gone`);
      }
      const onDisk = engine.count(batchKey(0, 0), batchKey(0xffffffff, 0));
      assert.ok(onDisk >= printed.length * BATCH_SIZE);
      assert.equal(onDisk % BATCH_SIZE, 0, 'commits are atomic: no batch is half there');
      t.diagnostic(`${printed.length} acknowledged batches of ${BATCH_SIZE}, ${onDisk / BATCH_SIZE} on disk after kill -9`);
    } finally {
      await engine.close();
    }
  });
}
