/**
 * The elastic, self-healing cluster on real processes: 3 → 5 nodes under reads, decommission,
 * a wiped node restored by anti-entropy alone, anti-entropy efficiency, gossip convergence.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { json, kv, ProcessCluster, waitFor } from './process-cluster.js';

const clusters: ProcessCluster[] = [];
after(async () => Promise.all(clusters.map((c) => c.stop())));

interface Ring { owners: string[][]; partitions: number; replicas: number; version: string }
interface Keys { total: number; bytes: number; partitions: Record<string, number> }

async function load(url: string, bucket: string, count: number, value = (i: number) => `v${i}`): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const res = await kv(url, 'PUT', `/kv/${bucket}/k${i}`, value(i));
      assert.equal(res.status, 204, `load k${i}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/** Reads every key at R=2 through `url`; returns the keys that failed. */
async function unreadable(url: string, bucket: string, count: number): Promise<number> {
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const res = await kv(url, 'GET', `/kv/${bucket}/k${i}?r=2`);
      if (res.status !== 200 || res.body.toString() !== `v${i}`) failed++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return failed;
}

function movedReplicas(before: Ring, after: Ring): number {
  let moved = 0;
  before.owners.forEach((owners, p) => (moved += after.owners[p]!.filter((o) => !owners.includes(o)).length));
  return moved;
}

async function totalStored(c: ProcessCluster, nodes: number[]): Promise<number> {
  let sum = 0;
  for (const i of nodes) sum += ((await json(`${c.url(i)}/admin/keys`)) as Keys).total;
  return sum;
}

test('3 → 5 nodes under reads, then a decommission: no failed read, balanced, every key on exactly N nodes', async () => {
  const KEYS = 20_000;
  const c = new ProcessCluster({ nodes: 5, basePort: 25000 });
  clusters.push(c);
  for (const i of [1, 2, 3]) c.start(i);
  await c.waitFormed();
  await load(c.url(1), 'el', KEYS);
  const before = (await json(`${c.url(1)}/ring`)) as Ring;
  let reads = 0;
  let failed = 0;
  let reading = true;
  const reader = (async () => {
    while (reading) {
      const i = reads++ % KEYS;
      const res = await kv(c.url(2), 'GET', `/kv/el/k${i}?r=2`);
      if (res.status !== 200) failed++;
    }
  })();
  const joinStarted = Date.now();
  c.start(4);
  c.start(5);
  await waitFor(async () => {
    const views = await Promise.all([1, 2, 3, 4, 5].map((i) => json(`${c.url(i)}/ring`) as Promise<Ring | null>));
    return views.every((v) => v !== null && v.version === views[0]!.version && new Set(v.owners.flat()).size === 5);
  }, 30_000, 'one assignment on all five');
  const convergedMs = Date.now() - joinStarted;
  console.log(`membership converged on 5 nodes ${convergedMs} ms after the joiners started (gossip interval 1000 ms)`);
  assert.ok(convergedMs <= 10 * 1000 + 5000, 'within 10 gossip rounds (plus process start-up)');
  await waitFor(async () => (await totalStored(c, [1, 2, 3, 4, 5])) === 3 * KEYS, 120_000, 'every key on exactly N nodes');
  reading = false;
  await reader;
  assert.equal(failed, 0, `failed reads during the rebalance, of ${reads}`);
  const afterJoin = (await json(`${c.url(1)}/ring`)) as Ring;
  const moved = movedReplicas(before, afterJoin);
  const total = before.partitions * before.replicas;
  console.log(`rebalance 3→5: ${moved} of ${total} partition-replicas moved (${((100 * moved) / total).toFixed(1)}%, minimum 40%); ${reads} reads, ${failed} failed`);
  assert.ok(moved <= Math.ceil(total * 0.4 * 1.1), 'about 2/5 of the partition-replicas moved');
  assert.equal(await unreadable(c.url(5), 'el', KEYS), 0);

  // Decommission n2.
  assert.equal((await fetch(`${c.url(2)}/admin/leave`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status, 202);
  await waitFor(async () => !c.isAlive(2), 120_000, 'n2 handed over and exited');
  await waitFor(async () => (await totalStored(c, [1, 3, 4, 5])) === 3 * KEYS, 60_000, 'every key on exactly N of the remaining nodes');
  assert.equal(await unreadable(c.url(3), 'el', KEYS), 0);
  const view = (await json(`${c.url(1)}/cluster`)) as { members: { id: string; state: string }[] };
  assert.equal(view.members.find((m) => m.id === 'n2')?.state, 'left');
});

test('a node restarted with an empty data directory gets every key back by anti-entropy alone', async () => {
  const KEYS = 5000;
  const c = new ProcessCluster({ nodes: 3, basePort: 25200 });
  clusters.push(c);
  await c.startAll();
  await load(c.url(1), 'wipe', KEYS);
  await waitFor(async () => (await totalStored(c, [1, 2, 3])) === 3 * KEYS, 30_000, 'loaded everywhere');
  await c.kill(3, 'SIGTERM');
  rmSync(join(c.dataRoot, 'n3'), { recursive: true, force: true });
  const started = Date.now();
  c.start(3);
  await c.waitHealthy(3);
  await waitFor(async () => ((await json(`${c.url(3)}/admin/keys`)) as Keys | null)?.total === KEYS, 120_000, 'n3 restored');
  console.log(`anti-entropy restored ${KEYS} keys to a wiped node in ${Date.now() - started} ms (no reads)`);
});

test('anti-entropy with 100,000 keys in sync and 10 changed on one replica exchanges under 1% of a full copy', async () => {
  const KEYS = 100_000;
  const c = new ProcessCluster({ nodes: 3, basePort: 25400, extraArgs: ['--buggify', 'no-hinted-handoff'] });
  clusters.push(c);
  await c.startAll();
  await load(c.url(1), 'ae', KEYS);
  await waitFor(async () => (await totalStored(c, [1, 2, 3])) === 3 * KEYS, 120_000, 'in sync');
  await c.kill(3);
  for (let i = 0; i < 10; i++) assert.equal((await kv(c.url(1), 'PUT', `/kv/ae/k${i * 997}`, `changed${i}`, {})).status, 204);
  const bytesOf = async (): Promise<number> => {
    let sum = 0;
    for (const i of [1, 2, 3]) sum += ((await json(`${c.url(i)}/status`)) as { antiEntropy: { bytesExchanged: number } }).antiEntropy.bytesExchanged;
    return sum;
  };
  c.start(3);
  await c.waitHealthy(3);
  const baseline = await bytesOf();
  const full = ((await json(`${c.url(1)}/admin/keys`)) as Keys).bytes;
  await waitFor(async () => {
    for (let i = 0; i < 10; i++) {
      const local = (await json(`${c.url(3)}/admin/local/ae/k${i * 997}`)) as { data: { siblings: { value: string }[] } | null };
      if (!local.data?.siblings.some((s) => Buffer.from(s.value, 'base64').toString() === `changed${i}`)) return false;
    }
    return true;
  }, 60_000, 'the 10 changes reached n3');
  const used = (await bytesOf()) - baseline;
  console.log(`anti-entropy repaired 10 of ${KEYS} keys exchanging ${used} bytes; a full copy is ${full} bytes (${((100 * used) / full).toFixed(3)}%)`);
  assert.ok(used <= full * 0.01, `${used} bytes is over 1% of ${full}`);
});
