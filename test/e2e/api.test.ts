/** The HTTP API end to end on three real processes: versions, siblings, delete, lww, bad input. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { kv, ProcessCluster, status } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 21000 });
const [A, B, C] = [cluster.url(1), cluster.url(2), cluster.url(3)];

before(async () => cluster.startAll());
after(async () => cluster.stop());

test('put through one node, get through another, with a context', async () => {
  assert.equal((await kv(A, 'PUT', '/kv/cart/k1', 'v1')).status, 204);
  const read = await kv(B, 'GET', '/kv/cart/k1');
  assert.equal(read.status, 200);
  assert.equal(read.body.toString(), 'v1');
  assert.ok(read.context);
});

test('answers with a body carry its length, not chunked encoding', async () => {
  await kv(A, 'PUT', '/kv/cart/len', 'twelve bytes');
  for (const path of ['/kv/cart/len', '/kv/cart/absent']) {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(A).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
    });
    assert.match(raw, /\r\ncontent-length: \d+\r\n/i, raw);
    assert.doesNotMatch(raw, /transfer-encoding/i, raw);
  }
});

test('two writes with one stale context give 300 siblings; the merge collapses them; delete gives 404', async () => {
  await kv(A, 'PUT', '/kv/cart/k2', 'v1');
  const ctx = (await kv(B, 'GET', '/kv/cart/k2')).context!;
  await kv(A, 'PUT', '/kv/cart/k2', 'v2a', { 'x-dynamo-context': ctx });
  await kv(B, 'PUT', '/kv/cart/k2', 'v2b', { 'x-dynamo-context': ctx });
  const both = await kv(C, 'GET', '/kv/cart/k2?r=3');
  assert.equal(both.status, 300);
  const body = JSON.parse(both.body.toString()) as { context: string; siblings: { value: string }[] };
  assert.deepEqual(body.siblings.map((s) => Buffer.from(s.value, 'base64').toString()).sort(), ['v2a', 'v2b']);
  assert.equal(both.context, body.context);
  assert.equal((await kv(A, 'PUT', '/kv/cart/k2', 'merged', { 'x-dynamo-context': body.context })).status, 204);
  const merged = await kv(B, 'GET', '/kv/cart/k2?r=3');
  assert.equal(merged.status, 200);
  assert.equal(merged.body.toString(), 'merged');
  assert.equal((await kv(A, 'DELETE', '/kv/cart/k2', undefined, { 'x-dynamo-context': merged.context! })).status, 204);
  const gone = await kv(C, 'GET', '/kv/cart/k2?r=3');
  assert.equal(gone.status, 404);
  assert.ok(gone.context, 'a tombstone read carries its context');
});

test('an lww bucket keeps only the newest write', async () => {
  assert.equal((await kv(A, 'PUT', '/buckets/sessions', JSON.stringify({ conflict: 'lww' }))).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  const props = JSON.parse((await kv(C, 'GET', '/buckets/sessions')).body.toString()) as { conflict: string };
  assert.equal(props.conflict, 'lww');
  await kv(A, 'PUT', '/kv/sessions/s1', 'old');
  await new Promise((r) => setTimeout(r, 5));
  await kv(B, 'PUT', '/kv/sessions/s1', 'new');
  const read = await kv(C, 'GET', '/kv/sessions/s1?r=3');
  assert.equal(read.status, 200);
  assert.equal(read.body.toString(), 'new');
});

test('malformed input gets the documented errors and every node stays up', async () => {
  const garbage = await kv(A, 'PUT', '/kv/b/k', 'x', { 'x-dynamo-context': '%%garbage%%' });
  assert.equal(garbage.status, 400);
  assert.match(JSON.parse(garbage.body.toString()).error, /context/);
  assert.equal((await kv(A, 'PUT', '/kv/b/big', Buffer.alloc(1024 * 1024 + 1))).status, 413);
  assert.equal((await kv(A, 'PUT', '/buckets/b', '{not json')).status, 400);
  assert.equal((await kv(A, 'PUT', '/buckets/b', '{"r":7}')).status, 400);
  assert.equal((await kv(A, 'GET', '/kv/b/k?r=0')).status, 400);
  assert.equal((await kv(A, 'GET', '/kv/b/k?strict=maybe')).status, 400);
  assert.equal((await kv(A, 'GET', '/kv/b')).status, 400);
  // Garbage on a peer port.
  await new Promise<void>((resolve) => {
    const socket = connect(cluster.options.basePort + 1, '127.0.0.1', () => {
      socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n\xff\xff\xff\xff garbage'));
      socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
      setTimeout(() => { socket.destroy(); resolve(); }, 200);
    });
    socket.on('error', () => resolve());
  });
  for (const url of [A, B, C]) assert.equal(await status(`${url}/health`), 200);
  assert.equal((await kv(B, 'PUT', '/kv/b/after', 'ok')).status, 204);
});

test('/cluster, /metrics and /status answer in their documented shapes', async () => {
  const view = JSON.parse((await kv(A, 'GET', '/cluster')).body.toString()) as { node: string; partitions: number; n: number; members: { id: string; state: string; up: boolean; partitions: number }[] };
  assert.equal(view.node, 'n1');
  assert.equal(view.members.length, 3);
  assert.equal(view.members.reduce((s, m) => s + m.partitions, 0), view.partitions * view.n);
  assert.ok(view.members.every((m) => m.state === 'up' && m.up));
  const metrics = (await kv(A, 'GET', '/metrics')).body.toString();
  assert.match(metrics, /dynamo_requests_total\{op="put",outcome="ok"\}/);
  assert.match(metrics, /dynamo_hints_pending/);
});
