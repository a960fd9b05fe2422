/**
 * Kill -9 of every node during a stream of acknowledged writes (disk engine): after a restart,
 * every acknowledged write is readable.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { kv, ProcessCluster } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 23000, storage: 'disk' });
after(async () => cluster.stop());

test('every acknowledged write survives kill -9 of all nodes', async () => {
  await cluster.startAll();
  const acked: number[] = [];
  let stop = false;
  let next = 0;
  const writer = async (): Promise<void> => {
    while (!stop) {
      const i = next++;
      try {
        const res = await kv(cluster.url((i % 3) + 1), 'PUT', `/kv/dur/k${i}`, `v${i}`);
        if (res.status === 204) acked.push(i);
      } catch {
        // the node died under the request: not acknowledged
      }
    }
  };
  const writers = Array.from({ length: 8 }, () => writer());
  await new Promise((r) => setTimeout(r, 1500));
  await Promise.all([cluster.kill(1), cluster.kill(2), cluster.kill(3)]);
  stop = true;
  await Promise.all(writers);
  assert.ok(acked.length > 50, `enough writes acknowledged before the crash (${acked.length})`);
  await cluster.startAll();
  const missing: number[] = [];
  for (const i of acked) {
    const read = await kv(cluster.url(((i + 1) % 3) + 1), 'GET', `/kv/dur/k${i}?r=2`);
    if (read.status !== 200 || read.body.toString() !== `v${i}`) missing.push(i);
  }
  assert.deepEqual(missing, [], `of ${acked.length} acknowledged writes`);
});
