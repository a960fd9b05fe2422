/**
 * The paper's semantics with real node processes (docs/operations.md): a bucket with n=1 keeps
 * each key on exactly one node although anti-entropy runs every 300 ms; with a short tombstone
 * grace, a deleted key's tombstone leaves every node's storage, also when a replica missed the
 * delete and came back before the reap, and when the node that scheduled the reap was killed and
 * restarted (the queue is on disk); and a node stopped longer than the grace refuses to
 * start with its data, then rejoins empty under the same id once its data directory is removed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { json, kv, ProcessCluster, waitFor } from './process-cluster.js';

const GRACE_MS = 5_000;
const cluster = new ProcessCluster({ nodes: 3, basePort: 34000, extraArgs: ['--anti-entropy-interval-ms', '300', '--tombstone-grace-ms', String(GRACE_MS)] });
const urls = [1, 2, 3].map((i) => cluster.url(i));
const [A, , C] = urls as [string, string, string];

before(async () => cluster.startAll());
after(async () => cluster.stop());

interface LocalCopy {
  data: { live: number } | null;
  hints: { live: number } | null;
}

async function local(url: string, bucket: string, key: string): Promise<LocalCopy> {
  return (await json(`${url}/admin/local/${bucket}/${key}`)) as LocalCopy;
}

/** Nodes whose storage holds anything (value, tombstone or hint) for the key. */
async function holders(bucket: string, key: string): Promise<number> {
  let n = 0;
  for (const url of urls) {
    const copy = await local(url, bucket, key);
    if (copy.data !== null || copy.hints !== null) n++;
  }
  return n;
}

async function remove(via: string, bucket: string, key: string): Promise<void> {
  const read = await kv(via, 'GET', `/kv/${bucket}/${key}`);
  const headers: Record<string, string> = read.context === null ? {} : { 'x-dynamo-context': read.context };
  assert.equal((await kv(via, 'DELETE', `/kv/${bucket}/${key}`, undefined, headers)).status, 204, `delete ${key}`);
}

test('a bucket with n=1: every key on exactly one node, also after anti-entropy ran', async () => {
  const set = await fetch(`${A}/buckets/one`, { method: 'PUT', body: JSON.stringify({ n: 1, r: 1, w: 1 }), headers: { 'content-type': 'application/json' } });
  assert.equal(set.status, 200);
  await waitFor(async () => {
    for (const url of urls) if (((await json(`${url}/buckets/one`)) as { n?: number } | null)?.n !== 1) return false;
    return true;
  }, 20_000, 'every node knows n=1');
  for (let k = 0; k < 60; k++) assert.equal((await kv(urls[k % 3]!, 'PUT', `/kv/one/k${k}`, `v${k}`)).status, 204, `write k${k}`);
  // Anti-entropy every 300 ms: many rounds between every pair of nodes.
  await new Promise((r) => setTimeout(r, 6_000));
  const counts: number[] = [];
  for (let k = 0; k < 60; k++) {
    let c = 0;
    for (const url of urls) if (((await local(url, 'one', `k${k}`)).data?.live ?? 0) > 0) c++;
    counts.push(c);
  }
  assert.deepEqual(counts.filter((c) => c !== 1), [], `copies per key: ${counts.join(',')}`);
  for (let k = 0; k < 60; k += 7) assert.equal((await kv(urls[(k + 1) % 3]!, 'GET', `/kv/one/k${k}`)).body.toString(), `v${k}`);
});

test('after the grace, a deleted key leaves the storage of every node', async () => {
  for (let k = 0; k < 10; k++) assert.equal((await kv(A, 'PUT', `/kv/del/k${k}`, `v${k}`)).status, 204);
  for (let k = 0; k < 10; k++) await remove(urls[k % 3]!, 'del', `k${k}`);
  assert.ok((await holders('del', 'k0')) > 0, 'the tombstone is kept during the grace');
  await waitFor(async () => {
    for (let k = 0; k < 10; k++) if ((await holders('del', `k${k}`)) > 0) return false;
    return true;
  }, GRACE_MS * 6, 'tombstones reaped on every node');
  for (let k = 0; k < 10; k++) assert.equal((await kv(C, 'GET', `/kv/del/k${k}`)).status, 404);
});

test('a replica that missed the delete and returns before the reap does not bring the key back', async () => {
  assert.equal((await kv(A, 'PUT', '/kv/del/missed', 'old')).status, 204);
  await waitFor(async () => (await local(C, 'del', 'missed')).data !== null, 10_000, 'n3 holds the value');
  await cluster.kill(3);
  await remove(A, 'del', 'missed');
  cluster.start(3);
  await cluster.waitHealthy(3);
  for (let t = 0; t < 5; t++) {
    assert.equal((await kv(C, 'GET', '/kv/del/missed')).status, 404, 'still deleted, read through the returned node');
    await new Promise((r) => setTimeout(r, 500));
  }
  await waitFor(async () => (await holders('del', 'missed')) === 0, GRACE_MS * 10, 'reaped on every node once n3 holds the tombstone');
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(await holders('del', 'missed'), 0, 'and nothing brought it back');
  assert.equal((await kv(A, 'GET', '/kv/del/missed')).status, 404);
});

test('the reap queue survives a kill -9 of the node that coordinated the delete', async () => {
  assert.equal((await kv(A, 'PUT', '/kv/del/kept', 'v')).status, 204);
  await waitFor(async () => (await holders('del', 'kept')) === 3, 10_000, 'on every node');
  await remove(A, 'del', 'kept');
  const metrics = await (await fetch(`${A}/metrics`)).text();
  assert.match(metrics, /^dynamo_tombstone_reaps_pending 1$/m, metrics.split('\n').filter((l) => l.includes('reap')).join('\n'));
  await cluster.kill(1);
  cluster.start(1);
  await cluster.waitHealthy(1);
  await waitFor(async () => (await holders('del', 'kept')) === 0, GRACE_MS * 10, 'reaped on every node after the restart');
});

test('a node stopped longer than the grace refuses to start with its data, and rejoins empty once it is removed', async () => {
  assert.equal((await kv(A, 'PUT', '/kv/fill/x', 'y')).status, 204);
  await waitFor(async () => (await local(C, 'fill', 'x')).data !== null, 10_000, 'n3 holds fill/x');
  await cluster.kill(3);
  await new Promise((r) => setTimeout(r, GRACE_MS + 2_000));
  cluster.start(3);
  await waitFor(async () => !cluster.isAlive(3), 20_000, 'n3 exits');
  const log = (cluster.logs.get(3) ?? []).join('');
  assert.match(log, /longer than the tombstone grace/, log);
  rmSync(join(cluster.dataRoot, 'n3'), { recursive: true, force: true });
  cluster.start(3);
  await cluster.waitHealthy(3);
  await cluster.waitFormed();
  await waitFor(async () => ((await json(`${A}/cluster`)) as { members: { id: string; state: string }[] }).members.some((m) => m.id === 'n3' && m.state === 'up'), 30_000, 'n3 up again, under the same id');
  // Refilled by anti-entropy: a key written before it was wiped comes back to the empty node.
  await waitFor(async () => (await local(C, 'fill', 'x')).data !== null, 30_000, 'n3 refilled');
});
