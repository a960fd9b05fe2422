/** The client-protocol server over a fake node: framing, pipelining, back-pressure and bad input. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Packr } from 'msgpackr';
import type { ClientRequest, ClientResponse } from '../protocol/requests.js';
import { createLogger } from '../runtime/logger.js';
import { encodeFrame, FrameDecoder } from '../protocol/framing.js';
import { Connection } from '../client/connection.js';
import { decodeResponseFrame, encodeRequest, type ResponseFrame } from '../protocol/client-wire.js';
import { startClientServer, type ClientServer } from './client-server.js';
import { HOT_MARKER } from '../protocol/hot-codec.js';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** A node that answers every get after `delayMs`, echoing the key as the value; counts what it saw. */
const seen: ClientRequest[] = [];
let delayMs = 0;
let outstanding = 0;
let maxOutstanding = 0;
const fakeNode = {
  submit(request: ClientRequest, respond: (response: ClientResponse) => void): void {
    void this.request(request).then(respond);
  },
  request(request: ClientRequest): Promise<ClientResponse> {
    seen.push(request);
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    const answer = (): ClientResponse => {
      outstanding--;
      if (request.op === 'get') return { ok: true, op: 'get', values: [{ data: Buffer.from(request.key), timestampMs: 1 }], context: [['n1', 1]], tombstone: false, fastestReplica: 'n1' };
      if (request.op === 'put' || request.op === 'delete') return { ok: true, op: request.op, context: [['n1', 2]] };
      return { ok: false, error: 'bad_request', message: 'no buckets here' };
    };
    return delayMs === 0 ? Promise.resolve(answer()) : new Promise((r) => setTimeout(() => r(answer()), delayMs));
  },
};

let server: ClientServer;
const PORT = 24901;

before(async () => {
  server = await startClientServer({ host: '127.0.0.1', port: PORT, runtime: fakeNode, logger: createLogger('test', 'silent'), maxValueBytes: 1024, maxInFlight: 8 });
});
after(async () => server.close());

/** A raw socket that collects response frames. */
async function rawClient(): Promise<{ socket: Socket; frames: ResponseFrame[]; chunks: { n: number }; closed: Promise<void> }> {
  const socket = connect(PORT, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const decoder = new FrameDecoder(1 << 20);
  const frames: ResponseFrame[] = [];
  const chunks = { n: 0 };
  socket.on('data', (chunk: Buffer) => {
    chunks.n++;
    for (const f of decoder.push(chunk)) frames.push(decodeResponseFrame(f)!);
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.on('error', () => undefined);
  return { socket, frames, chunks, closed };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

test('a request frame gets a response frame with its id', async () => {
  const c = await rawClient();
  c.socket.write(encodeFrame(encodeRequest(7, { op: 'get', bucket: 'b', key: 'k1' })));
  await until(() => c.frames.length === 1, 'one answer');
  assert.equal(c.frames[0]!.id, 7);
  const response = c.frames[0]!.response;
  assert.ok(response.ok && response.op === 'get');
  assert.equal(Buffer.from(response.values[0]!.data!).toString(), 'k1');
  assert.equal(response.fastestReplica, 'n1');
  c.socket.destroy();
});

test('a hot request gets a hot answer; a msgpack request (a third-party client) gets a msgpack one', async () => {
  const hot = await rawClient();
  const raw: Buffer[] = [];
  hot.socket.on('data', (chunk: Buffer) => raw.push(chunk));
  hot.socket.write(encodeFrame(encodeRequest(3, { op: 'put', bucket: 'b', key: 'k', value: Buffer.from('v'), context: [] })));
  await until(() => hot.frames.length === 1, 'the hot answer');
  assert.equal(raw[0]![4], HOT_MARKER, 'after the 4-byte length comes the hot marker');
  assert.deepEqual(hot.frames[0], { id: 3, response: { ok: true, op: 'put', context: [['n1', 2]] } });
  hot.socket.destroy();

  const plain = await rawClient();
  const plainRaw: Buffer[] = [];
  plain.socket.on('data', (chunk: Buffer) => plainRaw.push(chunk));
  plain.socket.write(encodeFrame(packr.pack({ id: 4, request: { op: 'get', bucket: 'b', key: 'k2' } })));
  await until(() => plain.frames.length === 1, 'the msgpack answer');
  assert.notEqual(plainRaw[0]![4], HOT_MARKER);
  const response = plain.frames[0]!.response;
  assert.ok(response.ok && response.op === 'get');
  assert.equal(Buffer.from(response.values[0]!.data!).toString(), 'k2');
  plain.socket.destroy();
});

test('many pipelined requests on one connection all come back, in few writes, under the in-flight limit', async () => {
  delayMs = 2;
  maxOutstanding = 0;
  const c = await rawClient();
  const frames = Array.from({ length: 500 }, (_, i) => encodeFrame(encodeRequest(i + 1, { op: 'get', bucket: 'b', key: `k${i}` })));
  c.socket.write(Buffer.concat(frames));
  await until(() => c.frames.length === 500, 'all 500 answered');
  assert.deepEqual(new Set(c.frames.map((f) => f.id)).size, 500);
  for (const f of c.frames) assert.ok(f.response.ok && f.response.op === 'get' && Buffer.from(f.response.values[0]!.data!).toString() === `k${f.id - 1}`);
  assert.ok(maxOutstanding <= 8, `back-pressure bounded the work in flight (saw ${maxOutstanding})`);
  assert.ok(c.chunks.n < 500, `answers were coalesced (${c.chunks.n} reads for 500 answers)`);
  delayMs = 0;
  c.socket.destroy();
});

test('the client Connection pipelines and matches answers by id', async () => {
  const connection = new Connection({ host: '127.0.0.1', port: PORT, connectTimeoutMs: 1000, maxFrameBytes: 1 << 20, onGone: () => undefined });
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => connection.send({ op: 'get', bucket: 'b', key: `p${i}` }, 2000)));
  answers.forEach((a, i) => assert.ok(a.ok && a.op === 'get' && Buffer.from(a.values[0]!.data!).toString() === `p${i}`));
  connection.close();
});

test('bad frames get error answers and the connection goes on; garbage closes only that connection', async () => {
  const c = await rawClient();
  c.socket.write(encodeFrame(Buffer.from([0xc1, 0xc1, 0xc1]))); // not msgpack
  c.socket.write(encodeFrame(packr.pack({ request: { op: 'get', bucket: 'b', key: 'k' } }))); // no id
  c.socket.write(encodeFrame(packr.pack({ id: 3, request: { op: 'explode', bucket: 'b' } })));
  c.socket.write(encodeFrame(packr.pack({ id: 4, request: { op: 'put', bucket: 'b', key: 'k', value: 'not bytes', context: [] } })));
  c.socket.write(encodeFrame(packr.pack({ id: 5, request: { op: 'put', bucket: 'b', key: 'k', value: Buffer.from('x'), context: [['z', 1], ['a', 1]] } })));
  c.socket.write(encodeFrame(packr.pack({ id: 6, request: { op: 'get', bucket: 'b', key: 'k', r: -1 } })));
  c.socket.write(encodeFrame(encodeRequest(7, { op: 'get', bucket: 'b', key: 'fine' })));
  await until(() => c.frames.length === 7, 'seven answers');
  const byId = new Map(c.frames.map((f) => [f.id, f.response]));
  assert.equal(c.frames.filter((f) => f.id === 0).length, 2);
  for (const id of [0, 3, 4, 5, 6]) assert.equal((byId.get(id) as { error?: string }).error, 'bad_request', `id ${id}`);
  assert.match((byId.get(5) as { message: string }).message, /context/);
  assert.ok(byId.get(7)!.ok);
  // Another protocol entirely: its first bytes read as a huge length; the server says so and closes.
  const g = await rawClient();
  g.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await g.closed;
  assert.equal(g.frames.length, 1);
  assert.equal(g.frames[0]!.id, 0);
  assert.match((g.frames[0]!.response as { message: string }).message, /unreadable stream/);
  // The first connection still works.
  c.socket.write(encodeFrame(encodeRequest(8, { op: 'get', bucket: 'b', key: 'again' })));
  await until(() => c.frames.some((f) => f.id === 8), 'still served');
  c.socket.destroy();
});

test('a client that does not read its answers stops being read (no unbounded buffering), then catches up', async () => {
  const c = await rawClient();
  c.socket.pause();
  const before = seen.length;
  const key = 'k'.repeat(1000);
  const total = 20_000;
  const batch = Buffer.concat(Array.from({ length: total }, (_, i) => encodeFrame(encodeRequest(i + 1, { op: 'get', bucket: 'b', key: `${i}:${key}` }))));
  c.socket.write(batch);
  await new Promise((r) => setTimeout(r, 500));
  const started = seen.length - before;
  assert.ok(started < total, `the server stopped taking requests (${started} of ${total})`);
  c.socket.resume();
  await until(() => c.frames.length === total, 'every answer arrives once the client reads');
  c.socket.destroy();
});
