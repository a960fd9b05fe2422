import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openLogEngine } from './log.js';
import { LOCK_FILE } from './log-lock.js';
import { TempDirs } from './testing/temp-dirs.js';

const dirs = new TempDirs();
after(() => dirs.removeAll());

const locked = (pattern: RegExp) => (err: unknown): boolean => (err as { code?: string }).code === 'LOCKED' && pattern.test((err as Error).message);

test('a directory open in this process cannot be opened again until it is closed', async () => {
  const path = dirs.make('twice');
  const engine = await openLogEngine({ path });
  await assert.rejects(openLogEngine({ path }), locked(/already open in this process/));
  await engine.close();
  assert.equal(existsSync(join(path, LOCK_FILE)), false, 'close releases the lock');
  await (await openLogEngine({ path })).close();
});

test('a directory locked by another live process is refused, naming that process', async () => {
  const path = dirs.make('other');
  await (await openLogEngine({ path })).close();
  writeFileSync(join(path, LOCK_FILE), `${process.ppid}\n`);
  await assert.rejects(openLogEngine({ path }), locked(new RegExp(`in use by process ${process.ppid}`)));
});

test('a lock left by a process that is gone (kill -9) is taken over', async () => {
  const path = dirs.make('stale');
  await (await openLogEngine({ path })).close();
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(path, LOCK_FILE), `${gone}\n`);
  const engine = await openLogEngine({ path });
  await engine.close();
});
