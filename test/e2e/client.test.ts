/**
 * The TypeScript client and the binary protocol against three real node processes: versions,
 * siblings and resolve, delete, bucket properties, partition-aware routing (no forwarded writes),
 * typed errors, garbage on the client port, the bench tool's JSON, then failures: a node killed
 * (the client falls back) and two killed (a strict write fails with a QuorumError).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BadRequestError, Client, Context, QuorumError, TooLargeError } from '../../src/index.js';
import { kv, ProcessCluster, status, waitFor } from './process-cluster.js';

const cluster = new ProcessCluster({ nodes: 3, basePort: 24000, storage: 'memory', clientPorts: true });
const URLS = [cluster.url(1), cluster.url(2), cluster.url(3)];
let client: Client;

before(async () => {
  await cluster.startAll();
  client = await Client.connect({ nodes: [URLS[0]!], ringRefreshMs: 500 });
});
after(async () => {
  await client?.close();
  await cluster.stop();
});

async function forwardedTotal(): Promise<number> {
  let sum = 0;
  for (const url of URLS) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('dynamo_forwarded_total '));
    sum += Number(line?.split(' ')[1] ?? NaN);
  }
  return sum;
}

test('put, get, concurrent writes as siblings, resolve writes the merge back, delete', async () => {
  const first = await client.put('carts', 'alice', 'one apple');
  assert.ok(first instanceof Context && !first.isEmpty);
  const read = await client.get('carts', 'alice');
  assert.equal(read.found, true);
  assert.equal(read.value?.toString(), 'one apple');
  assert.ok(read.context.fastestReplica, 'a read names its fastest replica');
  // The context travels as the HTTP header text too.
  assert.equal((await kv(URLS[1]!, 'GET', '/kv/carts/alice')).context, read.context.toString());
  await client.put('carts', 'alice', 'two apples', { context: read.context });
  await client.put('carts', 'alice', 'a pear', { context: read.context.toString() });
  const both = await client.get('carts', 'alice', { r: 3 });
  assert.equal(both.value, undefined);
  assert.deepEqual(both.siblings.map((s) => s.value.toString()).sort(), ['a pear', 'two apples']);
  const merged = await client.get('carts', 'alice', { r: 3, resolve: (siblings) => siblings.map(String).sort().join(' + ') });
  assert.equal(merged.resolved, true);
  assert.equal(merged.value?.toString(), 'a pear + two apples');
  const after = await client.get('carts', 'alice', { r: 3 });
  assert.equal(after.siblings.length, 1, 'the merge superseded both siblings');
  assert.equal(after.value?.toString(), 'a pear + two apples');
  await client.delete('carts', 'alice', { context: after.context });
  const gone = await client.get('carts', 'alice', { r: 3 });
  assert.equal(gone.found, false);
  assert.equal(gone.deleted, true);
  assert.equal((await client.get('carts', 'nobody')).found, false);
});

/** Client requests of one operation answered by the nodes, from their /metrics. */
async function requestsOf(op: string): Promise<number> {
  let sum = 0;
  for (const url of URLS) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(`dynamo_requests_total{op="${op}",`)) sum += Number(line.split(' ')[1]);
  }
  return sum;
}

test('reads are coordinated by the client (replicaRead to R replicas), or by a node when asked to', async () => {
  await Promise.all(Array.from({ length: 100 }, (_, i) => client.put('coord', `key${i}`, `v${i}`)));
  await client.getBucket('coord');
  const [gets, copies] = [await requestsOf('get'), await requestsOf('replicaRead')];
  for (let i = 0; i < 100; i++) assert.equal((await client.get('coord', `key${i}`)).value?.toString(), `v${i}`);
  assert.equal(await requestsOf('get'), gets, 'no read went to a node to coordinate');
  assert.equal((await requestsOf('replicaRead')) - copies, 200, 'two replicas asked per read (R=2)');
  const viaNodes = await Client.connect({ nodes: [URLS[1]!], readCoordination: 'node' });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await viaNodes.get('coord', `key${i}`)).value?.toString(), `v${i}`);
    assert.equal((await requestsOf('get')) - gets, 10);
  } finally {
    await viaNodes.close();
  }
});

test('bucket properties: set through the client, seen by every node', async () => {
  const props = await client.setBucket('sessions', { conflict: 'lww' });
  assert.equal(props.conflict, 'lww');
  await waitFor(async () => (await client.getBucket('sessions')).conflict === 'lww', 5000, 'props visible');
  for (const url of URLS) await waitFor(async () => JSON.parse((await kv(url, 'GET', '/buckets/sessions')).body.toString()).conflict === 'lww', 5000, 'gossiped');
});

test('partition-aware routing sends writes to a primary: nothing is forwarded', async () => {
  // n=1: each key has one primary, so a write that reaches another node would be forwarded.
  await client.setBucket('solo', { n: 1, r: 1, w: 1 });
  for (const url of URLS) await waitFor(async () => JSON.parse((await kv(url, 'GET', '/buckets/solo')).body.toString()).n === 1, 5000, 'n=1 everywhere');
  const before = await forwardedTotal();
  await Promise.all(Array.from({ length: 300 }, (_, i) => client.put('solo', `key${i}`, `v${i}`)));
  assert.equal(await forwardedTotal(), before, 'no client write was forwarded');
  // Past the client's refresh period (500 ms) the bucket's n is relearned in the background, and
  // used meanwhile: the client never routes by the ring's n in between.
  await new Promise((done) => setTimeout(done, 700));
  await Promise.all(Array.from({ length: 300 }, (_, i) => client.put('solo', `later${i}`, `v${i}`)));
  assert.equal(await forwardedTotal(), before, 'no client write was forwarded after the refresh period either');
  // Writes over HTTP to every node in turn do get forwarded (the metric does count).
  for (let i = 0; i < 30; i++) await kv(URLS[i % 3]!, 'PUT', `/kv/solo/http${i}`, 'x');
  assert.ok((await forwardedTotal()) > before, 'HTTP writes to a non-primary are forwarded');
  const read = await client.get('solo', 'key7');
  assert.equal(read.value?.toString(), 'v7');
});

test('typed errors: bad request from the node, bad context and oversize values locally', async () => {
  await assert.rejects(client.get('carts', 'k', { r: 7 }), (e: unknown) => e instanceof BadRequestError && e.code === 'bad_request');
  await assert.rejects(client.put('', 'k', 'v'), (e: unknown) => e instanceof BadRequestError && /bucket/.test(e.message));
  await assert.rejects(client.put('carts', 'k', 'v', { context: 'not-a-context' }), (e: unknown) => e instanceof BadRequestError && /context/.test(e.message));
  await assert.rejects(client.put('carts', 'k', Buffer.alloc(1024 * 1024 + 1)), (e: unknown) => e instanceof TooLargeError && e.code === 'too_large');
});

test('many pipelined requests on one connection per node', async () => {
  const piped = new Client({ nodes: URLS, connectionsPerNode: 1 });
  const keys = Array.from({ length: 2000 }, (_, i) => `p${i}`);
  await Promise.all(keys.map((k) => piped.put('pipe', k, k)));
  const reads = await Promise.all(keys.map((k) => piped.get('pipe', k)));
  reads.forEach((r, i) => assert.equal(r.value?.toString(), keys[i]));
  await piped.close();
});

test('garbage and malformed frames on the client port do not crash a node', async () => {
  const port = cluster.clientPort(2);
  await new Promise<void>((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(Buffer.from([0, 0, 0, 3, 0xc1, 0xc1, 0xc1])); // a frame that is not msgpack
      socket.write(Buffer.from([0, 0, 0, 1, 0x90])); // an empty array, not a request
      socket.write('GET / HTTP/1.1\r\n\r\n'); // another protocol: read as a huge length
    });
    socket.on('close', () => done());
    socket.on('error', () => done());
    setTimeout(() => socket.destroy(), 2000);
  });
  for (const url of URLS) assert.equal(await status(`${url}/health`), 200);
  assert.equal((await client.get('pipe', 'p1')).value?.toString(), 'p1');
});

test('dynamo bench: a short native run and a short HTTP run write the documented JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynamo-bench-'));
  try {
    const bin = resolve(import.meta.dirname, '../../bin/dynamo.js');
    for (const protocol of ['native', 'http']) {
      const json = join(dir, `${protocol}.json`);
      const plot = join(dir, `${protocol}.svg`);
      const run = spawnSync(process.execPath, [bin, 'bench', '--node', URLS.join(','), '--protocol', protocol, '--workload', 'a', '--records', '300',
        '--duration', '2', '--concurrency', '8', '--value-size', '50', '--json', json, '--plot', plot, '--bucket', `bench-${protocol}`], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /p99\.9 ms/);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      assert.ok(report.opsPerSec > 0);
      assert.equal(report.run.opsPerSec, report.opsPerSec);
      assert.equal(report.load.count, 300);
      assert.equal(report.run.errors, 0);
      for (const op of ['read', 'update']) {
        const r = report.run.operations[op];
        assert.ok(r.count > 0 && r.ratePerSec > 0, `${op} ran`);
        for (const p of ['p50', 'p95', 'p99', 'p999', 'max']) assert.equal(typeof r.latencyMs[p], 'number');
      }
      assert.ok(Array.isArray(report.timeline) && report.timeline.length >= 1);
      assert.match(readFileSync(plot, 'utf8'), /^<svg[\s\S]*<\/svg>$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a frozen node (SIGSTOP, connections open): reads and writes answer through the others, within the request timeout', async () => {
  const keys = Array.from({ length: 30 }, (_, i) => `f${i}`);
  await Promise.all(keys.map((k) => client.put('frozen', k, k)));
  cluster.freeze(3, true);
  try {
    const started = Date.now();
    const reads = await Promise.all(keys.map((k) => client.get('frozen', k)));
    reads.forEach((r, i) => assert.equal(r.value?.toString(), keys[i]));
    // A replica read that gets no answer goes to a node that did answer, not to the frozen one.
    assert.ok(Date.now() - started < 2000, `reads took ${Date.now() - started} ms`);
    // A write sent to the frozen node goes to another once the attempt timeout (2.5 s) passes,
    // well within the request's 5 s.
    const writing = Date.now();
    await Promise.all(keys.map((k) => client.put('frozen', k, `${k}+`)));
    assert.ok(Date.now() - writing < 4500, `writes took ${Date.now() - writing} ms`);
  } finally {
    cluster.freeze(3, false);
  }
});

test('a killed node: the client falls back to the others', async () => {
  await client.put('fail', 'before', 'x');
  await cluster.kill(3);
  const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
  await Promise.all(keys.map((k) => client.put('fail', k, k)));
  const reads = await Promise.all(keys.map((k) => client.get('fail', k)));
  reads.forEach((r, i) => assert.equal(r.value?.toString(), keys[i]));
});

test('two nodes down: a strict write fails with a QuorumError', async () => {
  await cluster.kill(2);
  await assert.rejects(client.put('fail', 'strict', 'x', { strict: true }), (e: unknown) => e instanceof QuorumError && e.code === 'quorum_failed' && e.needed === 2);
});
