/**
 * The request path under real process failures (SIGKILL): sloppy quorum keeps writes and reads
 * going, hints reach the restarted node and leave the hint stores empty, strict mode refuses
 * without a primary majority.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { json, kv, ProcessCluster, waitFor } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 22000 });
const [A, B, C] = [cluster.url(1), cluster.url(2), cluster.url(3)];

before(async () => cluster.startAll());
after(async () => cluster.stop());

async function hintsPending(url: string): Promise<number> {
  return ((await json(`${url}/admin/hints`)) as { pending: number } | null)?.pending ?? -1;
}

test('with one node killed, W=2 writes and R=2 reads succeed; after restart the hints reach it', async () => {
  await cluster.kill(3);
  for (let i = 0; i < 50; i++) assert.equal((await kv(A, 'PUT', `/kv/hint/k${i}?w=2`, `h${i}`)).status, 204, `write k${i}`);
  for (let i = 0; i < 50; i++) {
    const read = await kv(B, 'GET', `/kv/hint/k${i}?r=2`);
    assert.equal(read.status, 200, `read k${i}`);
    assert.equal(read.body.toString(), `h${i}`);
  }
  assert.ok((await hintsPending(A)) + (await hintsPending(B)) >= 50, 'hints held for the dead node');
  cluster.start(3);
  await cluster.waitHealthy(3);
  await waitFor(async () => (await hintsPending(A)) === 0 && (await hintsPending(B)) === 0, 30_000, 'hint stores empty');
  for (let i = 0; i < 50; i++) {
    const local = (await json(`${C}/admin/local/hint/k${i}`)) as { data: { siblings: { value: string }[] } | null };
    assert.ok(local.data !== null, `n3 holds k${i} locally`);
    assert.equal(Buffer.from(local.data.siblings[0]!.value, 'base64').toString(), `h${i}`);
  }
});

test('strict writes are refused with 503 when two of three are down; sloppy W=1 writes are accepted', async () => {
  await cluster.kill(2);
  await cluster.kill(3);
  const strict = await kv(A, 'PUT', '/kv/strict/k1?strict=true', 's');
  assert.equal(strict.status, 503);
  const body = JSON.parse(strict.body.toString()) as { error: string; needed: number; acked: number };
  assert.equal(body.needed, 2);
  assert.ok(body.acked < 2);
  assert.equal((await kv(A, 'PUT', '/kv/sloppy/k1?w=1', 's')).status, 204);
  cluster.start(2);
  cluster.start(3);
  await cluster.waitFormed();
});
