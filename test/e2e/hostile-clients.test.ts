/**
 * The client-facing ports of real node processes under hostile input: the binary client protocol
 * gets frames of every operation with one field made hostile (protocol/testing/hostile.ts), plus
 * garbage and truncated frames; the HTTP API gets malformed paths, queries, headers and bodies, and
 * raw bytes that are not HTTP at all. Every node must answer what it can read (an error for what is
 * wrong) and keep serving puts and gets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { mutatedArb, validClientRequestArb } from '../../src/protocol/testing/hostile.js';
import { encodeFrame, FrameDecoder } from '../../src/protocol/framing.js';
import { kv, ProcessCluster } from './process-cluster.js';

const FRAMES = Number(process.env.DYNAMO_FUZZ_MESSAGES ?? 3_000);
const cluster = new ProcessCluster({ nodes: 3, basePort: 27200, storage: 'memory', clientPorts: true });
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

before(async () => cluster.startAll());
after(async () => cluster.stop());

async function assertServing(round: string): Promise<void> {
  for (let i = 1; i <= 3; i++) {
    assert.ok(cluster.isAlive(i), `n${i} is alive after ${round}`);
    assert.equal((await kv(cluster.url(i), 'PUT', `/kv/after/${round}-${i}`, 'v')).status, 204, `a put through n${i} after ${round}`);
    assert.equal((await kv(cluster.url((i % 3) + 1), 'GET', `/kv/after/${round}-${i}`)).status, 200, `a get after ${round}`);
  }
}

/** Sends frames on one client connection and counts the answers that come back before it goes quiet. */
async function exchange(port: number, frames: readonly Uint8Array[]): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const decoder = new FrameDecoder(64 * 1024 * 1024);
    let answers = 0;
    let quiet: NodeJS.Timeout | undefined;
    const done = (): void => {
      socket.destroy();
      resolve(answers);
    };
    socket.on('data', (chunk: Buffer) => {
      answers += decoder.push(chunk).length;
      clearTimeout(quiet);
      quiet = setTimeout(done, answers >= frames.length ? 50 : 1_000);
    });
    socket.on('error', done);
    socket.on('connect', () => {
      socket.write(Buffer.concat(frames.map(encodeFrame)));
      quiet = setTimeout(done, 3_000);
    });
  });
}

test(`${FRAMES} hostile binary-protocol frames are each answered and stop no node`, async () => {
  const bodies = fc.sample(mutatedArb(validClientRequestArb(['carts', 'b']), []), { seed: 27_200, numRuns: FRAMES });
  const frames = bodies.map((request, i) => packr.pack(i % 10 === 0 ? request : { id: i + 1, request }));
  let answered = 0;
  for (let at = 0; at < frames.length; at += 300) answered += await exchange(cluster.clientPort((at / 300) % 3 + 1), frames.slice(at, at + 300));
  assert.ok(answered >= frames.length * 0.99, `only ${answered} of ${frames.length} frames were answered`);
  const garbage = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 200 }), { seed: 27_201, numRuns: 300 });
  for (let i = 1; i <= 3; i++) await exchange(cluster.clientPort(i), garbage);
  await assertServing('binary');
});

const HOSTILE_PATHS = [
  '/kv', '/kv/', '/kv//k', '/kv/b/', '/kv/%zz/k', '/kv/b/%', `/kv/b/${'k'.repeat(5_000)}`, `/kv/${'b'.repeat(500)}/k`, '/kv/b/k?r=0', '/kv/b/k?r=-1',
  '/kv/b/k?r=999', '/kv/b/k?w=abc', '/kv/b/k?strict=maybe', '/kv/b/k?r=1&r=2', '/buckets/', '/buckets/b?x=1', '/admin/local/b', '/admin/local/%00/k', '/cluster/x', '/../../etc/passwd',
  '/kv/b/k#frag', '/%2e%2e/kv', '/metrics?format=x',
];
const HOSTILE_CONTEXTS = ['', 'not-base64!', 'AAAA', 'x'.repeat(10_000), '%%%', '\u0000'];

test('malformed HTTP requests get 4xx answers and stop no node', async () => {
  const base = cluster.url(1);
  for (const path of HOSTILE_PATHS) {
    for (const method of ['GET', 'PUT', 'DELETE', 'POST', 'PATCH']) {
      const res = await fetch(`${base}${path}`, { method, body: method === 'GET' ? undefined : 'x' }).catch(() => null);
      if (res !== null) assert.ok(res.status < 500 || res.status === 503, `${method} ${path} answered ${res.status}`);
    }
  }
  for (const context of HOSTILE_CONTEXTS) {
    const res = await fetch(`${base}/kv/b/ctx`, { method: 'PUT', body: 'v', headers: { 'X-Dynamo-Context': encodeURI(context).slice(0, 8_000) } }).catch(() => null);
    if (res !== null) assert.ok(res.status === 204 || res.status === 400, `a context of ${context.length} chars answered ${res.status}`);
  }
  for (const body of ['', '{', 'null', '[]', '{"n":0}', '{"n":"3"}', '{"conflict":"maybe"}', '{"n":1e308}', '{"__proto__":{"n":1}}', 'x'.repeat(100_000)]) {
    const res = await fetch(`${base}/buckets/hostile`, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } });
    assert.ok(res.status === 400 || res.status === 413 || res.status === 200, `PUT /buckets with ${body.slice(0, 20)} answered ${res.status}`);
  }
  const raw = ['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `GET /${'a'.repeat(70_000)} HTTP/1.1\r\n\r\n`, 'PUT /kv/b/k HTTP/1.1\r\nContent-Length: -5\r\n\r\n', '\u0000\u0001\u0002'];
  for (const text of raw) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(27301, '127.0.0.1');
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.on('connect', () => socket.write(text, () => setTimeout(() => socket.destroy(), 200)));
    });
  }
  await assertServing('http');
});
