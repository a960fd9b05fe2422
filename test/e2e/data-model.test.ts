/**
 * The data model on real processes: counter and set buckets updated concurrently through every
 * node (nothing lost, never siblings), a set remove with a read's context, the TypeScript client's
 * typed calls, the bucket type fixed once data exists, cluster-wide key listing (pages while a
 * node joins, and `dynamo keys`), and the caps: the sibling warning metric and 409, the object
 * size 413 in the request metrics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client, WrongTypeError } from '../../src/index.js';
import { kv, ProcessCluster, waitFor } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 31400, storage: 'memory', clientPorts: true, extraArgs: ['--max-value-bytes', '100000'] });
const URLS = [cluster.url(1), cluster.url(2), cluster.url(3)];
const LIST_KEYS = Number(process.env.LIST_E2E_KEYS ?? 10_000);
let client: Client;

before(async () => {
  await cluster.startAll();
  client = await Client.connect({ nodes: [URLS[0]!], ringRefreshMs: 500 });
});
after(async () => {
  await client?.close();
  await cluster.stop();
});

const json = (body: unknown): string => JSON.stringify(body);

async function setType(bucket: string, type: string): Promise<void> {
  const res = await kv(URLS[0]!, 'PUT', `/buckets/${bucket}`, json({ type }));
  assert.equal(res.status, 200, res.body.toString());
  await waitFor(async () => {
    for (const url of URLS) if ((JSON.parse((await kv(url, 'GET', `/buckets/${bucket}`)).body.toString()) as { type: string }).type !== type) return false;
    return true;
  }, 10_000, `bucket ${bucket} is a ${type} everywhere`);
}

async function metric(url: string, prefix: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('concurrent increments through every node are all counted; a counter never shows siblings', async () => {
  await setType('counters', 'counter');
  const posts = Array.from({ length: 150 }, (_, i) => kv(URLS[i % 3]!, 'POST', '/kv/counters/visits', json({ increment: i % 7 === 0 ? -2 : 3 })));
  const answers = await Promise.all(posts);
  for (const a of answers) assert.equal(a.status, 204, a.body.toString());
  const expected = Array.from({ length: 150 }, (_, i) => (i % 7 === 0 ? -2 : 3)).reduce((x, y) => x + y, 0);
  const read = await kv(URLS[2]!, 'GET', '/kv/counters/visits?r=3');
  assert.equal(read.status, 200);
  assert.deepEqual(JSON.parse(read.body.toString()), { value: expected });
  const viaClient = await client.increment('counters', 'visits', 5);
  assert.equal(viaClient.value, expected + 5);
  assert.equal((await client.getCounter('counters', 'visits', { r: 3 })).value, expected + 5);
  await assert.rejects(client.get('counters', 'visits'), WrongTypeError);
  assert.equal((await kv(URLS[0]!, 'PUT', '/kv/counters/visits', 'x')).status, 409);
  await assert.rejects(client.put('counters', 'visits', 'x'), WrongTypeError);
  assert.equal((await kv(URLS[0]!, 'POST', '/kv/counters/visits', json({ add: ['x'] }))).status, 400);
});

test('concurrent adds through every node are kept; a remove with a read context removes what that read saw', async () => {
  await setType('carts', 'set');
  const adds = Array.from({ length: 60 }, (_, i) => kv(URLS[i % 3]!, 'POST', '/kv/carts/alice', json({ add: [`item-${i}`] })));
  for (const a of await Promise.all(adds)) assert.equal(a.status, 204, a.body.toString());
  const read = await kv(URLS[1]!, 'GET', '/kv/carts/alice?r=3');
  assert.equal(read.status, 200);
  const all = Array.from({ length: 60 }, (_, i) => `item-${i}`).sort();
  assert.deepEqual(JSON.parse(read.body.toString()), { value: all });
  assert.ok(read.context !== null);
  // item-1 is added again after the read (its new dot is unseen by it); the remove keeps it.
  await client.addToSet('carts', 'alice', ['item-1']);
  const removed = await kv(URLS[2]!, 'POST', '/kv/carts/alice', json({ remove: ['item-0', 'item-1'] }), { 'x-dynamo-context': read.context! });
  assert.equal(removed.status, 204);
  const after = await client.getSet('carts', 'alice', { r: 3 });
  assert.deepEqual(after.value, all.filter((e) => e !== 'item-0'));
  const viaClient = await client.removeFromSet('carts', 'alice', ['item-1'], { context: after.context });
  assert.equal(viaClient.removed, 1);
  assert.ok(!viaClient.value.includes('item-1'));
});

test('the client: a put with ttlMs expires (binary protocol), a listing through keys()', async () => {
  await client.put('sessions', 'short', 'token', { ttlMs: 1500 });
  await client.put('sessions', 'kept', 'token');
  const live = await client.get('sessions', 'short');
  assert.equal(live.found, true);
  assert.ok(live.siblings[0]!.expiresAtMs! > Date.now());
  const http = await kv(URLS[1]!, 'GET', '/kv/sessions/short');
  assert.ok(Number(http.body.length) > 0 && http.status === 200);
  await new Promise((r) => setTimeout(r, 1700));
  assert.equal((await client.get('sessions', 'short')).found, false);
  assert.equal((await kv(URLS[2]!, 'GET', '/kv/sessions/short')).status, 404);
  const keys: string[] = [];
  for await (const key of client.keys('sessions', 1)) keys.push(key);
  assert.deepEqual(keys, ['kept']);
});

test('a bucket type cannot change once the bucket holds data', async () => {
  assert.equal((await kv(URLS[0]!, 'PUT', '/kv/plain/k', 'v')).status, 204);
  const change = await kv(URLS[1]!, 'PUT', '/buckets/plain', json({ type: 'set' }));
  assert.equal(change.status, 409, change.body.toString());
  assert.match(change.body.toString(), /holds data/);
  assert.equal((await kv(URLS[1]!, 'PUT', '/buckets/empty-bucket', json({ type: 'set', n: 3 }))).status, 200);
  assert.equal((await kv(URLS[1]!, 'PUT', '/buckets/counters', json({ r: 2 }))).status, 200, 'other properties still change');
});

test(`${LIST_KEYS} keys listed in pages of 1,000 while a node joins: each once`, { timeout: 600_000 }, async () => {
  const keys = Array.from({ length: LIST_KEYS }, (_, i) => `key-${i}`);
  let next = 0;
  const writeStarted = Date.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < keys.length) await client.put('listed', keys[next++]!, 'v');
  }));
  const written = Date.now();
  const heapBefore = Math.max(...(await Promise.all(URLS.map((u) => metric(u, 'dynamo_heap_used_bytes')))));
  let heapMax = heapBefore;
  const started = Date.now();
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const path: string = `/kv/listed?keys=true&limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await kv(URLS[pages % 3]!, 'GET', path);
    assert.equal(res.status, 200, res.body.toString());
    const page = JSON.parse(res.body.toString()) as { keys: string[]; cursor: string | null };
    assert.ok(page.keys.length <= 1000);
    seen.push(...page.keys);
    cursor = page.cursor;
    if (++pages === 3) cluster.start(4);
    if (pages % 10 === 0) heapMax = Math.max(heapMax, ...(await Promise.all(URLS.map((u) => metric(u, 'dynamo_heap_used_bytes')))));
  } while (cursor !== null);
  const ms = Date.now() - started;
  const mb = (b: number): string => (b / 1048576).toFixed(0);
  console.log(`# key listing e2e: ${LIST_KEYS} keys written in ${written - writeStarted} ms; listed in ${pages} pages in ${ms} ms while node 4 joined; heap of the largest node ${mb(heapBefore)} MB before, at most ${mb(heapMax)} MB during`);
  assert.equal(new Set(seen).size, seen.length, 'no key listed twice');
  assert.deepEqual([...seen].sort(), [...keys].sort());
  const cli = spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/dynamo.js'), 'keys', 'listed', '--node', URLS[1]!, '--page-size', '5000'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout.trim().split('\n').length, LIST_KEYS);
});

test('the sibling caps: the warning metric past 25, a 409 past 100; the size cap 413 is counted in the request metrics', async () => {
  const warnings = await Promise.all(URLS.map((u) => metric(u, 'dynamo_sibling_warnings_total')));
  let refused = 0;
  for (let i = 0; i < 105; i++) {
    // No context: each write is concurrent with the others, so each one adds a sibling.
    const res = await kv(URLS[0]!, 'PUT', '/kv/caps/hot', `v${i}`);
    if (res.status === 409) {
      refused++;
      assert.match(res.body.toString(), /too_many_siblings/);
    } else assert.equal(res.status, 204);
  }
  assert.ok(refused >= 4, `writes past 100 siblings are refused (${refused})`);
  const warningsAfter = await Promise.all(URLS.map((u) => metric(u, 'dynamo_sibling_warnings_total')));
  assert.ok(warningsAfter.reduce((a, b) => a + b, 0) - warnings.reduce((a, b) => a + b, 0) >= 70, 'warnings counted past 25 siblings');
  assert.ok((await metric(URLS[0]!, 'dynamo_sibling_refusals_total')) + (await metric(URLS[1]!, 'dynamo_sibling_refusals_total')) + (await metric(URLS[2]!, 'dynamo_sibling_refusals_total')) >= refused);
  const big = await kv(URLS[0]!, 'PUT', '/kv/caps/big', Buffer.alloc(200_000, 1));
  assert.equal(big.status, 413);
  assert.ok((await metric(URLS[0]!, 'dynamo_requests_total{op="put",outcome="too_large"}')) >= 1, 'the 413 is counted');
});
