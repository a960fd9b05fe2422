/**
 * A rolling restart of every node under the TypeScript client's load, as a Kubernetes rollout or
 * a fleet upgrade does it: one node at a time gets SIGTERM, comes back on its own data directory,
 * and the next one goes only once the cluster sees it up again. No request fails, and every
 * acknowledged write reads back afterwards.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client/index.js';
import { ProcessCluster } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 33200, clientPorts: true });
let client: Client | null = null;
after(async () => {
  await client?.close();
  await cluster.stop();
});

test('restarting all nodes one by one under load fails no request', { timeout: 180_000 }, async () => {
  for (let i = 1; i <= cluster.options.nodes; i++) cluster.start(i);
  await cluster.waitFormed(120_000); // generous: the machine may be loaded
  client = await Client.connect({ nodes: [1, 2, 3].map((i) => cluster.url(i)), ringRefreshMs: 500 });
  const c = client;
  const acked = new Map<string, string>();
  const failures: string[] = [];
  let ops = 0;
  let running = true;
  const worker = async (w: number): Promise<void> => {
    for (let n = 0; running; n++) {
      const key = `w${w}-${n}`;
      try {
        await c.put('roll', key, `v${n}`);
        acked.set(key, `v${n}`);
        const read = await c.get('roll', `w${w}-${Math.floor(n / 2)}`);
        if (!read.found) failures.push(`read of w${w}-${Math.floor(n / 2)} found nothing`);
        ops += 2;
      } catch (err) {
        failures.push(`${key}: ${(err as Error).message}`);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  const restartedAt: number[] = [];
  for (let i = 1; i <= 3; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    const startedMs = Date.now();
    await cluster.kill(i, 'SIGTERM');
    cluster.start(i);
    await cluster.waitHealthy(i, 60_000);
    await cluster.waitFormed(60_000);
    restartedAt.push(Date.now() - startedMs);
  }
  await new Promise((r) => setTimeout(r, 1500));
  running = false;
  await load;
  console.log(`rolling restart: ${ops} operations, ${failures.length} failed; restarts took ${restartedAt.join(', ')} ms`);
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} requests failed`);
  assert.ok(ops > 200, `the load ran (${ops} operations)`);
  let lost = 0;
  for (const [key, value] of acked) {
    const read = await c.get('roll', key, { r: 2 });
    if (!read.found || read.siblings.every((s) => s.value.toString() !== value)) lost++;
  }
  assert.equal(lost, 0, `${lost} of ${acked.size} acknowledged writes did not read back`);
});
