import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeServer } from './node-server.js';

test('a node refuses a data directory written by the other disk engine, and says which flag to use', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynamo-engine-guard-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const common = { id: 'n1', host: '127.0.0.1', peerPort: 1, httpPort: 1, dataDir: dir, seeds: [], durability: 'interval', weight: 1 } as const;
  mkdirSync(join(dir, 'store'));
  await assert.rejects(startNodeServer({ ...common, storage: 'disk' }), /holds a 'lmdb' store; start this node with --storage lmdb/);
  rmSync(join(dir, 'store'), { recursive: true });
  mkdirSync(join(dir, 'log'));
  await assert.rejects(startNodeServer({ ...common, storage: 'lmdb' }), /holds a 'disk' store; start this node with --storage disk/);
});
